<?php
/**
 * Staging-safe: a copy of the site (agencies clone production to staging) must not fire the live
 * site's webhooks.
 *
 * The plugin records the site's identity (home_url(), wp_get_environment_type()) the first time
 * it runs. When a request finds another identity, it pauses delivery on the sidecar
 * (`PUT /v2/delivery {"paused": true}`) before it sends any event: events are still recorded,
 * held, and nothing leaves. A notice says so and offers "Resume here" (this copy becomes the
 * site: the new identity is recorded and delivery resumed) or "Keep paused".
 *
 * The check itself is two autoloaded options compared: free on every request of the real site. On
 * a copy, only admin, REST, cron and WP-CLI requests call the sidecar to pause (at most once a
 * minute); a visitor's page leaves its events in the outbox meanwhile.
 *
 * @package FluentCRM_Webhooks
 * @since 0.2.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_OPTION_SITE_IDENTITY = 'fcwh_site_identity';
// The copy detected: {url, environment, detected_at, paused: the sidecar confirmed, kept: "Keep paused" chosen}.
const FCWH_OPTION_SITE_COPY  = 'fcwh_site_copy';
const FCWH_SITE_COPY_ACTION  = 'fcwh_site_copy';
const FCWH_DELIVERY_TIMEOUT  = 5;

/**
 * This request's identity of the site.
 *
 * @since 0.2.0
 *
 * @return array{url: string, environment: string}
 */
function fcwh_current_site_identity(): array {
	return array(
		'url'         => untrailingslashit( home_url() ),
		'environment' => wp_get_environment_type(),
	);
}

/**
 * Whether two identities are different sites. Pure.
 *
 * The scheme is ignored (moving to HTTPS is not a copy); host, port and path are compared
 * without case or trailing slash.
 *
 * @since 0.2.0
 *
 * @param array $recorded What the webhooks were set up under.
 * @param array $current  This request's.
 */
function fcwh_site_identities_differ( array $recorded, array $current ): bool {
	$normal = static function ( $url ) {
		return strtolower( rtrim( (string) preg_replace( '#^[a-z][a-z0-9+.-]*://#i', '', (string) $url ), '/' ) );
	};
	return $normal( $recorded['url'] ?? '' ) !== $normal( $current['url'] ?? '' )
		|| (string) ( $recorded['environment'] ?? '' ) !== (string) ( $current['environment'] ?? '' );
}

/**
 * The recorded identity; the first call records the current one (the site's first setup).
 *
 * @since 0.2.0
 *
 * @return array{url: string, environment: string, recorded_at?: int}
 */
function fcwh_recorded_site_identity(): array {
	$recorded = get_option( FCWH_OPTION_SITE_IDENTITY );
	if ( is_array( $recorded ) && isset( $recorded['url'], $recorded['environment'] ) ) {
		return $recorded;
	}
	$recorded = fcwh_current_site_identity() + array( 'recorded_at' => time() );
	update_option( FCWH_OPTION_SITE_IDENTITY, $recorded, true );
	return $recorded;
}

/**
 * The copy this request runs on, or null when it is the site the webhooks were set up on.
 *
 * @since 0.2.0
 *
 * @return array|null The stored copy state (see FCWH_OPTION_SITE_COPY).
 */
function fcwh_site_copy(): ?array {
	$current = fcwh_current_site_identity();
	if ( ! fcwh_site_identities_differ( fcwh_recorded_site_identity(), $current ) ) {
		return null;
	}
	$copy = get_option( FCWH_OPTION_SITE_COPY );
	if ( ! is_array( $copy ) || fcwh_site_identities_differ( $copy, $current ) ) {
		// A new copy (or a copy of a copy): nothing is confirmed for this one yet.
		$copy = $current + array(
			'detected_at' => time(),
			'paused'      => false,
			'kept'        => false,
		);
		update_option( FCWH_OPTION_SITE_COPY, $copy, true );
	}
	return $copy;
}

/**
 * Whether events may go to the sidecar now: always on the real site; on a copy only once the
 * sidecar has confirmed delivery is paused (it then records them as held). Called before every
 * batch of events is sent (transport.php) and when a request starts (admin, REST).
 *
 * @since 0.2.0
 */
function fcwh_staging_ready_to_send(): bool {
	$copy = fcwh_site_copy();
	if ( null === $copy || $copy['paused'] ) {
		return true;
	}
	if ( ! fcwh_staging_may_call_sidecar() ) {
		return false; // A visitor's page of a copy: its events wait in the outbox for an admin, REST or cron request.
	}
	// At most one try a minute (and none while the sidecar is known to be away): the events wait
	// in the outbox meanwhile, and page requests are not held up by a sidecar that cannot pause.
	if ( fcwh_sidecar_backoff_active() || time() - (int) ( $copy['tried_at'] ?? 0 ) < MINUTE_IN_SECONDS ) {
		return false;
	}
	$copy['tried_at'] = time();
	update_option( FCWH_OPTION_SITE_COPY, $copy, true );
	$recorded = fcwh_recorded_site_identity();
	$answer   = fcwh_put_delivery_state(
		array(
			'paused' => true,
			/* translators: %s: the address the webhooks were set up on. */
			'reason' => sprintf( __( 'This looks like a copy of %s', 'fluentcrm-webhooks' ), $recorded['url'] ),
			'site'   => array(
				'url'         => $recorded['url'],
				'environment' => $recorded['environment'],
			),
		)
	);
	if ( ! is_wp_error( $answer ) ) {
		$copy['paused'] = true;
		update_option( FCWH_OPTION_SITE_COPY, $copy, true );
		return true;
	}
	return false;
}

/**
 * Whether this request may ask the sidecar to pause: wp-admin (and admin-ajax), REST, WP-Cron and
 * WP-CLI may; a visitor's front-end page never waits on an HTTP call for this.
 *
 * @since 0.2.0
 */
function fcwh_staging_may_call_sidecar(): bool {
	return is_admin() || wp_doing_cron() || ( defined( 'REST_REQUEST' ) && REST_REQUEST ) || ( defined( 'WP_CLI' ) && WP_CLI );
}

/**
 * Runs the check when a request starts, so a copy pauses before anything (a "Send test", an
 * event) can reach the live receivers. Hooked on `admin_init` and `rest_api_init`.
 *
 * @since 0.2.0
 */
function fcwh_staging_check_request(): void {
	fcwh_staging_ready_to_send();
}

/**
 * `PUT /v2/delivery` on the sidecar.
 *
 * @since 0.2.0
 *
 * @param array $state `paused`, and optionally `reason` and `site`.
 * @return array|WP_Error The sidecar's answer (`paused`, `reason`, `paused_at`, `site`).
 */
function fcwh_put_delivery_state( array $state ) {
	$result = fcwh_sidecar_request( 'PUT', '/v2/delivery', $state, array(), array( 'timeout' => FCWH_DELIVERY_TIMEOUT ) );
	if ( $result['status'] >= 200 && $result['status'] < 300 && is_array( $result['body'] ) ) {
		return $result['body'];
	}
	return $result['error'] instanceof WP_Error ? $result['error']
		: new WP_Error( 'fcwh_delivery_state', fcwh_describe_sidecar_failure( $result ) );
}

/**
 * `GET /v2/delivery`: whether the sidecar holds every delivery, and why.
 *
 * @since 0.2.0
 *
 * @return array|null The answer, or null when the sidecar did not give one.
 */
function fcwh_get_delivery_state(): ?array {
	if ( fcwh_sidecar_backoff_active() ) {
		return null;
	}
	$result = fcwh_sidecar_request( 'GET', '/v2/delivery', null, array(), array( 'timeout' => FCWH_DELIVERY_TIMEOUT ) );
	return 200 === $result['status'] && is_array( $result['body'] ) ? $result['body'] : null;
}

/**
 * "Resume here": this copy becomes the site; delivery resumes with its identity.
 *
 * @since 0.2.0
 *
 * @return true|WP_Error
 */
function fcwh_resume_delivery_here() {
	$current = fcwh_current_site_identity();
	$answer  = fcwh_put_delivery_state(
		array(
			'paused' => false,
			'site'   => $current,
		)
	);
	if ( is_wp_error( $answer ) ) {
		return $answer;
	}
	update_option( FCWH_OPTION_SITE_IDENTITY, $current + array( 'recorded_at' => time() ), true );
	delete_option( FCWH_OPTION_SITE_COPY );
	return true;
}

/**
 * "Keep paused": the choice is remembered; the notice then stays on the plugin's screen only.
 *
 * @since 0.2.0
 */
function fcwh_keep_delivery_paused(): void {
	$copy = fcwh_site_copy();
	if ( null !== $copy ) {
		$copy['kept'] = true;
		update_option( FCWH_OPTION_SITE_COPY, $copy, true );
	}
}

/**
 * Handles the notice's two buttons (admin-post.php, nonce-checked). Hooked on
 * `admin_post_fcwh_site_copy`.
 *
 * @since 0.2.0
 */
function fcwh_handle_site_copy_choice(): void {
	if ( ! fcwh_current_user_can_manage() ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to manage outgoing webhooks.', 'fluentcrm-webhooks' ), 403 );
	}
	check_admin_referer( FCWH_SITE_COPY_ACTION );
	$choice = isset( $_POST['choice'] ) ? sanitize_key( wp_unslash( $_POST['choice'] ) ) : '';
	if ( 'resume' === $choice ) {
		$resumed = fcwh_resume_delivery_here();
		$result  = is_wp_error( $resumed ) ? 'resume-failed' : 'resumed';
	} elseif ( 'keep' === $choice ) {
		fcwh_keep_delivery_paused();
		$result = 'keep';
	} else {
		// Only the notice's two buttons post here: anything else changes nothing.
		wp_die( esc_html__( 'Choose “Resume here” or “Keep paused”.', 'fluentcrm-webhooks' ), 400 );
	}
	$back = wp_get_referer() ? wp_get_referer() : admin_url();
	wp_safe_redirect( add_query_arg( 'fcwh-site-copy', $result, $back ) );
	exit;
}

/**
 * The notice: on every admin screen until a choice is made, then on the plugin's screen only.
 *
 * @since 0.2.0
 */
function fcwh_render_site_copy_notice(): void {
	if ( ! fcwh_current_user_can_manage() ) {
		return;
	}
	$outcome = isset( $_GET['fcwh-site-copy'] ) ? sanitize_key( wp_unslash( $_GET['fcwh-site-copy'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- display only.
	if ( 'resumed' === $outcome ) {
		printf( '<div class="notice notice-success is-dismissible fcwh-site-copy-resumed"><p>%s</p></div>', esc_html__( 'Webhooks resumed: this site is now the one they send from.', 'fluentcrm-webhooks' ) );
	} elseif ( 'resume-failed' === $outcome ) {
		printf( '<div class="notice notice-error fcwh-site-copy-failed"><p>%s</p></div>', esc_html__( 'Webhooks could not be resumed: the sidecar did not answer. Try again in a moment.', 'fluentcrm-webhooks' ) );
	}
	$copy        = fcwh_site_copy();
	$on_our_page = function_exists( 'fcwh_admin_is_our_page' ) && fcwh_admin_is_our_page();
	if ( null === $copy ) {
		if ( $on_our_page ) {
			fcwh_render_paused_elsewhere_notice();
		}
		return;
	}
	if ( $copy['kept'] && ! $on_our_page ) {
		return;
	}
	$recorded = fcwh_recorded_site_identity();
	?>
	<div class="notice notice-warning fcwh-site-copy-notice" id="fcwh-site-copy-notice">
		<p><strong>
			<?php
			/* translators: %s: the address the webhooks were set up on. */
			echo esc_html( sprintf( __( 'This looks like a copy of %s: webhooks are paused.', 'fluentcrm-webhooks' ), $recorded['url'] ) );
			?>
		</strong>
		<?php
		echo esc_html(
			sprintf(
				/* translators: 1: this site's address, 2: its environment type, 3: the original's environment type. */
				__( 'This site runs at %1$s (%2$s), not where its webhooks were set up (%3$s), so nothing is sent: a staging copy must not call the live site\'s receivers. Events are still logged, held until delivery resumes.', 'fluentcrm-webhooks' ),
				$copy['url'],
				$copy['environment'],
				$recorded['environment']
			)
		);
		if ( ! $copy['paused'] ) {
			echo ' ' . esc_html__( 'The sidecar has not confirmed the pause yet, so events wait in this site\'s outbox meanwhile.', 'fluentcrm-webhooks' );
		}
		?>
		</p>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="fcwh-site-copy-form">
			<input type="hidden" name="action" value="<?php echo esc_attr( FCWH_SITE_COPY_ACTION ); ?>">
			<?php wp_nonce_field( FCWH_SITE_COPY_ACTION ); ?>
			<p>
				<button type="submit" name="choice" value="resume" class="button button-primary fcwh-resume-here"><?php esc_html_e( 'Resume here', 'fluentcrm-webhooks' ); ?></button>
				<?php if ( ! $copy['kept'] ) : ?>
					<button type="submit" name="choice" value="keep" class="button fcwh-keep-paused"><?php esc_html_e( 'Keep paused', 'fluentcrm-webhooks' ); ?></button>
				<?php endif; ?>
				<span class="description"><?php esc_html_e( '“Resume here” makes this site the one webhooks send from (choose it after moving the site); “Keep paused” for a staging copy.', 'fluentcrm-webhooks' ); ?></span>
			</p>
		</form>
	</div>
	<?php
}

/**
 * On the real site, the plugin's screen says when the sidecar holds everything anyway (paused by
 * a copy that shares this sidecar, or by hand), with the same "Resume here".
 *
 * @since 0.2.0
 */
function fcwh_render_paused_elsewhere_notice(): void {
	$state = fcwh_get_delivery_state();
	if ( null === $state || empty( $state['paused'] ) ) {
		return;
	}
	$reason = isset( $state['reason'] ) && is_string( $state['reason'] ) && '' !== $state['reason'] ? $state['reason'] : '';
	?>
	<div class="notice notice-warning fcwh-paused-notice" id="fcwh-paused-notice">
		<p><strong><?php esc_html_e( 'Webhook delivery is paused: events are logged and held, nothing is sent.', 'fluentcrm-webhooks' ); ?></strong>
		<?php
		if ( '' !== $reason ) {
			/* translators: %s: why delivery was paused, as recorded by the sidecar. */
			echo esc_html( sprintf( __( 'Reason given: %s.', 'fluentcrm-webhooks' ), $reason ) );
		}
		?>
		</p>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="<?php echo esc_attr( FCWH_SITE_COPY_ACTION ); ?>">
			<?php wp_nonce_field( FCWH_SITE_COPY_ACTION ); ?>
			<p><button type="submit" name="choice" value="resume" class="button button-primary fcwh-resume-here"><?php esc_html_e( 'Resume here', 'fluentcrm-webhooks' ); ?></button></p>
		</form>
	</div>
	<?php
}

add_action( 'admin_init', 'fcwh_staging_check_request' );
add_action( 'rest_api_init', 'fcwh_staging_check_request' );
add_action( 'admin_notices', 'fcwh_render_site_copy_notice' );
add_action( 'admin_post_' . FCWH_SITE_COPY_ACTION, 'fcwh_handle_site_copy_choice' );

<?php
/**
 * Telling someone when a webhook turns `failed`, and when it is re-activated (failed -> active):
 * an email (to the address on the settings screen, else the site's admin email), the actions
 * `fcwh_webhook_failed` / `fcwh_webhook_recovered` for other plugins, and a dismissible notice on
 * every wp-admin page for users who manage webhooks.
 *
 * Detection: the every-minute cron lists the webhooks and compares each status with the one it
 * last saw (option `fcwh_webhook_watch`), so a transition is found whoever caused it (the
 * sidecar, the REST API, WP-CLI, another site on the same sidecar). The REST proxy also reports
 * what passes through it: a re-activation (PUT/PATCH `status: active`) is recorded at once and a
 * listing is compared like the cron's. Every comparison runs under one lock on a fresh read of
 * the option, so a transition fires once however many requests see it.
 *
 * Mails: a failure mail at most once per webhook per day. A failure inside that day is not mailed
 * then; if the webhook is still failed when the day is over, the mail goes out at the next check.
 * A recovery is mailed only when the failure it ends was: each recovery mail answers one failure
 * mail. The actions and the notice are never throttled.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_OPTION_NOTIFY_EMAIL   = 'fcwh_notify_email';
const FCWH_OPTION_WEBHOOK_WATCH  = 'fcwh_webhook_watch';
const FCWH_NOTIFICATIONS_GROUP   = 'fcwh_notifications';
const FCWH_FAILURE_MAIL_INTERVAL = 86400; // One failure mail per webhook per day.
const FCWH_RECOVERY_NOTICE_TTL   = 86400; // The "active again" notice shows for a day.
const FCWH_DISMISS_NOTICE_ACTION = 'fcwh_dismiss_webhook_notice';
const FCWH_USER_META_DISMISSED   = 'fcwh_dismissed_webhook_notices';
const FCWH_WATCH_LOCK            = 'webhook_watch';
const FCWH_WATCH_LOCK_WAIT       = 5; // Seconds a request waits for another one's comparison.
const FCWH_WATCH_TIMEOUT         = 10; // Seconds the cron waits for the webhook list.
const FCWH_WATCH_LOOKUP_TIMEOUT  = 5; // Seconds a re-activation through the proxy waits to learn the status before.

// ------------------------------------------------------------------------------------------------
// The recipient and its setting.
// ------------------------------------------------------------------------------------------------

/**
 * Where the mails go: the address saved on the settings screen, else the site's admin email.
 *
 * @since 0.1.0
 */
function fcwh_notification_recipient(): string {
	$saved     = trim( (string) get_option( FCWH_OPTION_NOTIFY_EMAIL, '' ) );
	$recipient = '' !== $saved && is_email( $saved ) ? $saved : (string) get_option( 'admin_email' );
	/**
	 * Filters the address failure and recovery mails are sent to.
	 *
	 * @since 0.1.0
	 *
	 * @param string $recipient An email address (or several, comma separated, as wp_mail() takes).
	 */
	return (string) apply_filters( 'fcwh_notification_recipient', $recipient );
}

/**
 * Registers the notification address with the Settings API (its own group and form, so saving
 * it never touches the connection settings). Hooked on `admin_init`.
 *
 * @since 0.1.0
 */
function fcwh_register_notification_settings(): void {
	register_setting(
		FCWH_NOTIFICATIONS_GROUP,
		FCWH_OPTION_NOTIFY_EMAIL,
		array(
			'type'              => 'string',
			'sanitize_callback' => 'fcwh_sanitize_notify_email',
			'show_in_rest'      => false,
			'default'           => '',
		)
	);
}

/**
 * Keeps a valid address (is_email()), or blank for the site's admin email; anything else
 * leaves the saved value in place and says why.
 *
 * @since 0.1.0
 *
 * @param mixed $value Submitted value.
 */
function fcwh_sanitize_notify_email( $value ): string {
	static $reported = false; // WordPress sanitizes twice when the option is first created.
	$value = trim( (string) $value );
	if ( '' === $value ) {
		return '';
	}
	if ( is_email( $value ) ) {
		return sanitize_email( $value );
	}
	if ( ! $reported ) {
		$reported = true;
		add_settings_error(
			FCWH_OPTION_NOTIFY_EMAIL,
			'fcwh_invalid_notify_email',
			sprintf(
				/* translators: %s: what was entered */
				__( '“%s” is not a valid email address; the notification address was not changed.', 'fluentcrm-webhooks' ),
				$value
			)
		);
	}
	return (string) get_option( FCWH_OPTION_NOTIFY_EMAIL, '' );
}

/**
 * Renders the settings tab's "Failure notifications" form.
 *
 * @since 0.1.0
 */
function fcwh_admin_render_notification_settings(): void {
	$saved = (string) get_option( FCWH_OPTION_NOTIFY_EMAIL, '' );
	$admin = (string) get_option( 'admin_email' );
	?>
	<h2><?php esc_html_e( 'Failure notifications', 'fluentcrm-webhooks' ); ?></h2>
	<p class="description"><?php esc_html_e( 'When a webhook turns failed (its endpoint answered 410 Gone, or its last deliveries all failed) it stops sending and holds its events. An email goes out then, and again when it is re-activated; every wp-admin page shows a notice to those who manage webhooks until they dismiss it. At most one failure email per webhook a day.', 'fluentcrm-webhooks' ); ?></p>
	<form method="post" action="<?php echo esc_url( admin_url( 'options.php' ) ); ?>" class="fcwh-notifications-form" id="fcwh-notifications-form">
		<?php settings_fields( FCWH_NOTIFICATIONS_GROUP ); ?>
		<table class="form-table" role="presentation">
			<tr>
				<th scope="row"><label for="fcwh_notify_email"><?php esc_html_e( 'Send notifications to', 'fluentcrm-webhooks' ); ?></label></th>
				<td>
					<input type="email" id="fcwh_notify_email" name="<?php echo esc_attr( FCWH_OPTION_NOTIFY_EMAIL ); ?>" class="regular-text" value="<?php echo esc_attr( $saved ); ?>" placeholder="<?php echo esc_attr( $admin ); ?>" aria-describedby="fcwh_notify_email-description">
					<p class="description" id="fcwh_notify_email-description">
						<?php
						/* translators: %s: the site's administration email address */
						echo esc_html( sprintf( __( 'Blank: the site’s administration email address (%s).', 'fluentcrm-webhooks' ), $admin ) );
						?>
					</p>
				</td>
			</tr>
		</table>
		<?php submit_button( __( 'Save notification settings', 'fluentcrm-webhooks' ), 'primary', 'fcwh-save-notifications' ); ?>
	</form>
	<?php
}

// ------------------------------------------------------------------------------------------------
// What the plugin last saw.
// ------------------------------------------------------------------------------------------------

/**
 * The watch state as this request loaded it (autoloaded: the admin notice reads it on every page).
 *
 * @since 0.1.0
 *
 * @return array{webhooks: array<string, array>, mail_error: ?array}
 */
function fcwh_watch_state(): array {
	return fcwh_normalize_watch_state( get_option( FCWH_OPTION_WEBHOOK_WATCH, array() ) );
}

/**
 * The watch state read from the database now, past this request's option cache (another request
 * may have changed it since this one started). Call with the lock held.
 *
 * @since 0.1.0
 *
 * @return array{webhooks: array<string, array>, mail_error: ?array}
 */
function fcwh_watch_state_fresh(): array {
	global $wpdb;
	$raw = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", FCWH_OPTION_WEBHOOK_WATCH ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	return fcwh_normalize_watch_state( null === $raw ? array() : maybe_unserialize( $raw ) );
}

/**
 * The state with every key present.
 *
 * @since 0.1.0
 *
 * @param mixed $state What the option held.
 */
function fcwh_normalize_watch_state( $state ): array {
	$state = is_array( $state ) ? $state : array();
	return array(
		'webhooks'   => isset( $state['webhooks'] ) && is_array( $state['webhooks'] ) ? $state['webhooks'] : array(),
		'mail_error' => isset( $state['mail_error'] ) && is_array( $state['mail_error'] ) ? $state['mail_error'] : null,
	);
}

/**
 * Saves the state (autoloaded).
 *
 * @since 0.1.0
 *
 * @param array $state The state.
 */
function fcwh_save_watch_state( array $state ): void {
	// This request's copy of the options may predate another request's write: compare with the database.
	wp_cache_delete( 'alloptions', 'options' );
	wp_cache_delete( FCWH_OPTION_WEBHOOK_WATCH, 'options' );
	update_option( FCWH_OPTION_WEBHOOK_WATCH, $state, true );
}

/**
 * A webhook as the notices, mails and actions get it: the sidecar's object without its secret.
 *
 * @since 0.1.0
 *
 * @param mixed $webhook A webhook from the sidecar (array or decoded object).
 * @return array|null Null when it is not a webhook.
 */
function fcwh_public_webhook( $webhook ): ?array {
	if ( is_object( $webhook ) ) {
		$webhook = json_decode( (string) wp_json_encode( $webhook ), true );
	}
	if ( ! is_array( $webhook ) || ! isset( $webhook['id'], $webhook['status'] ) || ! is_numeric( $webhook['id'] ) ) {
		return null;
	}
	unset( $webhook['secret'] );
	return $webhook;
}

/**
 * Why a webhook failed, in words, from its last delivery and its failure count.
 *
 * @since 0.1.0
 *
 * @param array $webhook A public webhook.
 */
function fcwh_failure_reason( array $webhook ): string {
	$last     = isset( $webhook['last_delivery'] ) && is_array( $webhook['last_delivery'] ) ? $webhook['last_delivery'] : array();
	$code     = (int) ( $last['response_code'] ?? 0 );
	$failures = (int) ( $webhook['consecutive_failures'] ?? 0 );
	if ( 410 === $code ) {
		return __( 'its endpoint answered 410 Gone, which tells senders to stop', 'fluentcrm-webhooks' );
	}
	if ( $failures > 0 ) {
		/* translators: %d: number of deliveries */
		$reason = sprintf( _n( '%d delivery in a row failed after all its retries', '%d deliveries in a row failed after all their retries', $failures, 'fluentcrm-webhooks' ), $failures );
		if ( $code > 0 ) {
			/* translators: %d: HTTP status code */
			$reason .= ' ' . sprintf( __( '(last answer: HTTP %d)', 'fluentcrm-webhooks' ), $code );
		}
		return $reason;
	}
	return __( 'the sidecar marked it failed', 'fluentcrm-webhooks' );
}

/**
 * Takes the watch lock, waiting a few seconds for a comparison another request is making.
 *
 * @since 0.1.0
 */
function fcwh_acquire_watch_lock(): bool {
	global $wpdb;
	$got = $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, %d)', fcwh_lock_key( FCWH_WATCH_LOCK ), FCWH_WATCH_LOCK_WAIT ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	return null === $got || '1' === (string) $got;
}

// ------------------------------------------------------------------------------------------------
// Detection.
// ------------------------------------------------------------------------------------------------

/**
 * The cron's check: lists the webhooks and compares. Hooked on the every-minute cron hook.
 *
 * @since 0.1.0
 */
function fcwh_check_webhook_statuses(): void {
	if ( ! fcwh_settings()['configured'] || fcwh_sidecar_backoff_active() ) {
		return;
	}
	$result = fcwh_sidecar_request( 'GET', '/v2/webhooks', null, array(), array( 'timeout' => FCWH_WATCH_TIMEOUT ) );
	if ( 200 !== $result['status'] || ! isset( $result['body']['webhooks'] ) || ! is_array( $result['body']['webhooks'] ) ) {
		return; // Nothing known: compare next time rather than guess.
	}
	fcwh_observe_webhooks( $result['body']['webhooks'], true );
}

/**
 * Compares webhooks with what was last seen, records the transitions, sends the mails that are
 * due and fires the actions.
 *
 * @since 0.1.0
 *
 * @param array $webhooks Webhooks as the sidecar gives them.
 * @param bool  $complete Whether this is the whole list (webhooks missing from it were deleted).
 * @param bool  $mail     Whether mails may go out (false: record only, e.g. a failure first seen
 *                        while someone is re-activating the webhook).
 */
function fcwh_observe_webhooks( array $webhooks, bool $complete, bool $mail = true ): void {
	if ( ! fcwh_acquire_watch_lock() ) {
		return; // Another request is comparing; whatever it misses, the next check finds.
	}
	$actions = array();
	try {
		$state  = fcwh_watch_state_fresh();
		$before = $state;
		$now    = time();
		$seen   = array();
		$mails  = array();
		foreach ( $webhooks as $candidate ) {
			$webhook = fcwh_public_webhook( $candidate );
			if ( null === $webhook ) {
				continue;
			}
			$key          = (string) (int) $webhook['id'];
			$seen[ $key ] = true;
			$entry        = fcwh_watch_entry( $state['webhooks'][ $key ] ?? null, $webhook );
			$status       = (string) $webhook['status'];
			if ( FCWH_WEBHOOK_FAILED === $status ) {
				if ( FCWH_WEBHOOK_FAILED !== $entry['status'] ) {
					$entry['failed_at']    = $now;
					$entry['mailed']       = false;
					$entry['recovered_at'] = 0;
					$actions[]             = array( 'fcwh_webhook_failed', $webhook );
				}
				$entry['reason'] = fcwh_failure_reason( $webhook );
			} elseif ( FCWH_WEBHOOK_FAILED === $entry['status'] ) {
				if ( FCWH_WEBHOOK_ACTIVE === $status ) {
					$entry['recovered_at'] = $now;
					$actions[]             = array( 'fcwh_webhook_recovered', $webhook );
					if ( $entry['mailed'] && $mail ) {
						$mails[] = array( 'recovered', $webhook, $entry );
					}
				}
				// Set inactive by hand: no longer failed, and not a recovery either.
				$entry['failed_at'] = 0;
				$entry['mailed']    = false;
			}
			$entry['status'] = $status;
			$entry['name']   = (string) ( $webhook['name'] ?? '' );
			$entry['url']    = (string) ( $webhook['url'] ?? '' );
			$entry['held']   = (int) ( $webhook['held_deliveries'] ?? 0 );

			$state['webhooks'][ $key ] = $entry;
		}
		if ( $complete ) {
			$state['webhooks'] = array_intersect_key( $state['webhooks'], $seen );
		}
		if ( $mail ) {
			foreach ( $state['webhooks'] as $key => $entry ) {
				if ( FCWH_WEBHOOK_FAILED === $entry['status'] && ! $entry['mailed'] && $now - (int) $entry['mailed_at'] >= FCWH_FAILURE_MAIL_INTERVAL ) {
					$state['webhooks'][ $key ]['mailed']    = true;
					$state['webhooks'][ $key ]['mailed_at'] = $now;
					$mails[] = array( 'failed', null, $state['webhooks'][ $key ] );
				}
			}
		}
		foreach ( $mails as list( $kind, $webhook, $entry ) ) {
			$error = fcwh_send_webhook_mail( $kind, $entry, $webhook );
			if ( null !== $error ) {
				$state['mail_error'] = array(
					'message'   => $error,
					'at'        => $now,
					'recipient' => fcwh_notification_recipient(),
				);
			} elseif ( null !== $state['mail_error'] ) {
				$state['mail_error'] = null; // Mail works again.
			}
		}
		if ( $state !== $before || false === get_option( FCWH_OPTION_WEBHOOK_WATCH ) ) {
			fcwh_save_watch_state( $state ); // A listing that changed nothing writes nothing.
		}
	} finally {
		fcwh_release_lock( FCWH_WATCH_LOCK );
	}
	foreach ( $actions as list( $hook, $webhook ) ) {
		if ( 'fcwh_webhook_failed' === $hook ) {
			/**
			 * Fires once when a webhook turns `failed` (found by the cron's comparison or the REST
			 * proxy's), whether or not a mail went out.
			 *
			 * @since 0.1.0
			 *
			 * @param array $webhook The webhook as the sidecar lists it, without its secret: id,
			 *                       name, url, status, consecutive_failures, last_delivery,
			 *                       held_deliveries...
			 */
			do_action( 'fcwh_webhook_failed', $webhook );
		} else {
			/**
			 * Fires once when a failed webhook is active again (re-activated through the plugin,
			 * or anywhere else: then found by the cron's comparison).
			 *
			 * @since 0.1.0
			 *
			 * @param array $webhook The webhook now (status `active`), without its secret.
			 */
			do_action( 'fcwh_webhook_recovered', $webhook );
		}
	}
}

/**
 * One webhook's entry in the state, with every key present.
 *
 * @since 0.1.0
 *
 * @param mixed $entry   The stored entry, or null for a webhook not seen before.
 * @param array $webhook The webhook now.
 */
function fcwh_watch_entry( $entry, array $webhook ): array {
	$entry = is_array( $entry ) ? $entry : array();
	return array(
		'id'           => (int) $webhook['id'],
		'status'       => isset( $entry['status'] ) ? (string) $entry['status'] : '',
		'name'         => (string) ( $entry['name'] ?? '' ),
		'url'          => (string) ( $entry['url'] ?? '' ),
		'held'         => (int) ( $entry['held'] ?? 0 ),
		'reason'       => (string) ( $entry['reason'] ?? '' ),
		'failed_at'    => (int) ( $entry['failed_at'] ?? 0 ),
		'mailed'       => ! empty( $entry['mailed'] ),
		'mailed_at'    => (int) ( $entry['mailed_at'] ?? 0 ),
		'recovered_at' => (int) ( $entry['recovered_at'] ?? 0 ),
	);
}

/**
 * Whether a REST request is a call of the proxy that changes one webhook's status to active, and
 * which webhook.
 *
 * @since 0.1.0
 *
 * @param mixed           $handler The matched handler.
 * @param WP_REST_Request $request The request.
 * @return int|null The webhook id, or null.
 */
function fcwh_proxy_reactivation_target( $handler, WP_REST_Request $request ): ?int {
	if ( ! is_array( $handler ) || 'fcwh_rest_proxy' !== ( $handler['callback'] ?? null ) ) {
		return null;
	}
	if ( ! in_array( $request->get_method(), array( 'PUT', 'PATCH' ), true ) ) {
		return null;
	}
	$base = '/' . FCWH_REST_NAMESPACE . '/' . FCWH_REST_BASE;
	if ( ! preg_match( '#^' . preg_quote( $base, '#' ) . '/(\d+)$#', $request->get_route(), $match ) ) {
		return null;
	}
	$body   = json_decode( (string) $request->get_body(), true );
	$status = is_array( $body ) && isset( $body['status'] ) ? $body['status'] : $request->get_param( 'status' );
	return FCWH_WEBHOOK_ACTIVE === $status ? (int) $match[1] : null;
}

/**
 * Before the proxy re-activates a webhook: makes sure its failure is on record, so the answer can
 * be recognised as a recovery (a failure the cron has not seen yet is recorded now, without a
 * mail: the person re-activating it knows). Hooked on `rest_request_before_callbacks`.
 *
 * @since 0.1.0
 *
 * @param mixed           $response A response a previous filter produced, or null.
 * @param mixed           $handler  The matched handler.
 * @param WP_REST_Request $request  The request.
 */
function fcwh_watch_proxy_request( $response, $handler, $request ): void {
	if ( null !== $response || ! $request instanceof WP_REST_Request ) {
		return;
	}
	$id = fcwh_proxy_reactivation_target( $handler, $request );
	if ( null === $id ) {
		return;
	}
	$known = fcwh_watch_state_fresh()['webhooks'][ (string) $id ] ?? null;
	if ( is_array( $known ) && FCWH_WEBHOOK_FAILED === ( $known['status'] ?? '' ) ) {
		return;
	}
	$current = fcwh_sidecar_request( 'GET', '/v2/webhooks/' . $id, null, array(), array( 'timeout' => FCWH_WATCH_LOOKUP_TIMEOUT ) );
	$webhook = 200 === $current['status'] && isset( $current['body']['webhook'] ) ? $current['body']['webhook'] : null;
	if ( is_array( $webhook ) && FCWH_WEBHOOK_FAILED === ( $webhook['status'] ?? '' ) ) {
		fcwh_observe_webhooks( array( $webhook ), false, false );
	}
}

/**
 * After the proxy answered: a re-activation, or a full listing, is compared with what was seen.
 * Hooked on `rest_request_after_callbacks`.
 *
 * @since 0.1.0
 *
 * @param mixed           $response The response.
 * @param mixed           $handler  The matched handler.
 * @param WP_REST_Request $request  The request.
 */
function fcwh_watch_proxy_response( $response, $handler, $request ): void {
	if ( ! $response instanceof WP_REST_Response || 200 !== $response->get_status() || ! $request instanceof WP_REST_Request ) {
		return;
	}
	if ( null !== fcwh_proxy_reactivation_target( $handler, $request ) ) {
		$data    = json_decode( (string) wp_json_encode( $response->get_data() ), true );
		$webhook = is_array( $data ) && isset( $data['webhook'] ) ? $data['webhook'] : null;
		if ( is_array( $webhook ) ) {
			fcwh_observe_webhooks( array( $webhook ), false );
		}
		return;
	}
	// The whole list (no query passed on to the sidecar), so a webhook missing from it was deleted.
	$listing = is_array( $handler ) && 'fcwh_rest_proxy' === ( $handler['callback'] ?? null ) && 'GET' === $request->get_method()
		&& '/' . FCWH_REST_NAMESPACE . '/' . FCWH_REST_BASE === untrailingslashit( $request->get_route() )
		&& array() === fcwh_proxy_query( $request );
	if ( $listing ) {
		$data = json_decode( (string) wp_json_encode( $response->get_data() ), true );
		if ( is_array( $data ) && isset( $data['webhooks'] ) && is_array( $data['webhooks'] ) ) {
			fcwh_observe_webhooks( $data['webhooks'], true );
		}
	}
}

// ------------------------------------------------------------------------------------------------
// Mail.
// ------------------------------------------------------------------------------------------------

/**
 * Sends one failure or recovery mail.
 *
 * @since 0.1.0
 *
 * @param string     $kind    `failed` or `recovered`.
 * @param array      $entry   The webhook's watch entry.
 * @param array|null $webhook The webhook now, when known.
 * @return string|null Why it could not be sent, or null when wp_mail() took it.
 */
function fcwh_send_webhook_mail( string $kind, array $entry, ?array $webhook ): ?string {
	$site      = wp_specialchars_decode( (string) get_option( 'blogname' ), ENT_QUOTES );
	$name      = '' !== $entry['name'] ? $entry['name'] : sprintf( '#%d', $entry['id'] );
	$screen    = fcwh_webhooks_screen_url();
	$settings  = fcwh_notification_settings_url();
	$recipient = fcwh_notification_recipient();
	$held      = null !== $webhook ? (int) ( $webhook['held_deliveries'] ?? $entry['held'] ) : $entry['held'];
	if ( 'failed' === $kind ) {
		/* translators: 1: site name, 2: webhook name */
		$subject = sprintf( __( '[%1$s] Outgoing webhook “%2$s” has failed', 'fluentcrm-webhooks' ), $site, $name );
		$lines   = array(
			/* translators: 1: webhook name, 2: its URL, 3: site URL */
			sprintf( __( 'The outgoing webhook “%1$s” (%2$s) on %3$s has failed: it no longer sends anything.', 'fluentcrm-webhooks' ), $name, $entry['url'], home_url( '/' ) ),
			'',
			/* translators: %s: why it failed */
			sprintf( __( 'Why: %s.', 'fluentcrm-webhooks' ), $entry['reason'] ),
			/* translators: %s: date and time */
			sprintf( __( 'Seen failed: %s.', 'fluentcrm-webhooks' ), fcwh_notice_time( $entry['failed_at'] ) ),
			/* translators: %s: number of events */
			sprintf( _n( 'Held: %s event is kept and will be sent once the webhook is active again.', 'Held: %s events are kept and will be sent once the webhook is active again.', $held, 'fluentcrm-webhooks' ), number_format_i18n( $held ) ),
			'',
			__( 'Fix the receiving endpoint, then re-activate the webhook (“Re-activate and send the held events”) here:', 'fluentcrm-webhooks' ),
			$screen,
			'',
			__( 'You get at most one failure email per webhook a day; wp-admin shows a notice until it is dismissed.', 'fluentcrm-webhooks' ),
		);
	} else {
		/* translators: 1: site name, 2: webhook name */
		$subject = sprintf( __( '[%1$s] Outgoing webhook “%2$s” is active again', 'fluentcrm-webhooks' ), $site, $name );
		$lines   = array(
			/* translators: 1: webhook name, 2: its URL, 3: site URL */
			sprintf( __( 'The outgoing webhook “%1$s” (%2$s) on %3$s is active again: it was re-activated and sends its events.', 'fluentcrm-webhooks' ), $name, $entry['url'], home_url( '/' ) ),
			'',
			/* translators: 1: date and time it failed, 2: date and time it was re-activated */
			sprintf( __( 'It had failed at %1$s and was re-activated at %2$s; what it held is being sent now.', 'fluentcrm-webhooks' ), fcwh_notice_time( $entry['failed_at'] ), fcwh_notice_time( time() ) ),
			'',
			$screen,
			'',
			__( 'Should it fail again within a day of the last failure email, wp-admin shows it at once and the email follows when the day is over.', 'fluentcrm-webhooks' ),
		);
	}
	/* translators: %s: URL of the settings screen */
	$lines[] = sprintf( __( 'Where these emails go is set on the plugin’s settings screen: %s', 'fluentcrm-webhooks' ), $settings );

	$failure = null;
	$catch   = static function ( $error ) use ( &$failure ) {
		$failure = $error instanceof WP_Error ? $error->get_error_message() : __( 'wp_mail() failed', 'fluentcrm-webhooks' );
	};
	add_action( 'wp_mail_failed', $catch );
	$sent = wp_mail( $recipient, $subject, implode( "\n", $lines ) . "\n" );
	remove_action( 'wp_mail_failed', $catch );
	if ( $sent ) {
		return null;
	}
	return null !== $failure && '' !== $failure ? $failure : __( 'wp_mail() could not send it', 'fluentcrm-webhooks' );
}

/**
 * A time for the notices and mails, in the site's format and timezone.
 *
 * @since 0.1.0
 *
 * @param int $timestamp Unix time.
 */
function fcwh_notice_time( int $timestamp ): string {
	return wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $timestamp > 0 ? $timestamp : time() );
}

/**
 * The Outgoing Webhooks screen.
 *
 * @since 0.1.0
 */
function fcwh_webhooks_screen_url(): string {
	return function_exists( 'fcwh_admin_page_url' ) ? fcwh_admin_page_url() : admin_url( 'admin.php?page=fcwh-webhooks' );
}

/**
 * The settings tab.
 *
 * @since 0.1.0
 */
function fcwh_notification_settings_url(): string {
	return function_exists( 'fcwh_admin_page_url' ) ? fcwh_admin_page_url( 'settings' ) : admin_url( 'admin.php?page=fcwh-webhooks&tab=settings' );
}

// ------------------------------------------------------------------------------------------------
// The admin notice and its dismissal.
// ------------------------------------------------------------------------------------------------

/**
 * The notices to show now: failures, and recoveries of the last day, each with its key (a new
 * failure of the same webhook has a new key, so it shows again after an earlier one was dismissed).
 *
 * @since 0.1.0
 *
 * @param array $state The watch state.
 * @return array{failed: array<string, array>, recovered: array<string, array>} key => entry.
 */
function fcwh_current_webhook_notices( array $state ): array {
	$notices = array(
		'failed'    => array(),
		'recovered' => array(),
	);
	foreach ( $state['webhooks'] as $stored ) {
		$entry = fcwh_watch_entry( $stored, array( 'id' => (int) ( $stored['id'] ?? 0 ) ) );
		if ( FCWH_WEBHOOK_FAILED === $entry['status'] && $entry['failed_at'] > 0 ) {
			$notices['failed'][ 'failed-' . $entry['id'] . '-' . $entry['failed_at'] ] = $entry;
		} elseif ( FCWH_WEBHOOK_ACTIVE === $entry['status'] && $entry['recovered_at'] > 0 && time() - $entry['recovered_at'] < FCWH_RECOVERY_NOTICE_TTL ) {
			$notices['recovered'][ 'recovered-' . $entry['id'] . '-' . $entry['recovered_at'] ] = $entry;
		}
	}
	return $notices;
}

/**
 * The notice keys a user dismissed.
 *
 * @since 0.1.0
 *
 * @param int $user_id User.
 * @return string[]
 */
function fcwh_dismissed_notice_keys( int $user_id ): array {
	$keys = get_user_meta( $user_id, FCWH_USER_META_DISMISSED, true );
	return is_array( $keys ) ? array_values( array_filter( $keys, 'is_string' ) ) : array();
}

/**
 * Prints the notices for users who manage webhooks. Hooked on `admin_notices`. Costs no HTTP
 * call: it reads what the last comparison saved.
 *
 * @since 0.1.0
 */
function fcwh_render_webhook_notices(): void {
	if ( ! fcwh_current_user_can_manage() ) {
		return;
	}
	$state     = fcwh_watch_state();
	$notices   = fcwh_current_webhook_notices( $state );
	$dismissed = array_flip( fcwh_dismissed_notice_keys( get_current_user_id() ) );
	$failed    = array_diff_key( $notices['failed'], $dismissed );
	$recovered = array_diff_key( $notices['recovered'], $dismissed );
	if ( ! $failed && ! $recovered ) {
		return;
	}
	$GLOBALS['fcwh_webhook_notices_shown'] = true;
	$nonce                                 = wp_create_nonce( FCWH_DISMISS_NOTICE_ACTION );
	$screen                                = fcwh_webhooks_screen_url();
	if ( $failed ) {
		fcwh_print_webhook_notice( 'failed', $failed, $nonce, $screen, $state['mail_error'] );
	}
	if ( $recovered ) {
		fcwh_print_webhook_notice( 'recovered', $recovered, $nonce, $screen, null );
	}
}

/**
 * Prints one notice (failures, or recoveries).
 *
 * @since 0.1.0
 *
 * @param string     $kind       `failed` or `recovered`.
 * @param array      $entries    Notice key => entry.
 * @param string     $nonce      The dismissal nonce.
 * @param string     $screen     URL of the webhooks screen.
 * @param array|null $mail_error The last mail failure, if any.
 */
function fcwh_print_webhook_notice( string $kind, array $entries, string $nonce, string $screen, ?array $mail_error ): void {
	$keys    = implode( ',', array_keys( $entries ) );
	$dismiss = wp_nonce_url(
		add_query_arg(
			array(
				'action'  => FCWH_DISMISS_NOTICE_ACTION,
				'notices' => $keys,
			),
			admin_url( 'admin-post.php' )
		),
		FCWH_DISMISS_NOTICE_ACTION
	);
	$class   = 'failed' === $kind ? 'notice-error' : 'notice-success';
	?>
	<div class="notice <?php echo esc_attr( $class ); ?> is-dismissible fcwh-webhook-notice" id="<?php echo esc_attr( 'fcwh-webhook-' . $kind . '-notice' ); ?>"
		data-fcwh-notices="<?php echo esc_attr( $keys ); ?>" data-fcwh-nonce="<?php echo esc_attr( $nonce ); ?>">
		<p><strong><?php esc_html_e( 'FluentCRM Webhooks:', 'fluentcrm-webhooks' ); ?></strong>
			<?php
			echo esc_html(
				'failed' === $kind
					? _n( 'a webhook has failed and stopped sending; its events are held until it is re-activated.', 'webhooks have failed and stopped sending; their events are held until they are re-activated.', count( $entries ), 'fluentcrm-webhooks' )
					: _n( 'a webhook that had failed is active again.', 'webhooks that had failed are active again.', count( $entries ), 'fluentcrm-webhooks' )
			);
			?>
		</p>
		<ul class="fcwh-webhook-notice-list">
			<?php foreach ( $entries as $key => $entry ) : ?>
				<li data-fcwh-notice="<?php echo esc_attr( $key ); ?>">
					<?php
					$name = '' !== $entry['name'] ? $entry['name'] : sprintf( '#%d', $entry['id'] );
					if ( 'failed' === $kind ) {
						echo esc_html(
							sprintf(
								/* translators: 1: webhook name, 2: its URL, 3: why, 4: date and time, 5: number of held events */
								_n( '“%1$s” (%2$s): %3$s; failed since %4$s, %5$s event held.', '“%1$s” (%2$s): %3$s; failed since %4$s, %5$s events held.', $entry['held'], 'fluentcrm-webhooks' ),
								$name,
								$entry['url'],
								$entry['reason'],
								fcwh_notice_time( $entry['failed_at'] ),
								number_format_i18n( $entry['held'] )
							)
						);
					} else {
						echo esc_html(
							sprintf(
								/* translators: 1: webhook name, 2: its URL, 3: date and time */
								__( '“%1$s” (%2$s): re-activated at %3$s; what it held is being sent.', 'fluentcrm-webhooks' ),
								$name,
								$entry['url'],
								fcwh_notice_time( $entry['recovered_at'] )
							)
						);
					}
					?>
				</li>
			<?php endforeach; ?>
		</ul>
		<?php if ( null !== $mail_error ) : ?>
			<p class="fcwh-webhook-notice-mail-error">
				<?php
				echo esc_html(
					sprintf(
						/* translators: 1: email address, 2: error message */
						__( 'The notification email to %1$s could not be sent: %2$s. Check the site’s mail setup (an SMTP plugin), or the address on the settings screen.', 'fluentcrm-webhooks' ),
						(string) ( $mail_error['recipient'] ?? '' ),
						(string) ( $mail_error['message'] ?? '' )
					)
				);
				?>
			</p>
		<?php endif; ?>
		<p>
			<a href="<?php echo esc_url( $screen ); ?>"><?php echo esc_html( 'failed' === $kind ? __( 'Review and re-activate', 'fluentcrm-webhooks' ) : __( 'Open Outgoing Webhooks', 'fluentcrm-webhooks' ) ); ?></a>
			|
			<a href="<?php echo esc_url( $dismiss ); ?>" class="fcwh-webhook-notice-dismiss"><?php esc_html_e( 'Dismiss', 'fluentcrm-webhooks' ); ?></a>
		</p>
	</div>
	<?php
}

/**
 * The script that remembers a dismissal made with the notice's × button. Printed in the footer
 * of pages that showed a notice. Hooked on `admin_footer`.
 *
 * @since 0.1.0
 */
function fcwh_print_webhook_notice_script(): void {
	if ( empty( $GLOBALS['fcwh_webhook_notices_shown'] ) ) {
		return;
	}
	$script = sprintf(
		"document.addEventListener('click', function (event) {\n"
		. "\tvar button = event.target.closest ? event.target.closest('.fcwh-webhook-notice .notice-dismiss') : null;\n"
		. "\tif (!button) { return; }\n"
		. "\tvar notice = button.closest('.fcwh-webhook-notice');\n"
		. "\tvar body = new URLSearchParams({action: %s, notices: notice.getAttribute('data-fcwh-notices'), _ajax_nonce: notice.getAttribute('data-fcwh-nonce')});\n"
		. "\tfetch(%s, {method: 'POST', credentials: 'same-origin', body: body});\n"
		. '});',
		wp_json_encode( FCWH_DISMISS_NOTICE_ACTION ),
		wp_json_encode( admin_url( 'admin-ajax.php' ) )
	);
	wp_print_inline_script_tag( $script, array( 'id' => 'fcwh-webhook-notice-dismissal' ) );
}

/**
 * Remembers that the current user dismissed these notices. Keys of notices no longer shown are
 * forgotten, so the list stays small.
 *
 * @since 0.1.0
 *
 * @param mixed $requested Comma-separated notice keys.
 * @return string[] The keys now dismissed.
 */
function fcwh_dismiss_webhook_notices( $requested ): array {
	$current = fcwh_current_webhook_notices( fcwh_watch_state() );
	$live    = array_merge( array_keys( $current['failed'] ), array_keys( $current['recovered'] ) );
	$asked   = array_filter(
		array_map( 'trim', explode( ',', is_string( $requested ) ? $requested : '' ) ),
		static function ( $key ) {
			return (bool) preg_match( '/^(failed|recovered)-\d+-\d+$/', $key );
		}
	);
	$user_id = get_current_user_id();
	$kept    = array_values( array_unique( array_intersect( array_merge( fcwh_dismissed_notice_keys( $user_id ), $asked ), $live ) ) );
	update_user_meta( $user_id, FCWH_USER_META_DISMISSED, $kept );
	return $kept;
}

/**
 * `wp_ajax_fcwh_dismiss_webhook_notice`: the × button.
 *
 * @since 0.1.0
 */
function fcwh_ajax_dismiss_webhook_notices(): void {
	check_ajax_referer( FCWH_DISMISS_NOTICE_ACTION );
	if ( ! fcwh_current_user_can_manage() ) {
		wp_send_json_error( null, 403 );
	}
	$notices = isset( $_POST['notices'] ) ? sanitize_text_field( wp_unslash( $_POST['notices'] ) ) : '';
	wp_send_json_success( array( 'dismissed' => fcwh_dismiss_webhook_notices( $notices ) ) );
}

/**
 * `admin_post_fcwh_dismiss_webhook_notice`: the notice's "Dismiss" link (works without
 * JavaScript), then back to the page it was on.
 *
 * @since 0.1.0
 */
function fcwh_admin_post_dismiss_webhook_notices(): void {
	check_admin_referer( FCWH_DISMISS_NOTICE_ACTION );
	if ( ! fcwh_current_user_can_manage() ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to manage outgoing webhooks.', 'fluentcrm-webhooks' ), 403 );
	}
	$notices = isset( $_GET['notices'] ) ? sanitize_text_field( wp_unslash( $_GET['notices'] ) ) : '';
	fcwh_dismiss_webhook_notices( $notices );
	wp_safe_redirect( wp_get_referer() ? wp_get_referer() : admin_url() );
	exit;
}

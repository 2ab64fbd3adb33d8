<?php
/**
 * The settings tab: sidecar URL and token (read-only when wp-config.php sets them), a live
 * connection check, and the outbox (events waiting in WordPress for the sidecar), with the
 * "Retry set-aside events" action.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// The admin-post.php action (and nonce action) of "Retry set-aside events".
const FCWH_ADMIN_RETRY_SET_ASIDE_ACTION = 'fcwh_retry_set_aside';

/**
 * The outbox figures, with times as unix timestamps (null when none).
 *
 * @since 0.1.0
 *
 * @return array{count: int, oldest: ?int, last_flush: ?int, rejected: int, set_aside: int, set_aside_error: string}
 */
function fcwh_admin_outbox_figures(): array {
	$stats = function_exists( 'fcwh_outbox_stats' ) ? (array) fcwh_outbox_stats() : array();
	return array(
		'count'           => (int) ( $stats['count'] ?? 0 ),
		'oldest'          => fcwh_admin_to_timestamp( $stats['oldest'] ?? null ),
		'last_flush'      => fcwh_admin_to_timestamp( $stats['last_flush'] ?? null ),
		'rejected'        => (int) ( $stats['rejected'] ?? 0 ),
		'set_aside'       => (int) ( $stats['set_aside'] ?? 0 ),
		'set_aside_error' => (string) ( $stats['set_aside_error'] ?? '' ),
	);
}

/**
 * A time given as a unix timestamp or a date string (MySQL dates are UTC here) as a timestamp.
 *
 * @since 0.1.0
 *
 * @param mixed $value Timestamp, date string, or empty.
 */
function fcwh_admin_to_timestamp( $value ): ?int {
	if ( empty( $value ) ) {
		return null;
	}
	if ( is_numeric( $value ) ) {
		return (int) $value;
	}
	$timestamp = strtotime( (string) $value . ( preg_match( '/[zZ]|[+-]\d\d:?\d\d$/', (string) $value ) ? '' : ' UTC' ) );
	return false === $timestamp ? null : $timestamp;
}

/**
 * A timestamp in the site's date and time format, or "never".
 *
 * @since 0.1.0
 *
 * @param ?int $timestamp Unix time.
 */
function fcwh_admin_format_time( ?int $timestamp ): string {
	if ( null === $timestamp ) {
		return __( 'never', 'fluentcrm-webhooks' );
	}
	return wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $timestamp );
}

/**
 * Renders the sidecar URL row.
 *
 * @since 0.1.0
 *
 * @param array<string, mixed> $settings From fcwh_admin_current_settings().
 */
function fcwh_admin_render_sidecar_url_row( array $settings ): void {
	?>
	<tr>
		<th scope="row"><label for="fcwh_sidecar_url"><?php esc_html_e( 'Sidecar URL', 'fluentcrm-webhooks' ); ?></label></th>
		<td>
			<?php if ( $settings['sidecar_url_constant'] ) : ?>
				<input type="url" id="fcwh_sidecar_url" class="regular-text code" value="<?php echo esc_attr( $settings['sidecar_url'] ); ?>" readonly aria-describedby="fcwh_sidecar_url-description">
				<p class="description" id="fcwh_sidecar_url-description"><?php esc_html_e( 'Set by the FCWH_SIDECAR_URL constant in wp-config.php; change it there.', 'fluentcrm-webhooks' ); ?></p>
			<?php else : ?>
				<input type="url" id="fcwh_sidecar_url" name="<?php echo esc_attr( FCWH_OPTION_SIDECAR_URL ); ?>" class="regular-text code" value="<?php echo esc_attr( $settings['saved_sidecar_url'] ); ?>" placeholder="<?php echo esc_attr( FCWH_DEFAULT_SIDECAR_URL ); ?>" aria-describedby="fcwh_sidecar_url-description">
				<p class="description" id="fcwh_sidecar_url-description">
					<?php
					/* translators: %s: the default sidecar URL. */
					echo esc_html( sprintf( __( 'Where the FluentCRM Webhooks sidecar listens (the URL its “serve” command prints). Blank means %s.', 'fluentcrm-webhooks' ), FCWH_DEFAULT_SIDECAR_URL ) );
					?>
				</p>
			<?php endif; ?>
		</td>
	</tr>
	<?php
}

/**
 * Renders the API token row: the token itself is never printed, only its last characters.
 *
 * @since 0.1.0
 *
 * @param array<string, mixed> $settings From fcwh_admin_current_settings().
 */
function fcwh_admin_render_api_token_row( array $settings ): void {
	$masked = fcwh_masked_token( $settings['api_token'] );
	?>
	<tr>
		<th scope="row"><label for="fcwh_api_token"><?php esc_html_e( 'API token', 'fluentcrm-webhooks' ); ?></label></th>
		<td>
			<?php if ( $settings['api_token_constant'] ) : ?>
				<input type="text" id="fcwh_api_token" class="regular-text code" value="<?php echo esc_attr( $masked ); ?>" readonly aria-describedby="fcwh_api_token-description">
				<p class="description" id="fcwh_api_token-description"><?php esc_html_e( 'Set by the FCWH_API_TOKEN constant in wp-config.php; change it there.', 'fluentcrm-webhooks' ); ?></p>
			<?php else : ?>
				<input type="password" id="fcwh_api_token" name="<?php echo esc_attr( FCWH_OPTION_API_TOKEN ); ?>" class="regular-text code" value="" autocomplete="new-password" spellcheck="false"
					placeholder="<?php echo esc_attr( $masked ); ?>" aria-describedby="fcwh_api_token-description">
				<p class="description" id="fcwh_api_token-description">
					<?php
					if ( '' !== $settings['api_token'] ) {
						esc_html_e( 'A token is saved (only its last characters are shown). Leave the field blank to keep it, or enter a new one.', 'fluentcrm-webhooks' );
					} else {
						esc_html_e( 'No token saved yet. Enter the sidecar’s token (FCWH_API_TOKEN, or the contents of its fcwh.token file).', 'fluentcrm-webhooks' );
					}
					?>
				</p>
			<?php endif; ?>
		</td>
	</tr>
	<?php
}

/**
 * Renders the outbox figures; the connection check refreshes them in place.
 *
 * @since 0.1.0
 */
function fcwh_admin_render_outbox(): void {
	$outbox = fcwh_admin_outbox_figures();
	?>
	<h2><?php esc_html_e( 'Outbox', 'fluentcrm-webhooks' ); ?></h2>
	<p class="description"><?php esc_html_e( 'Events WordPress keeps while the sidecar cannot be reached; they are sent as soon as it answers again.', 'fluentcrm-webhooks' ); ?></p>
	<table class="form-table fcwh-outbox" role="presentation">
		<tr>
			<th scope="row"><?php esc_html_e( 'Waiting', 'fluentcrm-webhooks' ); ?></th>
			<td id="fcwh-outbox-count">
				<?php
				/* translators: %d: number of events waiting in the outbox. */
				echo esc_html( sprintf( _n( '%d event waiting', '%d events waiting', $outbox['count'], 'fluentcrm-webhooks' ), $outbox['count'] ) );
				?>
			</td>
		</tr>
		<tr>
			<th scope="row"><?php esc_html_e( 'Oldest waiting event', 'fluentcrm-webhooks' ); ?></th>
			<td id="fcwh-outbox-oldest"><?php echo esc_html( fcwh_admin_format_time( $outbox['oldest'] ) ); ?></td>
		</tr>
		<tr>
			<th scope="row"><?php esc_html_e( 'Last flush', 'fluentcrm-webhooks' ); ?></th>
			<td id="fcwh-outbox-last-flush"><?php echo esc_html( fcwh_admin_format_time( $outbox['last_flush'] ) ); ?></td>
		</tr>
		<?php if ( $outbox['rejected'] > 0 ) : ?>
			<tr>
				<th scope="row"><?php esc_html_e( 'Rejected by the sidecar', 'fluentcrm-webhooks' ); ?></th>
				<td>
					<?php
					/* translators: %d: number of events the sidecar refused (kept for inspection, not retried). */
					echo esc_html( sprintf( _n( '%d event refused (kept in the outbox table, not retried)', '%d events refused (kept in the outbox table, not retried)', $outbox['rejected'], 'fluentcrm-webhooks' ), $outbox['rejected'] ) );
					?>
				</td>
			</tr>
		<?php endif; ?>
		<?php if ( $outbox['set_aside'] > 0 ) : ?>
			<tr>
				<th scope="row"><?php esc_html_e( 'Set aside after server errors', 'fluentcrm-webhooks' ); ?></th>
				<td id="fcwh-outbox-set-aside">
					<p>
						<?php
						/* translators: 1: number of events set aside, 2: how many times the sidecar failed on each. */
						echo esc_html( sprintf( _n( '%1$d event set aside: the sidecar failed on it %2$d times while otherwise healthy. It is kept in the outbox table and not retried until you ask.', '%1$d events set aside: the sidecar failed on each %2$d times while otherwise healthy. They are kept in the outbox table and not retried until you ask.', $outbox['set_aside'], 'fluentcrm-webhooks' ), $outbox['set_aside'], FCWH_OUTBOX_MAX_TRIES ) );
						?>
					</p>
					<?php if ( '' !== $outbox['set_aside_error'] ) : ?>
						<p>
							<?php esc_html_e( 'Last error:', 'fluentcrm-webhooks' ); ?>
							<code id="fcwh-outbox-set-aside-error"><?php echo esc_html( $outbox['set_aside_error'] ); ?></code>
						</p>
					<?php endif; ?>
					<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
						<input type="hidden" name="action" value="<?php echo esc_attr( FCWH_ADMIN_RETRY_SET_ASIDE_ACTION ); ?>">
						<?php wp_nonce_field( FCWH_ADMIN_RETRY_SET_ASIDE_ACTION ); ?>
						<?php submit_button( __( 'Retry set-aside events', 'fluentcrm-webhooks' ), 'secondary', 'fcwh-retry-set-aside', false ); ?>
					</form>
					<p class="description"><?php esc_html_e( 'The sidecar’s log says why it failed. Once that is fixed, retrying puts the events back in line; they are sent with the next flush.', 'fluentcrm-webhooks' ); ?></p>
				</td>
			</tr>
		<?php endif; ?>
	</table>
	<?php
}

/**
 * "Retry set-aside events": puts them back in line and returns to the settings tab, which says
 * how many. Hooked on `admin_post_fcwh_retry_set_aside`.
 *
 * @since 0.1.0
 */
function fcwh_admin_handle_retry_set_aside(): void {
	// The settings tab, where the button is, is shown only to those who may manage options.
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'Sorry, you are not allowed to retry set-aside events.', 'fluentcrm-webhooks' ), 403 );
	}
	check_admin_referer( FCWH_ADMIN_RETRY_SET_ASIDE_ACTION );
	$retried = fcwh_outbox_retry_set_aside();
	wp_safe_redirect( add_query_arg( 'fcwh_retried', $retried, fcwh_admin_page_url( 'settings' ) ) );
	exit;
}

/**
 * The notice after "Retry set-aside events".
 *
 * @since 0.1.0
 */
function fcwh_admin_render_retry_notice(): void {
	if ( ! isset( $_GET['fcwh_retried'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification -- a count to display, nothing is changed.
		return;
	}
	$retried = absint( $_GET['fcwh_retried'] ); // phpcs:ignore WordPress.Security.NonceVerification
	$message = 0 === $retried
		? __( 'No events were set aside.', 'fluentcrm-webhooks' )
		/* translators: %d: number of events put back in the outbox's line. */
		: sprintf( _n( '%d set-aside event is back in line; it is sent with the next flush.', '%d set-aside events are back in line; they are sent with the next flush.', $retried, 'fluentcrm-webhooks' ), $retried );
	?>
	<div class="notice notice-success is-dismissible" id="fcwh-retried-notice"><p><?php echo esc_html( $message ); ?></p></div>
	<?php
}

/**
 * Renders the settings tab.
 *
 * @since 0.1.0
 */
function fcwh_admin_render_settings_tab(): void {
	global $parent_file;
	$settings = fcwh_admin_current_settings();
	$editable = ! ( $settings['sidecar_url_constant'] && $settings['api_token_constant'] );

	// Under Settings, WordPress prints these notices itself (options-head.php).
	if ( 'options-general.php' !== $parent_file ) {
		settings_errors();
	}
	fcwh_admin_render_retry_notice();
	?>
	<h2><?php esc_html_e( 'Sidecar connection', 'fluentcrm-webhooks' ); ?></h2>
	<form method="post" action="<?php echo esc_url( admin_url( 'options.php' ) ); ?>" class="fcwh-settings-form">
		<?php settings_fields( FCWH_ADMIN_SETTINGS_GROUP ); ?>
		<table class="form-table" role="presentation">
			<?php
			fcwh_admin_render_sidecar_url_row( $settings );
			fcwh_admin_render_api_token_row( $settings );
			?>
		</table>
		<?php
		if ( $editable ) {
			submit_button( __( 'Save Settings', 'fluentcrm-webhooks' ) );
		}
		?>
	</form>

	<h2><?php esc_html_e( 'Connection check', 'fluentcrm-webhooks' ); ?></h2>
	<p>
		<button type="button" class="button" id="fcwh-check-connection"><?php esc_html_e( 'Check connection', 'fluentcrm-webhooks' ); ?></button>
	</p>
	<div id="fcwh-connection-result" class="fcwh-connection" role="status" aria-live="polite"></div>
	<?php
	fcwh_admin_render_outbox();
	fcwh_admin_render_log_stats();
	fcwh_admin_render_notification_settings();
}

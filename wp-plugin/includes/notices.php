<?php
/**
 * The admin notice shown while events cannot reach the sidecar. It reads what the last call
 * recorded (the plugin talks to the sidecar at least once a minute), so it costs no HTTP call.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Prints the notice for users who manage webhooks, when something needs their action.
 *
 * @since 0.1.0
 */
function fcwh_render_sidecar_notice(): void {
	if ( ! fcwh_current_user_can_manage() ) {
		return;
	}
	$message = fcwh_sidecar_notice_message();
	if ( null === $message ) {
		return;
	}
	printf(
		'<div class="notice notice-error" id="fcwh-sidecar-notice"><p><strong>%1$s</strong> %2$s</p></div>',
		esc_html__( 'FluentCRM Webhooks:', 'fluentcrm-webhooks' ),
		esc_html( $message )
	);
}

/**
 * The notice's text, or null when all is well.
 *
 * @since 0.1.0
 */
function fcwh_sidecar_notice_message(): ?string {
	$settings = fcwh_settings();
	if ( ! $settings['configured'] ) {
		return fcwh_sidecar_not_configured_error()->get_error_message();
	}
	$health = fcwh_sidecar_health();
	if ( $health['ok'] ) {
		return null;
	}
	$waiting = fcwh_outbox_stats()['count'];
	$text    = $health['message'];
	if ( $waiting > 0 ) {
		$text .= ' ' . sprintf(
			/* translators: %d: number of events */
			_n( '%d event is waiting in the outbox and will be sent automatically.', '%d events are waiting in the outbox and will be sent automatically.', $waiting, 'fluentcrm-webhooks' ),
			$waiting
		);
	}
	return $text;
}

<?php
/**
 * The admin notice shown while events cannot reach the sidecar. It reads what the last call
 * recorded (the plugin talks to the sidecar at least once a minute), so a healthy site pays no
 * HTTP call; a recorded outage is asked again first (fcwh_sidecar_health_rechecked()), so a stale
 * one from before the sidecar started is not shown. Worded for a site owner, not a developer.
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
	$settings_link = current_user_can( 'manage_options' ) && function_exists( 'fcwh_admin_page_url' )
		? sprintf( ' <a href="%1$s">%2$s</a>', esc_url( fcwh_admin_page_url( 'settings' ) ), esc_html__( 'Open the settings', 'fluentcrm-webhooks' ) )
		: '';
	printf(
		'<div class="notice notice-error" id="fcwh-sidecar-notice"><p><strong>%1$s</strong> %2$s%3$s</p></div>',
		esc_html__( 'FluentCRM Webhooks:', 'fluentcrm-webhooks' ),
		esc_html( $message ),
		$settings_link // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
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
		return __( 'Webhooks are not connected yet: enter the sidecar\'s address and API token in the plugin\'s settings (the sidecar prints where its token is when it starts).', 'fluentcrm-webhooks' );
	}
	$health = fcwh_sidecar_health_rechecked();
	if ( $health['ok'] ) {
		return null;
	}
	$waiting = fcwh_outbox_stats()['count'];
	$text    = fcwh_sidecar_plain_problem( $health, $settings['sidecar_url'] );
	if ( $waiting > 0 ) {
		$text .= ' ' . sprintf(
			/* translators: %d: number of events */
			_n( 'Nothing is lost: %d event is waiting here and will be sent once the sidecar answers.', 'Nothing is lost: %d events are waiting here and will be sent once the sidecar answers.', $waiting, 'fluentcrm-webhooks' ),
			$waiting
		);
	} else {
		$text .= ' ' . __( 'Nothing is lost: new events wait here and are sent once the sidecar answers.', 'fluentcrm-webhooks' );
	}
	return $text;
}

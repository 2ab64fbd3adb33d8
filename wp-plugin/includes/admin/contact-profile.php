<?php
/**
 * "Webhook deliveries" in FluentCRM's contact profile: the deliveries about the contact (event,
 * webhook, status, time), each with Redeliver.
 *
 * FluentCRM's extension point (the same in 2.9.65 and 2.9.84): `FluentCrmApi('extender')->
 * addProfileSection( $key, $title, $callback )` adds a tab to the profile (filter
 * `fluentcrm_profile_sections`, read into `window.fcAdmin.profile_sections` when FluentCRM's
 * screen loads). Opening the tab makes FluentCRM's screen call its REST route
 * `GET /fluent-crm/v2/subscribers/{id}/external_view?section_provider={key}` (permission
 * `fcrm_read_contacts`), which passes `['heading' => '', 'content_html' => '']` and the contact
 * (a Subscriber model) to the callback (through the filter `fluencrm_profile_section_{key}`, sic)
 * and shows `content_html` with Vue's v-html: scripts in it never run. So the section is plain
 * HTML rendered here, and the Redeliver buttons are handled by assets/js/contact-profile.js,
 * loaded on FluentCRM's screen, listening on the document.
 *
 * Redeliver goes through the plugin's own REST proxy
 * (`POST /wp-json/fluent-crm/v2/outgoing-webhooks/{id}/deliveries/{delivery_id}/redeliver`, with
 * the REST nonce and fcwh_rest_permission_check()), exactly as the webhooks screen does. The
 * section is only offered to users who may manage webhooks.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_PROFILE_SECTION_KEY = 'fcwh_deliveries';
const FCWH_PROFILE_PER_PAGE    = 50;
const FCWH_PROFILE_TIMEOUT     = 10;
// FluentCRM's screen: admin.php?page=fluentcrm-admin.
const FCWH_FLUENTCRM_SCREEN_PAGE = 'fluentcrm-admin';

/**
 * Adds the section through FluentCRM's extender API. Hooked on `fluentcrm_loaded` (FluentCRM's
 * API exists from then on).
 *
 * @since 0.1.0
 */
function fcwh_profile_register_section(): void {
	if ( ! function_exists( 'FluentCrmApi' ) ) {
		return;
	}
	try {
		$extender = FluentCrmApi( 'extender' );
	} catch ( Throwable $missing ) {
		return; // A FluentCRM without the extender API: no section, nothing else changes.
	}
	if ( ! is_object( $extender ) ) {
		return;
	}
	$extender->addProfileSection( FCWH_PROFILE_SECTION_KEY, esc_html__( 'Webhook deliveries', 'fluentcrm-webhooks' ), 'fcwh_profile_section_content' );
}

/**
 * Hides the section from users who may not manage webhooks. Hooked on `fluentcrm_profile_sections`
 * after FluentCRM's extender has added it.
 *
 * @since 0.1.0
 *
 * @param mixed $sections The profile sections, key => section.
 * @return mixed
 */
function fcwh_profile_hide_section( $sections ) {
	if ( is_array( $sections ) && isset( $sections[ FCWH_PROFILE_SECTION_KEY ] ) && ! fcwh_current_user_can_manage() ) {
		unset( $sections[ FCWH_PROFILE_SECTION_KEY ] );
	}
	return $sections;
}

/**
 * The section for one contact: FluentCRM's callback.
 *
 * @since 0.1.0
 *
 * @param mixed  $content    `['heading' => '', 'content_html' => '']` from FluentCRM.
 * @param object $subscriber The contact.
 * @return array
 */
function fcwh_profile_section_content( $content, $subscriber ): array {
	$content                 = is_array( $content ) ? $content : array();
	$content['heading']      = __( 'Webhook deliveries', 'fluentcrm-webhooks' );
	$content['content_html'] = fcwh_current_user_can_manage()
		? fcwh_profile_section_html( $subscriber )
		: fcwh_profile_notice_html( __( 'Sorry, you are not allowed to see this contact’s webhook deliveries.', 'fluentcrm-webhooks' ) );
	return $content;
}

/**
 * The section's HTML: the newest deliveries about the contact.
 *
 * @since 0.1.0
 *
 * @param object $subscriber The contact.
 */
function fcwh_profile_section_html( $subscriber ): string {
	$contact_id = is_object( $subscriber ) ? fcwh_int_or_null( $subscriber->id ?? null ) : null;
	$email      = is_object( $subscriber ) ? trim( (string) ( $subscriber->email ?? '' ) ) : '';
	$query      = array( 'per_page' => FCWH_PROFILE_PER_PAGE );
	if ( null !== $contact_id && $contact_id > 0 ) {
		$query['contact_id'] = $contact_id;
	}
	if ( false !== strpos( $email, '@' ) ) {
		$query['email'] = $email;
	}
	if ( ! isset( $query['contact_id'] ) && ! isset( $query['email'] ) ) {
		return fcwh_profile_notice_html( __( 'This contact has neither an id nor an email address to look for.', 'fluentcrm-webhooks' ) );
	}

	$result = fcwh_sidecar_request( 'GET', '/v2/contacts/deliveries', null, $query, array( 'timeout' => FCWH_PROFILE_TIMEOUT ) );
	if ( 200 !== $result['status'] || ! isset( $result['body']['deliveries'] ) || ! is_array( $result['body']['deliveries'] ) ) {
		return fcwh_profile_notice_html(
			/* translators: %s: why the sidecar did not answer */
			sprintf( __( 'The webhook delivery log could not be read: %s', 'fluentcrm-webhooks' ), fcwh_privacy_failure_reason( $result ) )
		);
	}
	$deliveries = array_values( array_filter( $result['body']['deliveries'], 'is_array' ) );
	$total      = isset( $result['body']['pagination']['total'] ) ? (int) $result['body']['pagination']['total'] : count( $deliveries );

	$html  = '<div class="fcwh-profile" data-fcwh-contact="' . esc_attr( (string) $contact_id ) . '">';
	$html .= '<p class="fcwh-profile-intro">' . esc_html__( 'The events about this contact that were sent to outgoing webhooks, newest first.', 'fluentcrm-webhooks' );
	if ( current_user_can( fcwh_admin_menu_capability() ) ) {
		$html .= ' <a href="' . esc_url( fcwh_admin_page_url() ) . '">' . esc_html__( 'Manage webhooks', 'fluentcrm-webhooks' ) . '</a>';
	}
	$html .= '</p>';
	if ( ! $deliveries ) {
		return $html . '<p class="fcwh-profile-empty">' . esc_html__( 'No webhook deliveries about this contact.', 'fluentcrm-webhooks' ) . '</p></div>';
	}

	$webhooks = fcwh_privacy_webhooks();
	$html    .= '<div class="fcwh-profile-table-wrap"><table class="fcwh-profile-table widefat striped"><thead><tr>'
		. '<th scope="col">' . esc_html__( 'Event', 'fluentcrm-webhooks' ) . '</th>'
		. '<th scope="col">' . esc_html__( 'Webhook', 'fluentcrm-webhooks' ) . '</th>'
		. '<th scope="col">' . esc_html__( 'Status', 'fluentcrm-webhooks' ) . '</th>'
		. '<th scope="col">' . esc_html__( 'Time', 'fluentcrm-webhooks' ) . '</th>'
		. '<th scope="col"><span class="screen-reader-text">' . esc_html__( 'Actions', 'fluentcrm-webhooks' ) . '</span></th>'
		. '</tr></thead><tbody>';
	foreach ( $deliveries as $delivery ) {
		$html .= fcwh_profile_row_html( $delivery, $webhooks );
	}
	$html .= '</tbody></table></div>';
	if ( $total > count( $deliveries ) ) {
		$html .= '<p class="fcwh-profile-more">' . esc_html(
			sprintf(
				/* translators: 1: deliveries shown, 2: all deliveries about the contact */
				__( 'The newest %1$d of %2$d deliveries are shown; the older ones are in each webhook’s delivery log.', 'fluentcrm-webhooks' ),
				count( $deliveries ),
				$total
			)
		) . '</p>';
	}
	return $html . '</div>';
}

/**
 * One delivery's row.
 *
 * @since 0.1.0
 *
 * @param array $delivery A delivery of `/v2/contacts/deliveries`.
 * @param array $webhooks fcwh_privacy_webhooks().
 */
function fcwh_profile_row_html( array $delivery, array $webhooks ): string {
	$delivery_id = (int) ( $delivery['id'] ?? 0 );
	$webhook_id  = (int) ( $delivery['webhook_id'] ?? 0 );
	$status      = (string) ( $delivery['status'] ?? '' );
	$time        = (string) ( $delivery['attempted_at'] ?? '' );
	$time        = '' === $time ? (string) ( $delivery['created_at'] ?? '' ) : $time;
	$detail_url  = fcwh_admin_page_url() . '#/webhooks/' . $webhook_id . '/deliveries/' . $delivery_id;
	$code        = isset( $delivery['response_code'] ) ? (int) $delivery['response_code'] : 0;

	$row  = '<tr class="fcwh-profile-delivery" data-fcwh-delivery="' . esc_attr( (string) $delivery_id ) . '" data-fcwh-webhook="' . esc_attr( (string) $webhook_id ) . '">';
	$row .= '<td class="fcwh-profile-event"><a href="' . esc_url( $detail_url ) . '"><code>' . esc_html( (string) ( $delivery['event'] ?? '' ) ) . '</code></a></td>';
	$row .= '<td class="fcwh-profile-webhook">' . esc_html( fcwh_privacy_webhook_label( $webhook_id, $webhooks ) ) . '</td>';
	$row .= '<td class="fcwh-profile-status-cell"><span class="fcwh-profile-status fcwh-profile-status-' . esc_attr( sanitize_html_class( $status ) ) . '" data-fcwh-status="' . esc_attr( $status ) . '">'
		. esc_html( fcwh_profile_status_label( $status ) ) . '</span>';
	if ( $code > 0 ) {
		$row .= ' <span class="fcwh-profile-code">' . esc_html( 'HTTP ' . $code ) . '</span>';
	}
	$row .= '</td>';
	$row .= '<td class="fcwh-profile-time">' . fcwh_profile_time_html( $time ) . '</td>';
	$row .= '<td class="fcwh-profile-actions">';
	if ( empty( $delivery['erased_at'] ) ) {
		$row .= '<button type="button" class="button button-small fcwh-profile-redeliver" data-fcwh-redeliver="1"'
			. ' data-webhook-id="' . esc_attr( (string) $webhook_id ) . '" data-delivery-id="' . esc_attr( (string) $delivery_id ) . '">'
			. esc_html__( 'Redeliver', 'fluentcrm-webhooks' ) . '</button>';
	}
	$row .= '<span class="fcwh-profile-row-message" role="status" aria-live="polite"></span></td>';
	return $row . '</tr>';
}

/**
 * A delivery status for people.
 *
 * @since 0.1.0
 *
 * @param string $status `pending`, `success` or `failed`.
 */
function fcwh_profile_status_label( string $status ): string {
	$labels = fcwh_profile_status_labels();
	return $labels[ $status ] ?? $status;
}

/**
 * The status labels, for PHP and the script.
 *
 * @since 0.1.0
 *
 * @return array<string, string>
 */
function fcwh_profile_status_labels(): array {
	return array(
		FCWH_DELIVERY_PENDING => __( 'Pending', 'fluentcrm-webhooks' ),
		FCWH_DELIVERY_SUCCESS => __( 'Delivered', 'fluentcrm-webhooks' ),
		FCWH_DELIVERY_FAILED  => __( 'Failed', 'fluentcrm-webhooks' ),
	);
}

/**
 * A time of the sidecar (ISO 8601 UTC) in the site's format and timezone.
 *
 * @since 0.1.0
 *
 * @param string $iso The time.
 */
function fcwh_profile_time_html( string $iso ): string {
	$timestamp = '' === $iso ? false : strtotime( $iso );
	if ( false === $timestamp ) {
		return '';
	}
	$shown = wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $timestamp );
	return '<time datetime="' . esc_attr( $iso ) . '" title="' . esc_attr( $iso ) . '">' . esc_html( (string) $shown ) . '</time>';
}

/**
 * A notice in the section.
 *
 * @since 0.1.0
 *
 * @param string $message Plain text.
 */
function fcwh_profile_notice_html( string $message ): string {
	return '<div class="fcwh-profile"><div class="fcwh-profile-error notice notice-error inline"><p>' . esc_html( $message ) . '</p></div></div>';
}

/**
 * Whether this request shows FluentCRM's screen.
 *
 * @since 0.1.0
 */
function fcwh_profile_is_fluentcrm_screen(): bool {
	return is_admin() && isset( $_GET['page'] ) && FCWH_FLUENTCRM_SCREEN_PAGE === sanitize_key( wp_unslash( $_GET['page'] ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- navigation only.
}

/**
 * Lets the section's script through FluentCRM's "no conflict" mode, which drops every other
 * plugin's scripts from its screen unless their URL matches one of these patterns. Hooked on
 * `fluent_crm_asset_listed_slugs`.
 *
 * @since 0.1.0
 *
 * @param mixed $slugs Regular-expression fragments (delimiter `/`).
 * @return array
 */
function fcwh_profile_allow_script( $slugs ): array {
	$slugs   = is_array( $slugs ) ? $slugs : array();
	$slugs[] = preg_quote( '/' . dirname( plugin_basename( FCWH_PLUGIN_FILE ) ) . '/assets/', '/' );
	return $slugs;
}

/**
 * Loads the section's script and style on FluentCRM's screen. Hooked on `admin_enqueue_scripts`.
 *
 * @since 0.1.0
 */
function fcwh_profile_enqueue_assets(): void {
	if ( ! fcwh_profile_is_fluentcrm_screen() || ! fcwh_current_user_can_manage() ) {
		return;
	}
	wp_enqueue_style( 'fcwh-contact-profile', fcwh_admin_asset_url( 'css/contact-profile.css' ), array(), fcwh_admin_asset_version( 'css/contact-profile.css' ) );
	wp_enqueue_script( 'fcwh-contact-profile', fcwh_admin_asset_url( 'js/contact-profile.js' ), array(), fcwh_admin_asset_version( 'js/contact-profile.js' ), true );
	$config = array(
		'restUrl'  => untrailingslashit( rest_url( FCWH_REST_NAMESPACE . '/' . FCWH_REST_BASE ) ),
		'nonce'    => wp_create_nonce( 'wp_rest' ),
		'statuses' => fcwh_profile_status_labels(),
		'i18n'     => array(
			'sending'     => __( 'Sending…', 'fluentcrm-webhooks' ),
			'queued'      => __( 'Redelivery started.', 'fluentcrm-webhooks' ),
			/* translators: %d: HTTP status code */
			'failed'      => __( 'Redeliver failed (HTTP %d).', 'fluentcrm-webhooks' ),
			'unreachable' => __( 'Redeliver failed: WordPress did not answer.', 'fluentcrm-webhooks' ),
		),
	);
	wp_add_inline_script( 'fcwh-contact-profile', 'window.fcwhContactProfile = ' . wp_json_encode( $config ) . ';', 'before' );
}

// A REST request loads the admin code when its API starts (fluentcrm-webhooks.php), after FluentCRM loaded.
if ( did_action( 'fluentcrm_loaded' ) ) {
	fcwh_profile_register_section();
} else {
	add_action( 'fluentcrm_loaded', 'fcwh_profile_register_section' );
}
add_filter( 'fluentcrm_profile_sections', 'fcwh_profile_hide_section', 20 );
add_filter( 'fluent_crm_asset_listed_slugs', 'fcwh_profile_allow_script' );
add_action( 'admin_enqueue_scripts', 'fcwh_profile_enqueue_assets' );

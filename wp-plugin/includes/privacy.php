<?php
/**
 * WordPress's personal-data tools (Tools → Export / Erase Personal Data) for the delivery log the
 * sidecar keeps, and the suggested privacy-policy text (Settings → Privacy → Policy Guide).
 *
 * The sidecar finds a person's deliveries by index (FluentCRM's contact id and a hash of the email
 * address, stored at intake: docs/sidecar-api.md, `/v2/contacts/...`), never by reading bodies. The
 * plugin asks with both: the address WordPress was given, and the id of the FluentCRM contact with
 * that address (or of the contact linked to the WordPress user with that address).
 *
 * When the sidecar cannot answer, the exporter and the eraser fail loudly: an export that silently
 * left the log out, or an erasure reported done while the log still holds the bodies, would be
 * worse than an error the administrator sees and retries.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// The key of the exporter and of the eraser in WordPress's registries.
const FCWH_PRIVACY_KEY = 'fluentcrm-webhooks';
// One WordPress export page = one sidecar page of the contact's deliveries (its maximum).
const FCWH_PRIVACY_PER_PAGE = 100;
const FCWH_PRIVACY_GROUP_ID = 'fluentcrm-webhooks-deliveries';
// Erasing a contact with a long history is batched by the sidecar: give it time.
const FCWH_PRIVACY_TIMEOUT = 60;
// The AJAX actions of WordPress's privacy screens (wp-admin/includes/ajax-actions.php).
const FCWH_PRIVACY_EXPORT_AJAX_ACTION = 'wp-privacy-export-personal-data';
const FCWH_PRIVACY_ERASE_AJAX_ACTION  = 'wp-privacy-erase-personal-data';
// Why the last erasure failed, per user, shown on the next load of the Erase Personal Data screen.
const FCWH_PRIVACY_ERASE_ERROR_TRANSIENT = 'fcwh_privacy_erase_error_';

/**
 * Adds the exporter. Hooked on `wp_privacy_personal_data_exporters`.
 *
 * @since 0.1.0
 *
 * @param mixed $exporters The registered exporters.
 * @return array
 */
function fcwh_privacy_register_exporter( $exporters ): array {
	$exporters                     = is_array( $exporters ) ? $exporters : array();
	$exporters[ FCWH_PRIVACY_KEY ] = array(
		'exporter_friendly_name' => __( 'FluentCRM Webhooks delivery log', 'fluentcrm-webhooks' ),
		'callback'               => 'fcwh_privacy_export',
	);
	return $exporters;
}

/**
 * Adds the eraser. Hooked on `wp_privacy_personal_data_erasers`.
 *
 * @since 0.1.0
 *
 * @param mixed $erasers The registered erasers.
 * @return array
 */
function fcwh_privacy_register_eraser( $erasers ): array {
	$erasers                     = is_array( $erasers ) ? $erasers : array();
	$erasers[ FCWH_PRIVACY_KEY ] = array(
		'eraser_friendly_name' => __( 'FluentCRM Webhooks delivery log', 'fluentcrm-webhooks' ),
		'callback'             => 'fcwh_privacy_erase',
	);
	return $erasers;
}

/**
 * Whom to ask the sidecar about: the address, and the FluentCRM contact's id when there is one.
 *
 * @since 0.1.0
 *
 * @param string $email_address The address of the privacy request.
 * @return array{email: string, contact_id?: int}|WP_Error
 */
function fcwh_privacy_subject( string $email_address ) {
	$email   = trim( $email_address );
	$subject = array( 'email' => $email );
	try {
		$user    = get_user_by( 'email', $email );
		$contact = fcwh_find_contact_for_customer( $email, $user ? (int) $user->ID : 0 );
	} catch ( Throwable $error ) {
		return new WP_Error(
			'fcwh_privacy_contact_lookup_failed',
			/* translators: %s: error message */
			sprintf( __( 'FluentCRM could not be asked for the contact with this address (%s).', 'fluentcrm-webhooks' ), $error->getMessage() )
		);
	}
	$contact_id = is_object( $contact ) ? fcwh_int_or_null( $contact->id ?? null ) : null;
	if ( null !== $contact_id && $contact_id > 0 ) {
		$subject['contact_id'] = $contact_id;
	}
	return $subject;
}

/**
 * The exporter: one page of the person's deliveries (newest first), one export item each.
 *
 * @since 0.1.0
 *
 * @param string $email_address The address of the request.
 * @param int    $page          WordPress's page, from 1.
 * @return array{data: array, done: bool}|WP_Error
 */
function fcwh_privacy_export( $email_address, $page = 1 ) {
	$subject = fcwh_privacy_subject( (string) $email_address );
	if ( is_wp_error( $subject ) ) {
		return fcwh_privacy_fail( fcwh_privacy_export_error( $subject->get_error_message() ), FCWH_PRIVACY_EXPORT_AJAX_ACTION );
	}
	$page   = max( 1, (int) $page );
	$result = fcwh_sidecar_request(
		'GET',
		'/v2/contacts/deliveries',
		null,
		$subject + array(
			'include'  => 'body',
			'per_page' => FCWH_PRIVACY_PER_PAGE,
			'page'     => $page,
		),
		array( 'timeout' => FCWH_PRIVACY_TIMEOUT )
	);
	if ( 200 !== $result['status'] || ! isset( $result['body']['deliveries'] ) || ! is_array( $result['body']['deliveries'] ) ) {
		return fcwh_privacy_fail( fcwh_privacy_export_error( fcwh_privacy_failure_reason( $result ) ), FCWH_PRIVACY_EXPORT_AJAX_ACTION );
	}

	$deliveries = $result['body']['deliveries'];
	$webhooks   = $deliveries ? fcwh_privacy_webhooks() : array();
	$items      = array();
	foreach ( $deliveries as $delivery ) {
		if ( is_array( $delivery ) && isset( $delivery['id'] ) ) {
			$items[] = fcwh_privacy_export_item( $delivery, $webhooks );
		}
	}
	$pagination = isset( $result['body']['pagination'] ) && is_array( $result['body']['pagination'] ) ? $result['body']['pagination'] : array();
	$last_page  = isset( $pagination['last_page'] ) ? (int) $pagination['last_page'] : $page;
	return array(
		'data' => $items,
		'done' => ! $deliveries || $page >= $last_page,
	);
}

/**
 * One delivery as an export item: what happened, which webhook got it and where that is, when,
 * how it went, and the exact body sent.
 *
 * @since 0.1.0
 *
 * @param array $delivery A delivery of `/v2/contacts/deliveries?include=body`.
 * @param array $webhooks fcwh_privacy_webhooks().
 */
function fcwh_privacy_export_item( array $delivery, array $webhooks ): array {
	$webhook_id = (int) ( $delivery['webhook_id'] ?? 0 );
	$webhook    = $webhooks[ $webhook_id ] ?? null;
	$fields     = array(
		__( 'Delivery ID', 'fluentcrm-webhooks' )       => (string) $delivery['id'],
		__( 'Event', 'fluentcrm-webhooks' )             => (string) ( $delivery['event'] ?? '' ),
		__( 'Webhook', 'fluentcrm-webhooks' )           => fcwh_privacy_webhook_label( $webhook_id, $webhooks ),
		// The host only: a webhook URL's path or query often holds the receiver's own credentials.
		__( 'Sent to (host)', 'fluentcrm-webhooks' )    => null === $webhook ? '' : $webhook['host'],
		__( 'Recorded at (UTC)', 'fluentcrm-webhooks' ) => (string) ( $delivery['created_at'] ?? '' ),
		__( 'Last attempt (UTC)', 'fluentcrm-webhooks' ) => (string) ( $delivery['attempted_at'] ?? '' ),
		__( 'Status', 'fluentcrm-webhooks' )            => (string) ( $delivery['status'] ?? '' ),
		__( 'Body', 'fluentcrm-webhooks' )              => (string) ( $delivery['body'] ?? '' ),
	);
	$data = array();
	foreach ( $fields as $name => $value ) {
		$data[] = array(
			'name'  => $name,
			'value' => $value,
		);
	}
	return array(
		'group_id'          => FCWH_PRIVACY_GROUP_ID,
		'group_label'       => __( 'Webhook deliveries', 'fluentcrm-webhooks' ),
		'group_description' => __( 'Events about this person that the site sent to its webhook endpoints, as kept in the FluentCRM Webhooks delivery log: the exact body sent to each.', 'fluentcrm-webhooks' ),
		'item_id'           => 'fcwh-delivery-' . (int) $delivery['id'],
		'data'              => $data,
	);
}

/**
 * The webhooks by id (name and host), once per request; empty when the list cannot be read
 * (the export then names webhooks by id).
 *
 * @since 0.1.0
 *
 * @return array<int, array{name: string, host: string}>
 */
function fcwh_privacy_webhooks(): array {
	static $webhooks = null;
	if ( null !== $webhooks ) {
		return $webhooks;
	}
	$webhooks = array();
	$result   = fcwh_sidecar_request( 'GET', '/v2/webhooks', null, array(), array( 'timeout' => FCWH_PRIVACY_TIMEOUT ) );
	if ( 200 === $result['status'] && isset( $result['body']['webhooks'] ) && is_array( $result['body']['webhooks'] ) ) {
		foreach ( $result['body']['webhooks'] as $webhook ) {
			if ( is_array( $webhook ) && isset( $webhook['id'] ) ) {
				$webhooks[ (int) $webhook['id'] ] = array(
					'name' => (string) ( $webhook['name'] ?? '' ),
					'host' => (string) wp_parse_url( (string) ( $webhook['url'] ?? '' ), PHP_URL_HOST ),
				);
			}
		}
	}
	return $webhooks;
}

/**
 * "Name (#3)", or "#3" when the name is not known.
 *
 * @since 0.1.0
 *
 * @param int   $webhook_id Webhook id.
 * @param array $webhooks   fcwh_privacy_webhooks() (or any id => ['name' => ...] map).
 */
function fcwh_privacy_webhook_label( int $webhook_id, array $webhooks ): string {
	$name = isset( $webhooks[ $webhook_id ]['name'] ) ? trim( (string) $webhooks[ $webhook_id ]['name'] ) : '';
	/* translators: 1: webhook name, 2: webhook id */
	return '' === $name ? '#' . $webhook_id : sprintf( __( '%1$s (#%2$d)', 'fluentcrm-webhooks' ), $name, $webhook_id );
}

/**
 * The eraser: the sidecar erases everything about the person in one call (in batches of its own),
 * so WordPress's first page is the only one.
 *
 * @since 0.1.0
 *
 * @param string $email_address The address of the request.
 * @param int    $page          WordPress's page (always 1 here).
 * @return array{items_removed: bool, items_retained: bool, messages: string[], done: bool}|WP_Error
 */
function fcwh_privacy_erase( $email_address, $page = 1 ) {
	$subject = fcwh_privacy_subject( (string) $email_address );
	if ( is_wp_error( $subject ) ) {
		return fcwh_privacy_erase_failed( fcwh_privacy_erase_error( $subject->get_error_message() ) );
	}
	$result = fcwh_sidecar_request( 'POST', '/v2/contacts/erase', $subject, array(), array( 'timeout' => FCWH_PRIVACY_TIMEOUT ) );
	if ( 200 !== $result['status'] || ! isset( $result['body']['erased'] ) ) {
		return fcwh_privacy_erase_failed( fcwh_privacy_erase_error( fcwh_privacy_failure_reason( $result ) ) );
	}
	delete_transient( FCWH_PRIVACY_ERASE_ERROR_TRANSIENT . get_current_user_id() );

	$erased   = max( 0, (int) $result['body']['erased'] );
	$stopped  = max( 0, (int) ( $result['body']['stopped'] ?? 0 ) );
	$messages = array();
	if ( $erased > 0 ) {
		$messages[] = sprintf(
			/* translators: %d: number of deliveries */
			_n(
				'FluentCRM Webhooks: the personal data of %d webhook delivery was erased from the delivery log (its entry stays, without the body and the receiver’s answers).',
				'FluentCRM Webhooks: the personal data of %d webhook deliveries was erased from the delivery log (their entries stay, without the bodies and the receivers’ answers).',
				$erased,
				'fluentcrm-webhooks'
			),
			$erased
		);
		$messages[] = __( 'FluentCRM Webhooks: copies the webhook endpoints already received are kept by those services; ask their operators to erase them too.', 'fluentcrm-webhooks' );
	}
	if ( $stopped > 0 ) {
		$messages[] = sprintf(
			/* translators: %d: number of deliveries */
			_n(
				'FluentCRM Webhooks: %d pending webhook delivery about this person was stopped and will never be sent.',
				'FluentCRM Webhooks: %d pending webhook deliveries about this person were stopped and will never be sent.',
				$stopped,
				'fluentcrm-webhooks'
			),
			$stopped
		);
	}
	return array(
		'items_removed'  => $erased > 0,
		'items_retained' => false,
		// WordPress's screen prints messages as HTML.
		'messages'       => array_map( 'esc_html', $messages ),
		'done'           => true,
	);
}

/**
 * A sentence saying why the sidecar did not do what was asked.
 *
 * @since 0.1.0
 *
 * @param array $result A fcwh_sidecar_request() result.
 */
function fcwh_privacy_failure_reason( array $result ): string {
	$status = (int) $result['status'];
	if ( $status >= 400 && $status < 500 && 401 !== $status && isset( $result['body']['message'] ) ) {
		/* translators: 1: HTTP status code, 2: the sidecar's error message */
		return sprintf( __( 'the sidecar answered HTTP %1$d: %2$s', 'fluentcrm-webhooks' ), $status, (string) $result['body']['message'] );
	}
	if ( 200 === $status ) {
		return __( 'the sidecar’s answer was not what this version of the plugin expects: are the plugin and the sidecar the same version?', 'fluentcrm-webhooks' );
	}
	return fcwh_describe_sidecar_failure( $result );
}

/**
 * The exporter's error.
 *
 * @since 0.1.0
 *
 * @param string $reason Why.
 */
function fcwh_privacy_export_error( string $reason ): WP_Error {
	return new WP_Error(
		'fcwh_privacy_export_failed',
		sprintf(
			/* translators: %s: why the delivery log could not be read */
			__( 'The FluentCRM Webhooks delivery log could not be exported: %s Nothing was exported from it; run the export again once the sidecar answers.', 'fluentcrm-webhooks' ),
			fcwh_privacy_sentence( $reason )
		),
		array( 'status' => 503 )
	);
}

/**
 * The eraser's error.
 *
 * @since 0.1.0
 *
 * @param string $reason Why.
 */
function fcwh_privacy_erase_error( string $reason ): WP_Error {
	return new WP_Error(
		'fcwh_privacy_erase_failed',
		sprintf(
			/* translators: %s: why the delivery log could not be erased */
			__( 'The personal data in the FluentCRM Webhooks delivery log could not be erased: %s Nothing was erased there; run the erasure again once the sidecar answers.', 'fluentcrm-webhooks' ),
			fcwh_privacy_sentence( $reason )
		),
		array( 'status' => 503 )
	);
}

/**
 * A reason as a sentence of its own: first letter up, a full stop at the end.
 *
 * @since 0.1.0
 *
 * @param string $reason Reason.
 */
function fcwh_privacy_sentence( string $reason ): string {
	$reason = trim( $reason );
	if ( '' === $reason ) {
		return '';
	}
	$reason = ucfirst( $reason );
	return in_array( substr( $reason, -1 ), array( '.', '!', '?' ), true ) ? $reason : $reason . '.';
}

/**
 * An eraser failure: remembered for the Erase Personal Data screen, then failed like an export.
 *
 * @since 0.1.0
 *
 * @param WP_Error $error The error.
 * @return WP_Error
 */
function fcwh_privacy_erase_failed( WP_Error $error ): WP_Error {
	// WordPress's erasure screen shows only a generic "An error occurred" for any eraser failure
	// (wp-admin/js/privacy-tools.js): the reason is shown on its next load (fcwh_privacy_erase_notice).
	set_transient( FCWH_PRIVACY_ERASE_ERROR_TRANSIENT . get_current_user_id(), $error->get_error_message(), 15 * MINUTE_IN_SECONDS );
	return fcwh_privacy_fail( $error, FCWH_PRIVACY_ERASE_AJAX_ACTION );
}

/**
 * Fails an exporter or eraser call.
 *
 * Called from WordPress's own AJAX handler for the privacy screens, the error goes out as a plain
 * string: that handler would send a WP_Error as a list of {code, message} objects, which the
 * screen's script prints as "[object Object]". Called any other way, the WP_Error is returned.
 *
 * @since 0.1.0
 *
 * @param WP_Error $error       The error.
 * @param string   $ajax_action The AJAX action this callback serves.
 * @return WP_Error
 */
function fcwh_privacy_fail( WP_Error $error, string $ajax_action ): WP_Error {
	// The handler checked its nonce and the user's capability before calling us.
	$action = isset( $_POST['action'] ) ? sanitize_key( wp_unslash( $_POST['action'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Missing
	if ( wp_doing_ajax() && $ajax_action === $action ) {
		wp_send_json_error( $error->get_error_message() );
	}
	return $error;
}

/**
 * Shows why the last erasure failed, on the Erase Personal Data screen. Hooked on `admin_notices`.
 *
 * @since 0.1.0
 */
function fcwh_privacy_erase_notice(): void {
	$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
	if ( ! $screen || 'erase-personal-data' !== $screen->id ) {
		return;
	}
	$key     = FCWH_PRIVACY_ERASE_ERROR_TRANSIENT . get_current_user_id();
	$message = get_transient( $key );
	if ( ! is_string( $message ) || '' === $message ) {
		return;
	}
	delete_transient( $key );
	printf( '<div class="notice notice-error is-dismissible fcwh-privacy-erase-error"><p>%s</p></div>', esc_html( $message ) );
}

/**
 * The suggested privacy-policy text. Hooked on `admin_init`.
 *
 * @since 0.1.0
 */
function fcwh_privacy_policy_content(): void {
	if ( function_exists( 'wp_add_privacy_policy_content' ) ) {
		wp_add_privacy_policy_content( __( 'FluentCRM Webhooks', 'fluentcrm-webhooks' ), fcwh_privacy_policy_text() );
	}
}

/**
 * The text itself: what is sent to which endpoints, what the delivery log keeps and for how long.
 *
 * @since 0.1.0
 */
function fcwh_privacy_policy_text(): string {
	$paragraphs = array(
		'<p class="privacy-policy-tutorial">' . esc_html__( 'FluentCRM Webhooks sends events about your contacts to the webhook endpoints set up under FluentCRM → Outgoing Webhooks, and keeps a log of what it sent. Name those endpoints (who runs each, and for what) where the text below says so. The log is kept for 30 days unless the sidecar’s FCWH_RETENTION_DAYS or a webhook’s own retention says otherwise: change the figure below if you changed it.', 'fluentcrm-webhooks' ) . '</p>',
		'<p><strong class="privacy-policy-tutorial">' . esc_html__( 'Suggested text:', 'fluentcrm-webhooks' ) . ' </strong>' . esc_html__( 'When you subscribe, change your details or your subscription, receive, open or click one of our emails, enter or leave one of our automations, or place an order, our site records the event and sends it to services we connected to our contact management (webhook endpoints): [list the services here]. Each event carries the contact details we hold about you (your email address, name, phone number, subscription status, tags and lists) and what happened (for example the email opened, the link clicked, or the order with its total and your email address).', 'fluentcrm-webhooks' ) . '</p>',
		'<p>' . esc_html__( 'We keep a log of these deliveries on our own servers: each event exactly as it was sent, and how the service answered. It is kept for 30 days after the last delivery attempt, so that failed deliveries can be retried and checked; an event that has not been delivered yet is kept until it is. When you ask for the personal data we hold about you, this log is part of the export; when you ask us to erase it, the events about you are removed from the log and those not yet sent are never sent. The services that already received an event keep their copy under their own privacy policies.', 'fluentcrm-webhooks' ) . '</p>',
	);
	return implode( "\n", $paragraphs );
}

add_filter( 'wp_privacy_personal_data_exporters', 'fcwh_privacy_register_exporter' );
add_filter( 'wp_privacy_personal_data_erasers', 'fcwh_privacy_register_eraser' );
add_action( 'admin_init', 'fcwh_privacy_policy_content' );
add_action( 'admin_notices', 'fcwh_privacy_erase_notice' );

<?php
/**
 * `GET /wp-json/fluentcrm-webhooks/v1/contact-names?ids=1,2,3`: who the delivery log's rows are
 * about. The sidecar keeps only a contact's id per delivery (its index for the profile and
 * erasure); the name and email come from FluentCRM's Subscriber model, here, for one page of the
 * log at a time. Read only; the same permission as the log itself (which shows the bodies, where
 * the same addresses are).
 *
 * @package FluentCRM_Webhooks
 * @since 0.2.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// A page of the log is at most 100 rows: more ids in one call are refused, not truncated.
const FCWH_ADMIN_CONTACT_NAMES_MAX = 100;

/**
 * Registers the route. Hooked on `rest_api_init`.
 *
 * @since 0.2.0
 */
function fcwh_admin_register_contact_names_route(): void {
	register_rest_route(
		FCWH_ADMIN_REST_NAMESPACE,
		'/contact-names',
		array(
			'methods'             => WP_REST_Server::READABLE,
			'callback'            => 'fcwh_admin_contact_names_response',
			'permission_callback' => 'fcwh_rest_permission_check',
		)
	);
}

/**
 * The ids of `ids=1,2,3`, or null when it is not 1 to FCWH_ADMIN_CONTACT_NAMES_MAX positive
 * whole numbers written in ASCII digits. Pure.
 *
 * @since 0.2.0
 *
 * @param mixed $raw The query parameter.
 * @return int[]|null
 */
function fcwh_admin_parse_contact_ids( $raw ): ?array {
	if ( ! is_string( $raw ) || '' === $raw ) {
		return null;
	}
	$ids = array();
	foreach ( explode( ',', $raw ) as $part ) {
		if ( ! preg_match( '/^[1-9][0-9]{0,17}$/D', $part ) ) {
			return null;
		}
		$ids[ (int) $part ] = (int) $part;
	}
	return count( $ids ) <= FCWH_ADMIN_CONTACT_NAMES_MAX ? array_values( $ids ) : null;
}

/**
 * How a contact is named in the log: "First Last <email>", or whichever part exists. Pure.
 *
 * @since 0.2.0
 *
 * @param object $contact A Subscriber model.
 * @return array{id: int, name: string, email: string}
 */
function fcwh_admin_contact_label( $contact ): array {
	$name = trim( (string) ( $contact->first_name ?? '' ) . ' ' . (string) ( $contact->last_name ?? '' ) );
	return array(
		'id'    => (int) $contact->id,
		'name'  => $name,
		'email' => (string) ( $contact->email ?? '' ),
	);
}

/**
 * Answers the route: `{"contacts": [{id, name, email}]}` for the ids FluentCRM still has (a
 * deleted contact is simply absent). 400 `rest_invalid_param` for bad ids.
 *
 * @since 0.2.0
 *
 * @param WP_REST_Request $request The request.
 * @return WP_REST_Response|WP_Error
 */
function fcwh_admin_contact_names_response( WP_REST_Request $request ) {
	$ids = fcwh_admin_parse_contact_ids( $request->get_param( 'ids' ) );
	if ( null === $ids ) {
		return new WP_Error(
			'rest_invalid_param',
			__( 'Invalid parameter(s): ids', 'fluentcrm-webhooks' ),
			array(
				'status' => 400,
				'params' => array(
					/* translators: %d: the most ids one call takes. */
					'ids' => sprintf( __( 'ids must be 1 to %d contact ids separated by commas.', 'fluentcrm-webhooks' ), FCWH_ADMIN_CONTACT_NAMES_MAX ),
				),
			)
		);
	}
	$contacts = array();
	try {
		foreach ( fcwh_find_models( 'Subscriber', $ids ) as $contact ) {
			$contacts[] = fcwh_admin_contact_label( $contact );
		}
	} catch ( \Throwable $error ) {
		// FluentCRM's tables unreadable: the log still shows ids.
		fcwh_log_error( 'admin contact names', $error );
	}
	return new WP_REST_Response( array( 'contacts' => $contacts ), 200 );
}

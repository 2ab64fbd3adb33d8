<?php
/**
 * REST routes that drive the stand-in: FluentCRM's real paths where fluentcrm-events.md names
 * them, `/standin/...` for actions that are not REST calls in FluentCRM (tracking pixels,
 * unsubscribe pages, the mailer, imports, store checkouts).
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

use FluentCrm\App\Models\Campaign;
use FluentCrm\App\Models\CampaignEmail;
use FluentCrm\App\Models\Funnel;
use FluentCrm\App\Models\Lists;
use FluentCrm\App\Models\Subscriber;
use FluentCrm\App\Models\Tag;

const NS = 'fluent-crm/v2';

function register_routes(): void {
	$routes = array(
		array( 'PUT', '/standin/release', 'route_set_release' ),
		array( 'POST', '/standin/terms', 'route_create_term' ),
		array( 'DELETE', '/(?P<kind>tags|lists)/(?P<id>\d+)', 'route_delete_term' ),
		array( 'POST', '/(?P<kind>tags|lists)/do-bulk-action', 'route_delete_terms' ),
		array( 'POST', '/subscribers', 'route_create_contact' ),
		array( 'PUT', '/subscribers/subscribers-property', 'route_subscribers_property' ),
		array( 'POST', '/subscribers/do-bulk-action', 'route_subscribers_bulk_action' ),
		array( 'PUT', '/subscribers/(?P<id>\d+)', 'route_update_contact' ),
		array( 'DELETE', '/subscribers/(?P<id>\d+)', 'route_delete_contact' ),
		array( 'POST', '/standin/subscribers/delete', 'route_delete_contacts' ),
		array( 'POST', '/standin/subscribers/(?P<id>\d+)/terms', 'route_change_terms' ),
		array( 'POST', '/standin/import', 'route_import' ),
		array( 'POST', '/standin/create-or-update', 'route_create_or_update' ),
		array( 'POST', '/standin/unsubscribe', 'route_unsubscribe' ),
		array( 'POST', '/standin/bounce', 'route_bounce' ),
		array( 'POST', '/campaigns', 'route_create_campaign' ),
		array( 'POST', '/campaigns/(?P<id>\d+)/duplicate', 'route_duplicate_campaign' ),
		array( 'POST', '/campaigns/(?P<id>\d+)/pause', 'route_pause_campaign' ),
		array( 'POST', '/campaigns/(?P<id>\d+)/resume', 'route_resume_campaign' ),
		array( 'GET', '/campaigns/(?P<id>\d+)/status', 'route_campaign_status' ),
		array( 'POST', '/standin/campaigns/(?P<id>\d+)/recipients', 'route_add_recipients' ),
		array( 'POST', '/standin/campaigns/(?P<id>\d+)/start', 'route_start_campaign' ),
		array( 'POST', '/standin/campaigns/(?P<id>\d+)/hourly', 'route_hourly_archive' ),
		array( 'POST', '/standin/emails', 'route_queue_email' ),
		array( 'POST', '/standin/send-emails', 'route_send_emails' ),
		array( 'POST', '/standin/emails/(?P<id>\d+)/open', 'route_open_email' ),
		array( 'POST', '/standin/emails/(?P<id>\d+)/click', 'route_click_email' ),
		array( 'POST', '/standin/funnels', 'route_create_funnel' ),
		array( 'POST', '/standin/funnels/(?P<id>\d+)/enter', 'route_enter_funnel' ),
		array( 'POST', '/standin/funnels/(?P<id>\d+)/complete', 'route_complete_funnel' ),
		array( 'PUT', '/funnels/(?P<id>\d+)/subscribers/(?P<sid>\d+)/status', 'route_funnel_row_status' ),
		array( 'DELETE', '/funnels/(?P<id>\d+)/subscribers', 'route_remove_from_funnel' ),
		array( 'DELETE', '/funnels/(?P<id>\d+)', 'route_delete_funnel' ),
		array( 'POST', '/funnels/remove-bulk-subscribers', 'route_remove_funnel_rows' ),
		array( 'POST', '/funnels/do-bulk-action', 'route_funnels_bulk_action' ),
		array( 'POST', '/standin/sequences', 'route_create_sequence' ),
		array( 'POST', '/standin/sequences/(?P<id>\d+)/complete', 'route_complete_sequence' ),
		array( 'POST', '/standin/woo/orders', 'route_woo_create' ),
		array( 'POST', '/standin/woo/checkout', 'route_woo_checkout' ),
		array( 'POST', '/standin/woo/orders/(?P<id>\d+)/process', 'route_woo_process' ),
		array( 'POST', '/standin/woo/orders/(?P<id>\d+)/complete', 'route_woo_complete' ),
		array( 'POST', '/standin/woo/orders/(?P<id>\d+)/refund', 'route_woo_refund' ),
		array( 'POST', '/standin/fluentcart/orders', 'route_cart_create' ),
		array( 'POST', '/standin/fluentcart/orders/(?P<id>\d+)/pay', 'route_cart_pay' ),
		array( 'POST', '/standin/fluentcart/orders/(?P<id>\d+)/complete', 'route_cart_complete' ),
		array( 'POST', '/standin/fluentcart/orders/(?P<id>\d+)/refund', 'route_cart_refund' ),
	);
	foreach ( $routes as list( $method, $path, $callback ) ) {
		register_rest_route(
			NS,
			$path,
			array(
				'methods'             => $method,
				'callback'            => __NAMESPACE__ . '\\' . $callback,
				'permission_callback' => static function () {
					return \FluentCrm\App\Services\PermissionManager::currentUserCan( 'fcrm_manage_contacts' );
				},
			)
		);
	}
}

function contact_or_404( $id ) {
	return Subscriber::find( (int) $id ) ?: new \WP_Error( 'not_found', 'Contact not found', array( 'status' => 404 ) );
}

function contact_answer( Subscriber $contact ): array {
	return array( 'contact' => Subscriber::find( $contact->id )->toArray() );
}

// -- release, tags and lists ----------------------------------------------------------------------
function route_set_release( \WP_REST_Request $r ): array {
	update_option( 'fcstandin_release', (string) $r['release'] );
	return array( 'release' => release() );
}

function route_create_term( \WP_REST_Request $r ): array {
	$class = 'list' === $r['kind'] ? Lists::class : Tag::class;
	$term  = $class::create(
		array(
			'title' => (string) $r['title'],
			'slug'  => sanitize_title( (string) $r['title'] ),
		)
	);
	return array( 'id' => (int) $term->id );
}

function route_delete_term( \WP_REST_Request $r ): array {
	delete_terms( (string) $r['kind'], array( (string) $r['id'] ), true );
	return array( 'message' => 'Successfully removed' );
}

function route_delete_terms( \WP_REST_Request $r ): array {
	delete_terms( (string) $r['kind'], (array) ( 'tags' === $r['kind'] ? $r['tagIds'] : $r['listIds'] ), false );
	return array( 'message' => 'Selected items have been removed permanently' );
}

// -- contacts -------------------------------------------------------------------------------------
function route_create_contact( \WP_REST_Request $r ): array {
	return contact_answer( create_contact( (array) $r->get_params(), (array) ( $r['tags'] ?? array() ), (array) ( $r['lists'] ?? array() ) ) );
}

function route_update_contact( \WP_REST_Request $r ) {
	$contact = contact_or_404( $r['id'] );
	if ( is_wp_error( $contact ) ) {
		return $contact;
	}
	update_contact( $contact, (array) $r->get_json_params() );
	return contact_answer( $contact );
}

function route_subscribers_property( \WP_REST_Request $r ): array {
	foreach ( Subscriber::whereIn( 'id', (array) $r['subscribers'] )->get() as $contact ) {
		if ( in_array( $r['property'], PROPERTY_COLUMNS, true ) ) {
			update_property( $contact, (string) $r['property'], $r['value'] );
		} else {
			update_status_from_admin( $contact, (string) $r['value'] );
		}
	}
	return array( 'message' => 'Status has been updated' );
}

function route_subscribers_bulk_action( \WP_REST_Request $r ): array {
	foreach ( Subscriber::whereIn( 'id', (array) $r['subscriber_ids'] )->get() as $contact ) {
		bulk_contact_action( $contact, (string) $r['action_name'], 'update_custom_fields' === $r['action_name'] ? (array) $r['custom_field'] : $r['new_status'] );
	}
	return array( 'message' => 'Done' );
}

function route_delete_contact( \WP_REST_Request $r ): array {
	delete_contacts( array( $r['id'] ) );
	return array( 'message' => 'Deleted' );
}

function route_delete_contacts( \WP_REST_Request $r ): array {
	delete_contacts( (array) $r['ids'] );
	return array( 'message' => 'Deleted' );
}

function route_change_terms( \WP_REST_Request $r ) {
	$contact = contact_or_404( $r['id'] );
	if ( is_wp_error( $contact ) ) {
		return $contact;
	}
	foreach ( array( 'tags', 'lists' ) as $kind ) {
		attach_terms( $contact, $kind, (array) ( $r[ "attach_{$kind}" ] ?? array() ) );
		detach_terms( $contact, $kind, (array) ( $r[ "detach_{$kind}" ] ?? array() ) );
	}
	return contact_answer( $contact );
}

function route_import( \WP_REST_Request $r ): array {
	$ids = array();
	foreach ( (array) $r['contacts'] as $row ) {
		$ids[] = (int) create_contact( (array) $row, (array) ( $row['tags'] ?? array() ), (array) ( $row['lists'] ?? array() ), true, (bool) $r['silent'] )->id;
	}
	return array( 'ids' => $ids );
}

function route_create_or_update( \WP_REST_Request $r ): array {
	return contact_answer( create_or_update( (array) $r->get_json_params() ) );
}

function route_unsubscribe( \WP_REST_Request $r ) {
	$contact = contact_or_404( $r['subscriber_id'] );
	if ( is_wp_error( $contact ) ) {
		return $contact;
	}
	$email = $r['email_id'] ? CampaignEmail::find( (int) $r['email_id'] ) : null;
	unsubscribe( $contact, $email, (string) ( $r['source'] ?? 'web_ui' ) );
	return contact_answer( $contact );
}

/** A bounce or complaint webhook from the mail provider: Subscriber::updateStatus(). */
function route_bounce( \WP_REST_Request $r ) {
	$contact = Subscriber::where( 'email', (string) $r['email'] )->first();
	if ( ! $contact ) {
		$stored = store_bounced_address( (string) $r['email'], (string) ( $r['status'] ?? 'bounced' ) );
		return $stored ? contact_answer( $stored ) : array( 'contact' => null );
	}
	update_status( $contact, (string) ( $r['status'] ?? 'bounced' ) );
	return contact_answer( $contact );
}

// -- campaigns and emails -------------------------------------------------------------------------
function campaign_or_404( $id ) {
	return Campaign::find( (int) $id ) ?: new \WP_Error( 'not_found', 'Campaign not found', array( 'status' => 404 ) );
}

function route_create_campaign( \WP_REST_Request $r ): array {
	return array( 'campaign' => create_campaign( (array) $r->get_params() )->toArray() );
}

function route_duplicate_campaign( \WP_REST_Request $r ) {
	$campaign = campaign_or_404( $r['id'] );
	return is_wp_error( $campaign ) ? $campaign : array( 'campaign' => duplicate_campaign( $campaign )->toArray() );
}

function route_pause_campaign( \WP_REST_Request $r ) {
	$campaign = campaign_or_404( $r['id'] );
	return is_wp_error( $campaign ) ? $campaign : array( 'changed' => set_campaign_status( $campaign, 'working', 'paused' ) );
}

function route_resume_campaign( \WP_REST_Request $r ) {
	$campaign = campaign_or_404( $r['id'] );
	return is_wp_error( $campaign ) ? $campaign : array( 'changed' => set_campaign_status( $campaign, 'paused', 'working' ) );
}

function route_campaign_status( \WP_REST_Request $r ) {
	$campaign = campaign_or_404( $r['id'] );
	return is_wp_error( $campaign ) ? $campaign : array( 'status' => poll_campaign_status( $campaign ) );
}

function route_add_recipients( \WP_REST_Request $r ) {
	$campaign = campaign_or_404( $r['id'] );
	return is_wp_error( $campaign ) ? $campaign : array( 'recipients_count' => add_recipients( $campaign, (array) $r['subscriber_ids'] ) );
}

function route_start_campaign( \WP_REST_Request $r ) {
	$campaign = campaign_or_404( $r['id'] );
	if ( is_wp_error( $campaign ) ) {
		return $campaign;
	}
	start_campaign( $campaign );
	return array( 'status' => $campaign->status );
}

function route_hourly_archive( \WP_REST_Request $r ) {
	$campaign = campaign_or_404( $r['id'] );
	if ( is_wp_error( $campaign ) ) {
		return $campaign;
	}
	hourly_archive( $campaign );
	return array( 'status' => 'archived' );
}

/** A one-off email from the contact's profile (its campaign row is not a campaign: see queue_one_off_email). */
function route_queue_email( \WP_REST_Request $r ) {
	$contact = contact_or_404( $r['subscriber_id'] );
	return is_wp_error( $contact ) ? $contact : array( 'id' => (int) queue_one_off_email( $contact, (string) $r['subject'] )->id );
}

function route_send_emails( \WP_REST_Request $r ): array {
	return array( 'sent' => send_queued_emails( (int) ( $r['limit'] ?? 1000 ), array_map( 'intval', (array) ( $r['cancel_ids'] ?? array() ) ) ) );
}

function email_or_404( $id ) {
	return CampaignEmail::find( (int) $id ) ?: new \WP_Error( 'not_found', 'Email not found', array( 'status' => 404 ) );
}

function route_open_email( \WP_REST_Request $r ) {
	$email = email_or_404( $r['id'] );
	if ( is_wp_error( $email ) ) {
		return $email;
	}
	open_email( $email );
	return array( 'ok' => true );
}

function route_click_email( \WP_REST_Request $r ) {
	$email = email_or_404( $r['id'] );
	if ( is_wp_error( $email ) ) {
		return $email;
	}
	click_email( $email, (string) $r['url'] );
	return array( 'ok' => true );
}

// -- funnels --------------------------------------------------------------------------------------
function funnel_or_404( $id ) {
	return Funnel::find( (int) $id ) ?: new \WP_Error( 'not_found', 'Funnel not found', array( 'status' => 404 ) );
}

function route_create_funnel( \WP_REST_Request $r ): array {
	return array( 'id' => (int) create_funnel( (array) $r->get_params() )->id );
}

function route_enter_funnel( \WP_REST_Request $r ) {
	$funnel  = funnel_or_404( $r['id'] );
	$contact = contact_or_404( $r['subscriber_id'] );
	if ( is_wp_error( $funnel ) || is_wp_error( $contact ) ) {
		return is_wp_error( $funnel ) ? $funnel : $contact;
	}
	return array( 'id' => (int) enter_funnel( $funnel, $contact, (string) ( $r['via'] ?? 'start' ), (string) ( $r['status'] ?? 'active' ) )->id );
}

function route_complete_funnel( \WP_REST_Request $r ) {
	$funnel  = funnel_or_404( $r['id'] );
	$contact = contact_or_404( $r['subscriber_id'] );
	if ( is_wp_error( $funnel ) || is_wp_error( $contact ) ) {
		return is_wp_error( $funnel ) ? $funnel : $contact;
	}
	complete_funnel( $funnel, $contact, (bool) $r['twice'] );
	return array( 'ok' => true );
}

function route_funnel_row_status( \WP_REST_Request $r ) {
	$funnel = funnel_or_404( $r['id'] );
	return is_wp_error( $funnel ) ? $funnel : array( 'changed' => null !== set_funnel_row_status( $funnel, (int) $r['sid'], (string) $r['status'] ) );
}

function route_remove_from_funnel( \WP_REST_Request $r ) {
	$funnel = funnel_or_404( $r['id'] );
	return is_wp_error( $funnel ) ? $funnel : array( 'removed' => remove_from_funnel( $funnel, (array) $r['subscriber_ids'] ) );
}

function route_delete_funnel( \WP_REST_Request $r ) {
	$funnel = funnel_or_404( $r['id'] );
	if ( is_wp_error( $funnel ) ) {
		return $funnel;
	}
	delete_funnel( $funnel );
	return array( 'deleted' => true );
}

function route_remove_funnel_rows( \WP_REST_Request $r ): array {
	return array( 'removed' => remove_funnel_rows( (array) $r['funnel_subscriber_ids'] ) );
}

function route_funnels_bulk_action( \WP_REST_Request $r ) {
	if ( 'delete_funnels' !== $r['action_name'] ) {
		return new \WP_Error( 'invalid_action', 'Unknown bulk action', array( 'status' => 422 ) );
	}
	delete_funnels( (array) $r['funnel_ids'] );
	return array( 'message' => 'Selected Funnels has been deleted permanently' );
}

function route_create_sequence( \WP_REST_Request $r ): array {
	return array( 'id' => create_sequence( (string) $r['title'] ) );
}

function route_complete_sequence( \WP_REST_Request $r ): array {
	complete_sequence( (int) $r['id'], (int) $r['subscriber_id'] );
	return array( 'ok' => true );
}

// -- stores ---------------------------------------------------------------------------------------
function route_woo_create( \WP_REST_Request $r ): array {
	return array( 'id' => woocommerce_create_order( (array) $r->get_params(), (bool) $r['id_only'] ) );
}

/** The buyer's checkout: its request carries the buyer's cookies (fc_cid of a tracked click). */
function route_woo_checkout( \WP_REST_Request $r ): array {
	return array( 'id' => woocommerce_checkout( (array) $r->get_params() ) );
}

function route_woo_process( \WP_REST_Request $r ): array {
	woocommerce_process_order( (int) $r['id'] );
	return array( 'ok' => true );
}

function route_woo_complete( \WP_REST_Request $r ): array {
	woocommerce_complete_order( (int) $r['id'] );
	return array( 'ok' => true );
}

function route_woo_refund( \WP_REST_Request $r ): array {
	return array( 'refund_id' => woocommerce_refund_order( (int) $r['id'], (string) ( $r['amount'] ?? '0' ) ) );
}

function route_cart_create( \WP_REST_Request $r ): array {
	return array( 'id' => fluentcart_create_order( (array) $r->get_params() ) );
}

function route_cart_pay( \WP_REST_Request $r ): array {
	fluentcart_pay_order( (int) $r['id'] );
	return array( 'ok' => true );
}

function route_cart_complete( \WP_REST_Request $r ): array {
	fluentcart_complete_order( (int) $r['id'] );
	return array( 'ok' => true );
}

function route_cart_refund( \WP_REST_Request $r ): array {
	fluentcart_refund_order( (int) $r['id'] );
	return array( 'ok' => true );
}

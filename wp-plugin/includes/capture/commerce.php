<?php
/**
 * Commerce events from the store plugins' own hooks (FluentCRM free has none):
 * WooCommerce and FluentCart orders created, completed, refunded, and revenue attributed to a
 * FluentCRM campaign (docs/events.md says when each fires).
 *
 * Attribution, as FluentCRM (Pro for WooCommerce, its FluentCart integration) does it: a tracked
 * click in a campaign's email sets the cookie `fc_cid` in the buyer's browser; the order created
 * in the buyer's own request (checkout) gets the meta `_fc_cid` from it, unless it has one; from
 * then on only the order's meta counts. Never the cookie of a later request: that is usually an
 * admin's, completing or marking the order paid.
 *
 * Revenue: when FluentCRM Pro records campaign revenue, at WooCommerce's `processing` or
 * `completed` (whichever comes first), and at FluentCart's payment (`order_paid`, or
 * `order_paid_done`); one event per order ever. Orders still unpaid (`pending`, `on-hold`: an
 * offline payment method) are created, not revenue.
 *
 * Without FluentCRM Pro nothing writes `_fc_cid`: the plugin writes it at checkout as Pro does (and
 * never over Pro's), so FluentCRM's own campaign revenue report lists the same orders.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * `woocommerce_checkout_create_order` `(order, data)` (classic checkout) and
 * `woocommerce_store_api_checkout_update_order_meta` `(order)` (block checkout): the buyer's
 * request, on the order about to be saved.
 *
 * @since 0.1.0
 *
 * @param WC_Order $order Order.
 */
function fcwh_attribute_woocommerce_checkout( $order ): void {
	if ( ! is_object( $order ) || ! method_exists( $order, 'update_meta_data' ) || null !== fcwh_int_or_null( $order->get_meta( '_fc_cid' ) ) ) {
		return;
	}
	$campaign_id = fcwh_buyer_campaign_id( (int) $order->get_customer_id() );
	if ( null === $campaign_id ) {
		return;
	}
	$order->update_meta_data( '_fc_cid', $campaign_id );
	if ( $order->get_id() ) {
		$order->save(); // The block checkout's order exists already; the classic one is saved next by WooCommerce.
	}
}

/**
 * `woocommerce_new_order` `(order id, order)`: every new order, paid or not; some code passes the id only.
 *
 * @since 0.1.0
 *
 * @param int           $order_id Order id.
 * @param WC_Order|null $order    Order.
 */
function fcwh_capture_woocommerce_order_created( $order_id, $order = null ): void {
	if ( fcwh_wants( 'commerce.order_created' ) ) {
		fcwh_emit_woocommerce_order_event( 'commerce.order_created', $order_id, $order );
	}
}

/**
 * `woocommerce_order_status_completed` `(order id, order)`: completed, and revenue.
 *
 * @since 0.1.0
 *
 * @param int           $order_id Order id.
 * @param WC_Order|null $order    Order.
 */
function fcwh_capture_woocommerce_order_completed( $order_id, $order = null ): void {
	if ( fcwh_wants( 'commerce.order_completed' ) ) {
		fcwh_emit_woocommerce_order_event( 'commerce.order_completed', $order_id, $order );
	}
	fcwh_capture_woocommerce_order_paid( $order_id, $order );
}

/**
 * `woocommerce_order_status_processing` `(order id, order)` (paid, not yet shipped), and the
 * completion: revenue of an attributed order.
 *
 * @since 0.1.0
 *
 * @param int           $order_id Order id.
 * @param WC_Order|null $order    Order.
 */
function fcwh_capture_woocommerce_order_paid( $order_id, $order = null ): void {
	if ( ! fcwh_wants( 'commerce.revenue_recorded' ) ) {
		return;
	}
	$order = is_object( $order ) ? $order : ( function_exists( 'wc_get_order' ) ? wc_get_order( $order_id ) : null );
	if ( is_object( $order ) ) {
		fcwh_emit_revenue( fcwh_woocommerce_order_data( $order ), fcwh_woocommerce_order_contact( $order ), fcwh_int_or_null( $order->get_meta( '_fc_cid' ) ) );
	}
}

/**
 * `woocommerce_order_refunded` `(order id, refund id)`.
 *
 * @since 0.1.0
 *
 * @param int $order_id  Order id.
 * @param int $refund_id Refund id.
 */
function fcwh_capture_woocommerce_order_refunded( $order_id, $refund_id = 0 ): void {
	if ( ! fcwh_wants( 'commerce.order_refunded' ) ) {
		return;
	}
	$refund = $refund_id && function_exists( 'wc_get_order' ) ? wc_get_order( $refund_id ) : null;
	fcwh_emit_woocommerce_order_event(
		'commerce.order_refunded',
		$order_id,
		null,
		array(
			'refund' => array(
				'id'     => fcwh_int_or_null( $refund_id ),
				'amount' => $refund && method_exists( $refund, 'get_amount' ) ? (float) $refund->get_amount() : null,
			),
		)
	);
}

/**
 * Emits an order event for a WooCommerce order.
 *
 * @since 0.1.0
 *
 * @param string        $type     Event type.
 * @param mixed         $order_id Order id.
 * @param WC_Order|null $order    Order, loaded when missing.
 * @param array         $extra    More `data`.
 * @return WC_Order|null The order.
 */
function fcwh_emit_woocommerce_order_event( string $type, $order_id, $order, array $extra = array() ) {
	if ( ! is_object( $order ) && function_exists( 'wc_get_order' ) ) {
		$order = wc_get_order( $order_id );
	}
	if ( ! is_object( $order ) ) {
		return null;
	}
	fcwh_emit_order_event( $type, fcwh_woocommerce_order_data( $order ), fcwh_woocommerce_order_contact( $order ), $extra );
	return $order;
}

/**
 * A WooCommerce order as `order`.
 *
 * @since 0.1.0
 *
 * @param WC_Order $order Order.
 */
function fcwh_woocommerce_order_data( $order ): array {
	return array(
		'id'             => (int) $order->get_id(),
		'status'         => (string) $order->get_status(),
		'total'          => (float) $order->get_total(),
		'currency'       => (string) $order->get_currency(),
		'provider'       => 'woocommerce',
		'customer_email' => fcwh_string_or_null( $order->get_billing_email() ),
	);
}

/**
 * The FluentCRM contact of a WooCommerce order, or null.
 *
 * @since 0.1.0
 *
 * @param WC_Order $order Order.
 * @return object|null
 */
function fcwh_woocommerce_order_contact( $order ) {
	return fcwh_find_contact_for_customer( (string) $order->get_billing_email(), (int) $order->get_customer_id() );
}

/**
 * `fluent_cart/order_created` `(['order', 'prevOrder', 'customer', 'transaction'])`: every new
 * order, paid or not (an offline payment method, an order an admin creates). In the buyer's own
 * request the order gets `_fc_cid` from the buyer's cookie.
 *
 * @since 0.1.0
 *
 * @param array $data Hook data.
 */
function fcwh_capture_fluentcart_order_created( $data ): void {
	$data  = (array) $data;
	$order = $data['order'] ?? null;
	if ( is_object( $order ) && method_exists( $order, 'updateMeta' ) && null === fcwh_fluentcart_order_campaign_id( $order ) ) {
		$customer    = is_object( $data['customer'] ?? null ) ? $data['customer'] : ( $order->customer ?? null );
		$campaign_id = fcwh_buyer_campaign_id( (int) ( is_object( $customer ) ? ( $customer->user_id ?? 0 ) : 0 ) );
		if ( null !== $campaign_id ) {
			$order->updateMeta( '_fc_cid', $campaign_id );
		}
	}
	if ( fcwh_wants( 'commerce.order_created' ) ) {
		fcwh_emit_fluentcart_order_event( 'commerce.order_created', $data );
	}
}

/**
 * `fluent_cart/order_paid` and `fluent_cart/order_paid_done` `(['order', 'customer',
 * 'transaction'])`: revenue of an attributed order. FluentCart fires `order_paid` when a payment
 * succeeds (at checkout, from a gateway's webhook, an admin marking an offline order paid) and
 * `order_paid_done` after it; other plugins fire `order_paid_done` alone to replay a payment.
 * Either one records the revenue, once.
 *
 * @since 0.1.0
 *
 * @param array $data Hook data.
 */
function fcwh_capture_fluentcart_order_paid( $data ): void {
	$data  = (array) $data;
	$order = $data['order'] ?? null;
	if ( is_object( $order ) && fcwh_wants( 'commerce.revenue_recorded' ) ) {
		$customer = $data['customer'] ?? null;
		fcwh_emit_revenue( fcwh_fluentcart_order_data( $order, $customer ), fcwh_fluentcart_order_contact( $order, $customer ), fcwh_fluentcart_order_campaign_id( $order ) );
	}
}

/**
 * The campaign in a FluentCart order's `_fc_cid` meta, or null.
 *
 * @since 0.1.0
 *
 * @param object $order FluentCart Order.
 */
function fcwh_fluentcart_order_campaign_id( $order ): ?int {
	return method_exists( $order, 'getMeta' ) ? fcwh_int_or_null( $order->getMeta( '_fc_cid', null ) ) : null;
}

/**
 * `fluent_cart/order_status_changed` `(['order', 'old_status', 'new_status', ...])`: completed only.
 *
 * @since 0.1.0
 *
 * @param array $data Hook data.
 */
function fcwh_capture_fluentcart_status_changed( $data ): void {
	$data = (array) $data;
	if ( 'completed' === ( $data['new_status'] ?? '' ) && fcwh_wants( 'commerce.order_completed' ) ) {
		fcwh_emit_fluentcart_order_event( 'commerce.order_completed', $data );
	}
}

/**
 * `fluent_cart/order_fully_refunded` `(['order', ...])`.
 *
 * @since 0.1.0
 *
 * @param array $data Hook data.
 */
function fcwh_capture_fluentcart_order_refunded( $data ): void {
	if ( fcwh_wants( 'commerce.order_refunded' ) ) {
		fcwh_emit_fluentcart_order_event( 'commerce.order_refunded', (array) $data );
	}
}

/**
 * Emits an order event for a FluentCart order.
 *
 * @since 0.1.0
 *
 * @param string $type Event type.
 * @param array  $data Hook data with `order` (and maybe `customer`).
 */
function fcwh_emit_fluentcart_order_event( string $type, array $data ): void {
	$order    = $data['order'] ?? null;
	$customer = $data['customer'] ?? null;
	if ( is_object( $order ) ) {
		fcwh_emit_order_event( $type, fcwh_fluentcart_order_data( $order, $customer ), fcwh_fluentcart_order_contact( $order, $customer ) );
	}
}

/**
 * A FluentCart order as `order` (FluentCart keeps amounts in cents).
 *
 * @since 0.1.0
 *
 * @param object      $order    FluentCart Order.
 * @param object|null $customer FluentCart Customer, when the hook passed it.
 */
function fcwh_fluentcart_order_data( $order, $customer ): array {
	$customer = is_object( $customer ) ? $customer : ( $order->customer ?? null );
	return array(
		'id'             => (int) $order->id,
		'status'         => (string) $order->status,
		'total'          => round( (float) ( $order->total_amount ?? 0 ) / 100, 2 ),
		'currency'       => (string) ( $order->currency ?? '' ),
		'provider'       => 'fluentcart',
		'customer_email' => is_object( $customer ) ? fcwh_string_or_null( $customer->email ?? null ) : null,
	);
}

/**
 * The FluentCRM contact of a FluentCart order, or null.
 *
 * @since 0.1.0
 *
 * @param object      $order    FluentCart Order.
 * @param object|null $customer FluentCart Customer.
 * @return object|null
 */
function fcwh_fluentcart_order_contact( $order, $customer ) {
	$customer = is_object( $customer ) ? $customer : ( $order->customer ?? null );
	if ( ! is_object( $customer ) ) {
		return null;
	}
	return fcwh_find_contact_for_customer( (string) ( $customer->email ?? '' ), (int) ( $customer->user_id ?? 0 ) );
}

/**
 * Emits an order event once per order and type in the request.
 *
 * @since 0.1.0
 *
 * @param string      $type    Event type.
 * @param array       $order   Order data.
 * @param object|null $contact FluentCRM contact.
 * @param array       $extra   More `data`.
 */
function fcwh_emit_order_event( string $type, array $order, $contact, array $extra = array() ): void {
	fcwh_emit(
		$type,
		static function () use ( $order, $contact, $extra ) {
			return array(
				'order'   => $order,
				'contact' => fcwh_contact_data( $contact ),
			) + $extra;
		},
		array( 'dedupe_key' => $order['provider'] . ':' . $order['id'] )
	);
}

/**
 * The campaign of FluentCRM's attribution cookie (set by a tracked click) when this request is the
 * buyer's own: a guest, or the order's customer signed in, and the campaign exists. An admin
 * creating an order for a customer carries the admin's cookie, not the buyer's.
 *
 * @since 0.1.0
 *
 * @param int $customer_user_id The order customer's WordPress user id, 0 for a guest.
 */
function fcwh_buyer_campaign_id( int $customer_user_id ): ?int {
	if ( ! fcwh_is_buyers_request( get_current_user_id(), $customer_user_id ) || ! isset( $_COOKIE['fc_cid'] ) ) {
		return null;
	}
	// A cookie naming no campaign row (forged, or deleted since the click) attributes nothing.
	$campaign_id = fcwh_int_or_null( sanitize_text_field( wp_unslash( $_COOKIE['fc_cid'] ) ) );
	return null !== $campaign_id && null !== fcwh_campaign_row_title( $campaign_id ) ? $campaign_id : null;
}

/**
 * The title of a row of FluentCRM's fc_campaigns, any type, or null when there is no such row.
 * The click that set `fc_cid` may come from a campaign, an automation email or a one-off email
 * (rows of types the Campaign model hides); FluentCRM attributes revenue to each alike.
 *
 * @since 0.1.0
 *
 * @param int $campaign_id Row id.
 */
function fcwh_campaign_row_title( int $campaign_id ): ?string {
	global $wpdb;
	$quiet = $wpdb->suppress_errors( true );
	$row   = $wpdb->get_row( $wpdb->prepare( "SELECT title FROM {$wpdb->prefix}fc_campaigns WHERE id = %d", $campaign_id ), ARRAY_A ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	$wpdb->suppress_errors( $quiet );
	return is_array( $row ) ? (string) $row['title'] : null;
}

/**
 * Whether the request's user can be the buyer of an order of that customer. Pure.
 *
 * @since 0.1.0
 *
 * @param int $current_user_id  Signed-in user, 0 for none.
 * @param int $customer_user_id The order customer's user id, 0 for a guest customer.
 */
function fcwh_is_buyers_request( int $current_user_id, int $customer_user_id ): bool {
	return 0 === $current_user_id || $current_user_id === $customer_user_id;
}

/**
 * commerce.revenue_recorded for an order attributed to a campaign, with a total above zero; one
 * event per order ever (a stable event id: the sidecar drops a repeat from a later request).
 *
 * @since 0.1.0
 *
 * @param array       $order       Order data.
 * @param object|null $contact     FluentCRM contact.
 * @param int|null    $campaign_id Attributed campaign, null when none.
 */
function fcwh_emit_revenue( array $order, $contact, ?int $campaign_id ): void {
	if ( null === $campaign_id || $order['total'] <= 0 ) {
		return;
	}
	fcwh_emit(
		'commerce.revenue_recorded',
		static function () use ( $order, $contact, $campaign_id ) {
			$campaign = fcwh_find_model( 'Campaign', $campaign_id );
			return array(
				// An automation or one-off email's row: its id and title (null once deleted).
				'campaign' => $campaign ? fcwh_campaign_data( $campaign ) : array(
					'id'    => $campaign_id,
					'title' => fcwh_string_or_null( fcwh_campaign_row_title( $campaign_id ) ),
				),
				'amount'   => $order['total'],
				'currency' => $order['currency'],
				'order'    => $order,
				'contact'  => fcwh_contact_data( $contact ),
			);
		},
		array(
			'dedupe_key' => $order['provider'] . ':' . $order['id'],
			'id'         => fcwh_stable_event_id( 'commerce.revenue_recorded|' . $order['provider'] . '|' . $order['id'] ),
		)
	);
}

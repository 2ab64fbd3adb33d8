<?php
/**
 * Commerce events from the store plugins' own hooks (FluentCRM free has none):
 * WooCommerce and FluentCart orders created, completed, refunded, and revenue attributed to a
 * FluentCRM campaign.
 *
 * Revenue: FluentCRM attributes an order to the campaign whose tracked link the buyer clicked
 * (cookie `fc_cid`, copied to the WooCommerce order as meta `_fc_cid`). An attributed order's
 * completion is reported as commerce.revenue_recorded, once per order.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * `woocommerce_new_order` `(order id, order)`; some code passes the id only.
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
 * `woocommerce_order_status_completed` `(order id, order)`.
 *
 * @since 0.1.0
 *
 * @param int           $order_id Order id.
 * @param WC_Order|null $order    Order.
 */
function fcwh_capture_woocommerce_order_completed( $order_id, $order = null ): void {
	if ( ! fcwh_wants( 'commerce.order_completed' ) && ! fcwh_wants( 'commerce.revenue_recorded' ) ) {
		return;
	}
	$order = fcwh_emit_woocommerce_order_event( 'commerce.order_completed', $order_id, $order );
	if ( $order ) {
		$campaign_id = fcwh_int_or_null( $order->get_meta( '_fc_cid' ) ) ?? fcwh_campaign_id_from_cookie();
		fcwh_emit_revenue( fcwh_woocommerce_order_data( $order ), fcwh_woocommerce_order_contact( $order ), $campaign_id );
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
 * `fluent_cart/order_paid_done` `(['order', 'customer', 'transaction'])`.
 *
 * @since 0.1.0
 *
 * @param array $data Hook data.
 */
function fcwh_capture_fluentcart_order_paid( $data ): void {
	if ( fcwh_wants( 'commerce.order_created' ) ) {
		fcwh_emit_fluentcart_order_event( 'commerce.order_created', (array) $data );
	}
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
	if ( 'completed' !== ( $data['new_status'] ?? '' ) || ( ! fcwh_wants( 'commerce.order_completed' ) && ! fcwh_wants( 'commerce.revenue_recorded' ) ) ) {
		return;
	}
	fcwh_emit_fluentcart_order_event( 'commerce.order_completed', $data );
	$order = $data['order'] ?? null;
	if ( is_object( $order ) ) {
		$campaign_id = method_exists( $order, 'getMeta' ) ? fcwh_int_or_null( $order->getMeta( '_fc_cid', null ) ) : null;
		fcwh_emit_revenue( fcwh_fluentcart_order_data( $order, $data['customer'] ?? null ), fcwh_fluentcart_order_contact( $order, $data['customer'] ?? null ), $campaign_id ?? fcwh_campaign_id_from_cookie() );
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
		array(
			'order'   => $order,
			'contact' => fcwh_contact_data( $contact ),
		) + $extra,
		array( 'dedupe_key' => $order['provider'] . ':' . $order['id'] )
	);
}

/**
 * The campaign of FluentCRM's attribution cookie (set by a tracked click), or null.
 *
 * @since 0.1.0
 */
function fcwh_campaign_id_from_cookie(): ?int {
	return isset( $_COOKIE['fc_cid'] ) ? fcwh_int_or_null( sanitize_text_field( wp_unslash( $_COOKIE['fc_cid'] ) ) ) : null;
}

/**
 * commerce.revenue_recorded for an order attributed to a campaign; one event per order ever.
 *
 * @since 0.1.0
 *
 * @param array       $order       Order data.
 * @param object|null $contact     FluentCRM contact.
 * @param int|null    $campaign_id Attributed campaign, null when none.
 */
function fcwh_emit_revenue( array $order, $contact, ?int $campaign_id ): void {
	if ( null === $campaign_id || ! fcwh_wants( 'commerce.revenue_recorded' ) ) {
		return;
	}
	$campaign = fcwh_find_model( 'Campaign', $campaign_id );
	fcwh_emit(
		'commerce.revenue_recorded',
		array(
			'campaign' => $campaign ? fcwh_campaign_data( $campaign ) : array(
				'id'    => $campaign_id,
				'title' => null,
			),
			'amount'   => $order['total'],
			'currency' => $order['currency'],
			'order'    => $order,
			'contact'  => fcwh_contact_data( $contact ),
		),
		array(
			'dedupe_key' => $order['provider'] . ':' . $order['id'],
			'id'         => fcwh_stable_event_id( 'commerce.revenue_recorded|' . $order['provider'] . '|' . $order['id'] ),
		)
	);
}

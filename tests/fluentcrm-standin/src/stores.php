<?php
/**
 * Store plugins played by the stand-in: just enough WooCommerce (WC_Order, wc_get_order) and
 * FluentCart (order objects) to fire their real order hooks with their real argument shapes.
 * Defined only when the real plugins are absent.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

/** A stored order row. */
function order_row( int $id ): ?array {
	global $wpdb;
	$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$wpdb->prefix}fcstandin_orders WHERE id = %d", $id ), ARRAY_A );
	return $row ?: null;
}

function insert_order( array $fields ): int {
	global $wpdb;
	$wpdb->insert( $wpdb->prefix . 'fcstandin_orders', $fields + array( 'created_at' => current_time( 'mysql' ) ) );
	return (int) $wpdb->insert_id;
}

function set_order_status( int $id, string $status ): void {
	global $wpdb;
	$wpdb->update( $wpdb->prefix . 'fcstandin_orders', array( 'status' => $status ), array( 'id' => $id ) );
}

/** The order meta `_fc_cid`, kept in the row's fc_cid column. */
function set_order_campaign( int $id, $campaign_id ): void {
	global $wpdb;
	$wpdb->update( $wpdb->prefix . 'fcstandin_orders', array( 'fc_cid' => (int) $campaign_id ?: null ), array( 'id' => $id ) );
}

// -- WooCommerce --------------------------------------------------------------------------------
/** `woocommerce_new_order` with `(id, order)`, or the id only as some third-party code does. */
function woocommerce_create_order( array $fields, bool $id_only ): int {
	$id = insert_order(
		array(
			'provider' => 'woocommerce',
			'status'   => 'pending',
			'total'    => $fields['total'] ?? '0',
			'currency' => $fields['currency'] ?? 'USD',
			'email'    => $fields['email'] ?? '',
			'user_id'  => (int) ( $fields['user_id'] ?? 0 ),
			'fc_cid'   => isset( $fields['fc_cid'] ) ? (int) $fields['fc_cid'] : null,
		)
	);
	if ( $id_only ) {
		do_action( 'woocommerce_new_order', $id );
	} else {
		do_action( 'woocommerce_new_order', $id, wc_get_order( $id ) );
	}
	return $id;
}

/**
 * The buyer's checkout request (the current user is the customer). Classic checkout
 * (WC_Checkout::create_order()): `woocommerce_checkout_create_order` `(order, data)` fires on the
 * unsaved order, where FluentCRM Pro writes `_fc_cid` from the buyer's cookie; saving it fires
 * `woocommerce_new_order`. Block checkout (`block`: the Store API): the order exists already (a
 * draft, saved: `woocommerce_new_order`), then `woocommerce_store_api_checkout_update_order_meta`
 * `(order)` fires on it.
 */
function woocommerce_checkout( array $fields ): int {
	$order = new \WC_Order(
		array(
			'provider' => 'woocommerce',
			'status'   => 'pending',
			'total'    => $fields['total'] ?? '0',
			'currency' => $fields['currency'] ?? 'USD',
			'email'    => $fields['email'] ?? '',
			'user_id'  => get_current_user_id(),
			'fc_cid'   => null,
		)
	);
	if ( ! empty( $fields['block'] ) ) {
		$order->save();
		do_action( 'woocommerce_store_api_checkout_update_order_meta', $order );
		return $order->get_id();
	}
	do_action( 'woocommerce_checkout_create_order', $order, $fields );
	return $order->save();
}

/** A payment completed: the order moves to processing (`woocommerce_order_status_processing`). */
function woocommerce_process_order( int $id ): void {
	set_order_status( $id, 'processing' );
	do_action( 'woocommerce_order_status_processing', $id, wc_get_order( $id ) );
}

function woocommerce_complete_order( int $id ): void {
	set_order_status( $id, 'completed' );
	do_action( 'woocommerce_order_status_completed', $id, wc_get_order( $id ) );
}

function woocommerce_refund_order( int $id, string $amount ): int {
	$refund_id = insert_order(
		array(
			'provider'  => 'woocommerce',
			'parent_id' => $id,
			'status'    => 'completed',
			'total'     => $amount,
		)
	);
	set_order_status( $id, 'refunded' );
	do_action( 'woocommerce_order_refunded', $id, $refund_id );
	return $refund_id;
}

// -- FluentCart ---------------------------------------------------------------------------------
/** A FluentCart order as its hooks pass it: amounts in cents, a customer relation, getMeta(). */
class CartOrder {
	public $id;
	public $status;
	public $total_amount;
	public $currency;
	public $customer;
	/** @var int|null */
	private $fc_cid;

	public function __construct( array $row ) {
		$this->id           = $row['id'];
		$this->status       = $row['status'];
		$this->total_amount = (float) $row['total'] * 100;
		$this->currency     = $row['currency'];
		$this->customer     = (object) array(
			'id'      => (string) ( 1000 + (int) $row['id'] ),
			'email'   => $row['email'],
			'user_id' => $row['user_id'],
		);
		$this->fc_cid       = $row['fc_cid'];
	}

	public function getMeta( $key, $default = false ) {
		return '_fc_cid' === $key && $this->fc_cid ? $this->fc_cid : $default;
	}

	public function updateMeta( $key, $value ) {
		if ( '_fc_cid' === $key ) {
			$this->fc_cid = $value;
			set_order_campaign( (int) $this->id, $value );
		}
	}
}

function fluentcart_order( int $id ): CartOrder {
	return new CartOrder( order_row( $id ) );
}

/**
 * A FluentCart order: `fluent_cart/order_created` for every order (paid at checkout, or left
 * unpaid: an offline payment method, an order an admin creates). `paid` (default true) pays it
 * right away (fluentcart_pay_order). `checkout` makes the current user the customer (the buyer's
 * own request); otherwise the customer is `user_id` (0: a guest), as when an admin creates it.
 */
function fluentcart_create_order( array $fields ): int {
	$paid  = (bool) ( $fields['paid'] ?? true );
	$id    = insert_order(
		array(
			'provider' => 'fluentcart',
			'status'   => 'pending',
			'total'    => $fields['total'] ?? '0',
			'currency' => $fields['currency'] ?? 'USD',
			'email'    => $fields['email'] ?? '',
			'user_id'  => ! empty( $fields['checkout'] ) ? get_current_user_id() : (int) ( $fields['user_id'] ?? 0 ),
			'fc_cid'   => isset( $fields['fc_cid'] ) ? (int) $fields['fc_cid'] : null,
		)
	);
	$order = fluentcart_order( $id );
	do_action(
		'fluent_cart/order_created',
		array(
			'order'       => $order,
			'prevOrder'   => null,
			'customer'    => $order->customer,
			'transaction' => null,
		)
	);
	if ( $paid ) {
		fluentcart_pay_order( $id );
	}
	return $id;
}

/**
 * The order's payment succeeded (at checkout, by a gateway's webhook, or an admin marking an
 * offline payment paid): `fluent_cart/order_paid`, then the `order_paid_done` FluentCart fires for
 * third parties (in a background request of its own; here in the same request).
 */
function fluentcart_pay_order( int $id ): void {
	set_order_status( $id, 'processing' );
	$order = fluentcart_order( $id );
	$data  = array(
		'order'       => $order,
		'customer'    => $order->customer,
		'transaction' => (object) array(
			'id'     => $id,
			'status' => 'succeeded',
		),
	);
	do_action( 'fluent_cart/order_paid', $data );
	do_action( 'fluent_cart/order_paid_done', $data );
}

function fluentcart_complete_order( int $id ): void {
	set_order_status( $id, 'completed' );
	do_action(
		'fluent_cart/order_status_changed',
		array(
			'order'       => fluentcart_order( $id ),
			'old_status'  => 'processing',
			'new_status'  => 'completed',
			'manage_stock' => true,
		)
	);
}

function fluentcart_refund_order( int $id ): void {
	set_order_status( $id, 'refunded' );
	do_action( 'fluent_cart/order_fully_refunded', array( 'order' => fluentcart_order( $id ) ) );
}

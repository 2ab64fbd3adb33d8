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
}

function fluentcart_order( int $id ): CartOrder {
	return new CartOrder( order_row( $id ) );
}

function fluentcart_create_order( array $fields ): int {
	$id    = insert_order(
		array(
			'provider' => 'fluentcart',
			'status'   => 'processing',
			'total'    => $fields['total'] ?? '0',
			'currency' => $fields['currency'] ?? 'USD',
			'email'    => $fields['email'] ?? '',
			'fc_cid'   => isset( $fields['fc_cid'] ) ? (int) $fields['fc_cid'] : null,
		)
	);
	$order = fluentcart_order( $id );
	do_action(
		'fluent_cart/order_paid_done',
		array(
			'order'       => $order,
			'customer'    => $order->customer,
			'transaction' => (object) array( 'id' => $id, 'status' => 'succeeded' ),
		)
	);
	return $id;
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

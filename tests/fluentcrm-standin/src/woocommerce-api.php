<?php
/**
 * WooCommerce's order API (global names), only when WooCommerce itself is not loaded.
 *
 * @package FluentCRM_Standin
 */

if ( ! class_exists( 'WC_Order' ) ) {
	class WC_Order {
		/** @var array */
		private $row;

		public function __construct( array $row ) {
			$this->row = $row;
		}

		public function get_id() {
			return (int) ( $this->row['id'] ?? 0 );
		}

		public function get_status() {
			return $this->row['status'];
		}

		public function get_total() {
			return $this->row['total'];
		}

		public function get_currency() {
			return $this->row['currency'];
		}

		public function get_billing_email() {
			return $this->row['email'];
		}

		public function get_customer_id() {
			return (int) $this->row['user_id'];
		}

		public function get_amount() {
			return $this->row['total'];
		}

		public function get_meta( $key ) {
			return '_fc_cid' === $key && $this->row['fc_cid'] ? $this->row['fc_cid'] : '';
		}

		/** Meta set in memory until save(), as WooCommerce does (only `_fc_cid` is kept). */
		public function update_meta_data( $key, $value ) {
			if ( '_fc_cid' === $key ) {
				$this->row['fc_cid'] = $value;
			}
		}

		/** Saving a new order fires `woocommerce_new_order` `(id, order)` (the data store's create). */
		public function save() {
			if ( $this->get_id() ) {
				\FcStandin\set_order_campaign( $this->get_id(), $this->row['fc_cid'] );
				return $this->get_id();
			}
			$this->row['id'] = \FcStandin\insert_order( $this->row );
			$this->row       = \FcStandin\order_row( $this->row['id'] );
			do_action( 'woocommerce_new_order', $this->get_id(), $this );
			return $this->get_id();
		}
	}
}

if ( ! function_exists( 'wc_get_order' ) ) {
	function wc_get_order( $id ) {
		$row = \FcStandin\order_row( (int) $id );
		return $row ? new WC_Order( $row ) : false;
	}
}

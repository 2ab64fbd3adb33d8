<?php
/**
 * The pure decisions behind the changes FluentCRM makes in bulk: which funnel rows a funnel admin
 * request deletes (capture/funnel-exits.php), which tags or lists a delete request names
 * (capture/term-deletions.php), and whose checkout may attribute an order (capture/commerce.php).
 *
 * @package FluentCRM_Webhooks
 */

use PHPUnit\Framework\TestCase;

$fcwh_capture = dirname( __DIR__, 2 ) . '/wp-plugin/includes/capture/';
require_once $fcwh_capture . 'funnel-exits.php';
require_once $fcwh_capture . 'term-deletions.php';
require_once $fcwh_capture . 'commerce.php';
unset( $fcwh_capture );

final class BulkRemovalsTest extends TestCase {

	private const FUNNELS = '/fluent-crm/v2/funnels';

	public function test_the_funnel_routes_that_delete_rows_name_them(): void {
		$this->assertSame( array( 'funnel_id' => array( 5 ) ), fcwh_funnel_admin_request_rows( 'DELETE', self::FUNNELS . '/5', array() ) );
		$this->assertSame(
			array(
				'funnel_id'     => array( 5 ),
				'subscriber_id' => array( 2, 3 ),
			),
			fcwh_funnel_admin_request_rows( 'DELETE', self::FUNNELS . '/5/subscribers', array( 'subscriber_ids' => array( '3', 2, '3' ) ) )
		);
		$this->assertSame(
			array( 'id' => array( 8, 9 ) ),
			fcwh_funnel_admin_request_rows( 'POST', self::FUNNELS . '/remove-bulk-subscribers', array( 'funnel_subscriber_ids' => array( 9, '8' ) ) )
		);
		$this->assertSame(
			array( 'funnel_id' => array( 1, 4 ) ),
			fcwh_funnel_admin_request_rows(
				'POST',
				self::FUNNELS . '/do-bulk-action',
				array(
					'action_name' => 'delete_funnels',
					'funnel_ids'  => array( 4, 1 ),
				)
			)
		);
	}

	public function test_other_funnel_requests_and_empty_or_bad_ids_watch_nothing(): void {
		$none = array(
			array( 'GET', self::FUNNELS . '/5', array() ),
			array( 'PUT', self::FUNNELS . '/5', array( 'status' => 'draft' ) ),
			array( 'POST', self::FUNNELS . '/5/sequences', array() ),
			array( 'PUT', self::FUNNELS . '/5/subscribers/3/status', array( 'status' => 'cancelled' ) ), // a model save
			array( 'POST', self::FUNNELS . '/funnel/save-funnel-sequences', array() ),
			array( 'DELETE', self::FUNNELS . '/5/subscribers', array() ), // FluentCRM refuses it
			array( 'POST', self::FUNNELS . '/remove-bulk-subscribers', array( 'funnel_subscriber_ids' => 'x' ) ),
			array(
				'POST',
				self::FUNNELS . '/do-bulk-action',
				array(
					'action_name' => 'change_funnel_status',
					'funnel_ids'  => array( 4 ),
				),
			),
			array( 'POST', self::FUNNELS . '/do-bulk-action', array( 'action_name' => 'delete_funnels' ) ),
			array( 'DELETE', '/fluent-crm/v2/tags/5', array() ),
		);
		foreach ( $none as list( $method, $route, $params ) ) {
			$this->assertNull( fcwh_funnel_admin_request_rows( $method, $route, $params ), "$method $route" );
		}
	}

	public function test_tag_and_list_delete_requests_name_their_terms(): void {
		$this->assertSame(
			array(
				'kind' => 'tags',
				'ids'  => array( 7 ),
			),
			fcwh_term_delete_request( 'DELETE', '/fluent-crm/v2/tags/7', array() )
		);
		$this->assertSame(
			array(
				'kind' => 'lists',
				'ids'  => array( 2, 3 ),
			),
			fcwh_term_delete_request( 'POST', '/fluent-crm/v2/lists/do-bulk-action', array( 'listIds' => array( '3', 2 ) ) )
		);
		$this->assertNull( fcwh_term_delete_request( 'POST', '/fluent-crm/v2/tags/do-bulk-action', array( 'listIds' => array( 3 ) ) ) );
		$this->assertNull( fcwh_term_delete_request( 'PUT', '/fluent-crm/v2/tags/7', array() ) );
		$this->assertNull( fcwh_term_delete_request( 'GET', '/fluent-crm/v2/lists/7', array() ) );
		$this->assertNull( fcwh_term_delete_request( 'DELETE', '/fluent-crm/v2/subscribers/7', array() ) );
	}

	public function test_only_the_buyer_s_own_request_can_attribute_an_order(): void {
		$this->assertTrue( fcwh_is_buyers_request( 0, 0 ) ); // a guest checking out
		$this->assertTrue( fcwh_is_buyers_request( 0, 12 ) ); // a customer's order placed signed out
		$this->assertTrue( fcwh_is_buyers_request( 12, 12 ) );
		$this->assertFalse( fcwh_is_buyers_request( 1, 12 ) ); // an admin, for a customer
		$this->assertFalse( fcwh_is_buyers_request( 1, 0 ) ); // an admin, for a guest
	}
}

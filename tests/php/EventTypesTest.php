<?php
/**
 * event-types.php, the one table of the event types, and what reads it: the admin screen's
 * catalog and the subscriptions. (tests/php/test_vocabulary.py holds the table to the sidecar
 * and the docs.)
 *
 * @package FluentCRM_Webhooks
 */

use PHPUnit\Framework\TestCase;

final class EventTypesTest extends TestCase {

	public function test_26_types_each_in_the_group_its_name_starts_with(): void {
		$table = fcwh_event_type_table();

		$this->assertCount( 26, $table );
		$this->assertSame( array_keys( $table ), fcwh_event_types() );
		foreach ( $table as $name => $type ) {
			$this->assertSame( strtok( $name, '.' ), $type['group'], $name );
			$this->assertArrayHasKey( $type['group'], fcwh_event_groups(), $name );
			$this->assertNotSame( '', $type['label'], $name );
		}
	}

	public function test_the_types_are_listed_group_by_group_in_the_groups_order(): void {
		$groups_in_table_order = array_values( array_unique( array_column( fcwh_event_type_table(), 'group' ) ) );

		$this->assertSame( array_keys( fcwh_event_groups() ), $groups_in_table_order );
	}

	public function test_every_type_has_a_source(): void {
		foreach ( fcwh_event_type_table() as $name => $type ) {
			$this->assertNotEmpty( array_merge( $type['hooks'], $type['models'] ), $name );
			$this->assertSame( array_values( array_unique( $type['hooks'] ) ), $type['hooks'], "$name lists a hook twice" );
			foreach ( $type['models'] as $model_event ) {
				$this->assertMatchesRegularExpression( '/^[A-Z][A-Za-z]+\.[a-z]+$/', $model_event, $name );
			}
		}
	}

	public function test_needs_are_the_store_or_fluentcrm_pro(): void {
		$needs = array_map( static fn( $type ) => $type['needs'], fcwh_event_type_table() );

		$this->assertSame( array( 'funnel.sequence_completed' ), array_keys( $needs, FCWH_EVENT_NEEDS_FLUENTCRM_PRO, true ) );
		$this->assertSame(
			array( 'commerce.order_created', 'commerce.order_completed', 'commerce.order_refunded', 'commerce.revenue_recorded' ),
			array_keys( $needs, FCWH_EVENT_NEEDS_STORE, true )
		);
		$this->assertCount( 21, array_keys( $needs, null, true ) );
	}

	public function test_the_catalog_is_the_table_grouped_and_marked_for_this_site(): void {
		// No store plugin and no FluentCRM Pro in this process.
		$catalog = fcwh_admin_event_catalog();

		$this->assertSame( array_keys( fcwh_event_groups() ), array_column( $catalog, 'key' ) );
		$this->assertSame( array_values( fcwh_event_groups() ), array_column( $catalog, 'label' ) );
		$events = array_merge( ...array_column( $catalog, 'events' ) );
		$this->assertSame( fcwh_event_types(), array_column( $events, 'name' ) );
		$this->assertSame( array_column( fcwh_event_type_table(), 'label' ), array_column( $events, 'description' ) );

		$unavailable = array_keys( array_filter( array_column( $events, 'unavailable', 'name' ) ) );
		$this->assertSame(
			array( 'funnel.sequence_completed', 'commerce.order_created', 'commerce.order_completed', 'commerce.order_refunded', 'commerce.revenue_recorded' ),
			$unavailable
		);
	}

	public function test_a_type_needing_nothing_is_always_available(): void {
		$this->assertNull( fcwh_admin_event_unavailable_reason( null ) );
	}

	public function test_only_webhooks_that_record_events_count_as_subscriptions(): void {
		$webhooks = array(
			array( 'status' => FCWH_WEBHOOK_ACTIVE, 'events' => array( 'contact.created', 'email.sent' ) ),
			array( 'status' => FCWH_WEBHOOK_FAILED, 'events' => array( 'email.sent', 'campaign.sent' ) ),
			array( 'status' => FCWH_WEBHOOK_INACTIVE, 'events' => array( 'contact.deleted' ) ),
			array( 'status' => FCWH_WEBHOOK_ACTIVE, 'events' => 'contact.updated' ),
			array( 'events' => array( 'contact.updated' ) ),
		);

		$this->assertSame( array( 'contact.created', 'email.sent', 'campaign.sent' ), fcwh_events_of_listening_webhooks( $webhooks ) );
	}
}

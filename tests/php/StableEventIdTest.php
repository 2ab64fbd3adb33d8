<?php
/**
 * event-buffer.php: fcwh_stable_event_id(), the ids that make a fact one event ever.
 *
 * @package FluentCRM_Webhooks
 */

use PHPUnit\Framework\TestCase;

final class StableEventIdTest extends TestCase {

	protected function tearDown(): void {
		FCWH_Test_World::reset();
	}

	public function test_it_is_a_version_5_uuid(): void {
		$id = fcwh_stable_event_id( 'campaign.sent|12|2024-01-15T10:30:00Z' );

		$this->assertMatchesRegularExpression( '/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $id );
	}

	public function test_the_same_fact_gets_the_same_id_from_any_request(): void {
		$this->assertSame(
			fcwh_stable_event_id( 'commerce.revenue_recorded|woocommerce|41' ),
			fcwh_stable_event_id( 'commerce.revenue_recorded|woocommerce|41' )
		);
	}

	public function test_another_fact_gets_another_id(): void {
		$this->assertNotSame(
			fcwh_stable_event_id( 'commerce.revenue_recorded|woocommerce|41' ),
			fcwh_stable_event_id( 'commerce.revenue_recorded|fluentcart|41' )
		);
	}

	public function test_two_sites_sharing_a_sidecar_do_not_collide(): void {
		$here = fcwh_stable_event_id( 'campaign.sent|1|2024-01-15T10:30:00Z' );
		FCWH_Test_World::$home = 'http://127.0.0.2:8080';

		$this->assertNotSame( $here, fcwh_stable_event_id( 'campaign.sent|1|2024-01-15T10:30:00Z' ) );
	}

	public function test_an_id_never_changes_between_releases(): void {
		// Pinned: a fact reported again after an update must keep its id, or it becomes a new event.
		$this->assertSame( 'c4a38126-66f6-5e69-bfb3-c11140370ae5', fcwh_stable_event_id( 'campaign.sent|7|2024-01-15T10:30:00Z' ) );
	}
}

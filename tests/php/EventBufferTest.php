<?php
/**
 * event-buffer.php: one change is one event (dedupe keys), the order receivers expect, the
 * `fcwh_event_data` filter, and only wanted types.
 *
 * @package FluentCRM_Webhooks
 */

use PHPUnit\Framework\TestCase;

final class EventBufferTest extends TestCase {

	protected function setUp(): void {
		FCWH_Test_World::reset();
		fcwh_subscribed_events_state( true );
		fcwh_take_buffered_events();
		FCWH_Event_Buffer::$seen    = array();
		FCWH_Event_Buffer::$spilled = 0;
	}

	protected function tearDown(): void {
		$this->setUp();
	}

	/** Subscribes to these types only, as a fetched set of subscriptions would. */
	private function subscribe( string ...$types ): void {
		FCWH_Test_World::$options[ FCWH_OPTION_SUBSCRIBED_EVENTS ] = array(
			'known'      => true,
			'types'      => $types,
			'fetched_at' => time(),
		);
		fcwh_subscribed_events_state( true );
	}

	public function test_an_event_gets_an_id_a_utc_timestamp_and_its_data(): void {
		$this->assertTrue( fcwh_emit( 'contact.created', array( 'contact' => array( 'id' => 3 ) ) ) );

		$events = fcwh_take_buffered_events();
		$this->assertCount( 1, $events );
		$this->assertMatchesRegularExpression( '/^[0-9a-f-]{36}$/', $events[0]['id'] );
		$this->assertSame( 'contact.created', $events[0]['event'] );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/', $events[0]['timestamp'] );
		$this->assertSame( array( 'contact' => array( 'id' => 3 ) ), $events[0]['data'] );
		$this->assertSame( array(), fcwh_take_buffered_events(), 'taking empties the buffer' );
	}

	public function test_a_fixed_id_is_kept(): void {
		fcwh_emit( 'campaign.sent', array(), array( 'id' => 'stable-1' ) );

		$this->assertSame( 'stable-1', fcwh_take_buffered_events()[0]['id'] );
	}

	public function test_the_same_type_and_dedupe_key_is_one_event(): void {
		$this->assertTrue( fcwh_emit( 'contact.tag_added', array( 'n' => 1 ), array( 'dedupe_key' => '3:7' ) ) );
		$this->assertFalse( fcwh_emit( 'contact.tag_added', array( 'n' => 2 ), array( 'dedupe_key' => '3:7' ) ) );
		$this->assertTrue( fcwh_emit( 'contact.tag_removed', array( 'n' => 3 ), array( 'dedupe_key' => '3:7' ) ), 'another type' );
		$this->assertTrue( fcwh_emit( 'contact.tag_added', array( 'n' => 4 ), array( 'dedupe_key' => '3:8' ) ), 'another key' );

		$this->assertSame( array( 1, 3, 4 ), array_column( array_column( fcwh_take_buffered_events(), 'data' ), 'n' ) );
	}

	public function test_a_lazy_payload_is_built_only_for_an_event_that_is_sent(): void {
		$built = array();
		$build = static function ( $n ) use ( &$built ) {
			return static function () use ( $n, &$built ) {
				$built[] = $n;
				return array( 'n' => $n );
			};
		};
		$this->assertTrue( fcwh_emit( 'contact.tag_added', $build( 1 ), array( 'dedupe_key' => '3:7' ) ) );
		$this->assertFalse( fcwh_emit( 'contact.tag_added', $build( 2 ), array( 'dedupe_key' => '3:7' ) ), 'a twin' );

		$this->assertSame( array( 1 ), $built );
		$this->assertSame( array( array( 'n' => 1 ) ), array_column( fcwh_take_buffered_events(), 'data' ) );
	}

	public function test_a_lazy_payload_that_finds_nothing_to_report_drops_the_event_and_keeps_its_key_free(): void {
		$this->assertFalse( fcwh_emit( 'contact.tag_added', static function () { return null; }, array( 'dedupe_key' => '3:7' ) ) );
		$this->assertTrue( fcwh_emit( 'contact.tag_added', array( 'n' => 1 ), array( 'dedupe_key' => '3:7' ) ) );
	}

	public function test_events_without_a_dedupe_key_are_all_kept(): void {
		fcwh_emit( 'email.clicked', array() );
		fcwh_emit( 'email.clicked', array() );

		$this->assertCount( 2, fcwh_take_buffered_events() );
	}

	public function test_first_for_contact_goes_before_that_contact_s_earlier_events_only(): void {
		fcwh_emit( 'contact.created', array( 'contact' => array( 'id' => 9 ) ) );
		fcwh_emit( 'contact.tag_added', array( 'contact' => array( 'id' => 3 ) ) );
		fcwh_emit( 'contact.list_added', array( 'contact' => array( 'id' => 3 ) ) );
		fcwh_emit( 'contact.created', array( 'contact' => array( 'id' => 3 ) ), array( 'first_for_contact' => 3 ) );

		$this->assertSame(
			array( 'contact.created', 'contact.created', 'contact.tag_added', 'contact.list_added' ),
			array_column( fcwh_take_buffered_events(), 'event' )
		);
	}

	public function test_first_for_a_contact_with_nothing_buffered_goes_last(): void {
		fcwh_emit( 'contact.tag_added', array( 'contact' => array( 'id' => 3 ) ) );
		fcwh_emit( 'contact.created', array( 'contact' => array( 'id' => 4 ) ), array( 'first_for_contact' => 4 ) );

		$this->assertSame( array( 3, 4 ), array_map( static fn( $e ) => $e['data']['contact']['id'], fcwh_take_buffered_events() ) );
	}

	public function test_the_data_filter_can_change_or_drop_an_event(): void {
		add_filter( 'fcwh_event_data', static fn( $data, $type ) => 'email.opened' === $type ? false : $data + array( 'site' => 'a' ) );

		$this->assertFalse( fcwh_emit( 'email.opened', array() ) );
		$this->assertTrue( fcwh_emit( 'email.sent', array() ) );
		$this->assertSame( array( array( 'site' => 'a' ) ), array_column( fcwh_take_buffered_events(), 'data' ) );
	}

	public function test_types_nobody_subscribes_to_are_not_buffered(): void {
		$this->subscribe( 'contact.created' );

		$this->assertFalse( fcwh_emit( 'contact.deleted', array() ) );
		$this->assertTrue( fcwh_emit( 'contact.created', array() ) );
		$this->assertSame( array( 'contact.created' ), array_column( fcwh_take_buffered_events(), 'event' ) );
	}

	public function test_every_type_is_wanted_while_the_subscriptions_are_unknown(): void {
		// An event sent in vain costs little; a lost one cannot be recovered.
		foreach ( fcwh_event_types() as $type ) {
			$this->assertTrue( fcwh_wants( $type ), $type );
		}
	}

	public function test_a_full_buffer_is_parked_in_the_outbox(): void {
		for ( $i = 0; $i < FCWH_BUFFER_SPILL_AT; $i++ ) {
			fcwh_emit( 'email.sent', array( 'n' => $i ) );
		}

		$this->assertCount( FCWH_BUFFER_SPILL_AT, FCWH_Test_World::$outbox );
		$this->assertSame( array(), fcwh_take_buffered_events() );
		$this->assertTrue( fcwh_buffer_spilled() );
	}
}

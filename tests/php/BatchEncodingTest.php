<?php
/**
 * transport.php: each event encoded once, and batches that stay under the sidecar's limits.
 *
 * @package FluentCRM_Webhooks
 */

use PHPUnit\Framework\TestCase;

final class BatchEncodingTest extends TestCase {

	public function test_each_event_is_encoded_once_with_its_id_and_type_beside_the_json(): void {
		$event = array(
			'id'        => 'e-1',
			'event'     => 'contact.created',
			'timestamp' => '2024-01-15T10:30:00Z',
			'data'      => array( 'contact' => array( 'id' => 3, 'email' => 'jane@example.com' ) ),
		);

		$encoded = fcwh_encode_events( array( $event ) );

		$this->assertCount( 1, $encoded );
		$this->assertSame( 'e-1', $encoded[0]['id'] );
		$this->assertSame( 'contact.created', $encoded[0]['event'] );
		$this->assertSame( $event, json_decode( $encoded[0]['json'], true ) );
	}

	public function test_nothing_to_send_makes_no_batch(): void {
		$this->assertSame( array(), fcwh_batch_encoded_events( array() ) );
	}

	public function test_a_batch_holds_at_most_the_event_limit_and_keeps_the_keys(): void {
		$events = array();
		for ( $i = 0; $i < FCWH_BATCH_MAX_EVENTS + 1; $i++ ) {
			$events[ 'k' . $i ] = '{"n":' . $i . '}';
		}

		$batches = fcwh_batch_encoded_events( $events );

		$this->assertCount( 2, $batches );
		$this->assertCount( FCWH_BATCH_MAX_EVENTS, $batches[0] );
		$this->assertSame( array( 'k' . FCWH_BATCH_MAX_EVENTS => '{"n":' . FCWH_BATCH_MAX_EVENTS . '}' ), $batches[1] );
		$this->assertSame( $events, array_merge( ...$batches ), 'every event once, in order' );
	}

	public function test_the_size_limit_counts_each_event_and_its_separator(): void {
		// Three events of a third of the limit, separator included, fill a batch exactly.
		$third  = str_repeat( 'x', intdiv( FCWH_BATCH_MAX_BYTES, 3 ) - 1 );
		$events = array( $third, $third, $third, $third );

		$batches = fcwh_batch_encoded_events( $events );

		$this->assertSame( array( 3, 1 ), array_map( 'count', $batches ) );
		$this->assertSame( array( 3 => $third ), $batches[1], 'the fourth keeps its key' );
	}

	public function test_one_event_larger_than_the_limit_still_goes_alone(): void {
		$huge = str_repeat( 'x', FCWH_BATCH_MAX_BYTES + 10 );

		$batches = fcwh_batch_encoded_events( array( 'small', $huge, 'small again' ) );

		// The sidecar answers for it (413: rejected, kept in the outbox); nothing is dropped here.
		$this->assertSame( array( array( 0 => 'small' ), array( 1 => $huge ), array( 2 => 'small again' ) ), $batches );
	}

	public function test_a_batch_body_is_the_sidecar_events_document(): void {
		$encoded = fcwh_encode_events(
			array(
				array( 'id' => 'a', 'event' => 'email.sent', 'timestamp' => 't', 'data' => array() ),
				array( 'id' => 'b', 'event' => 'email.opened', 'timestamp' => 't', 'data' => array( 'x' => 'é' ) ),
			)
		);

		// What fcwh_post_event_batch() sends: the encoded events joined, never re-encoded.
		$body = '{"events":[' . implode( ',', array_column( $encoded, 'json' ) ) . ']}';

		$this->assertSame( array( 'a', 'b' ), array_column( json_decode( $body, true )['events'], 'id' ) );
	}
}

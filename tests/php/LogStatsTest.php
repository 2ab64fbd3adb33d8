<?php
/**
 * log-stats.php: the sidecar's `GET /v2/stats` figures, typed, and put into words.
 *
 * @package FluentCRM_Webhooks
 */

use PHPUnit\Framework\TestCase;

final class LogStatsTest extends TestCase {

	private const ANSWER = array(
		'deliveries'        => array( 'pending' => '34', 'success' => 1000, 'failed' => 200, 'held' => 10, 'total' => 1234 ),
		'attempts'          => 1500,
		'oldest_pending_at' => '2024-01-15T10:30:00Z',
		'retention_days'    => 30,
	);

	public function test_the_figures_are_read_by_delivery_status_and_typed(): void {
		$this->assertSame(
			array(
				'pending'           => 34,
				'success'           => 1000,
				'failed'            => 200,
				'held'              => 10,
				'total'             => 1234,
				'attempts'          => 1500,
				'oldest_pending_at' => 1705314600,
				'retention_days'    => 30,
			),
			fcwh_normalize_sidecar_stats( self::ANSWER )
		);
	}

	public function test_an_answer_of_another_shape_is_no_figures(): void {
		$this->assertNull( fcwh_normalize_sidecar_stats( array() ) );
		$this->assertNull( fcwh_normalize_sidecar_stats( array( 'deliveries' => 'many', 'retention_days' => 30 ) ) );
		$this->assertNull( fcwh_normalize_sidecar_stats( array( 'deliveries' => array() ) ), 'an older sidecar without retention' );
	}

	public function test_missing_counts_are_zero_and_a_bad_time_is_none(): void {
		$stats = fcwh_normalize_sidecar_stats( array( 'deliveries' => array(), 'retention_days' => 0, 'oldest_pending_at' => 'soon' ) );

		$this->assertSame( 0, $stats['pending'] );
		$this->assertSame( 0, $stats['held'] );
		$this->assertNull( $stats['oldest_pending_at'] );
	}

	public function test_the_log_in_one_line(): void {
		$this->assertSame(
			'1,234 deliveries (1,000 delivered, 200 failed, 34 pending of which 10 held), 1,500 attempts',
			fcwh_log_size_summary( fcwh_normalize_sidecar_stats( self::ANSWER ) )
		);
	}

	public function test_the_retention_in_words(): void {
		$this->assertSame( 'kept for ever', fcwh_retention_label( 0 ) );
		$this->assertSame( '1 day', fcwh_retention_label( 1 ) );
		$this->assertSame( '1,000 days', fcwh_retention_label( 1000 ) );
	}
}

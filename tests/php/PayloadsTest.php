<?php
/**
 * capture/payloads.php and the email events of capture/statuses.php: the shapes docs/events.md
 * documents, built from FluentCRM's models (plain objects stand in for them here).
 *
 * @package FluentCRM_Webhooks
 */

namespace FluentCrm\App\Models {
	/** The one FluentCRM model these tests need: campaign rows of type "campaign" by id. */
	final class Campaign {
		/** @var int[] */
		public static $regular = array();

		public static function whereIn( string $column, array $ids ): object {
			$found = array_map(
				static fn( $id ) => (object) array( 'id' => (string) $id ),
				array_values( array_intersect( $ids, self::$regular ) )
			);
			return new class( $found ) {
				private $found;
				public function __construct( array $found ) {
					$this->found = $found;
				}
				public function get(): array {
					return $this->found;
				}
			};
		}
	}
}

namespace {
	use FluentCrm\App\Models\Campaign;
	use PHPUnit\Framework\TestCase;

	final class PayloadsTest extends TestCase {

		public function test_ids_are_positive_integers_or_null(): void {
			$this->assertSame( 3, fcwh_int_or_null( '3' ) );
			$this->assertSame( 3, fcwh_int_or_null( 3 ) );
			foreach ( array( null, '', '0', 0, -2, 'abc', array() ) as $no_id ) {
				$this->assertNull( fcwh_int_or_null( $no_id ), var_export( $no_id, true ) );
			}
		}

		public function test_empty_strings_are_null(): void {
			$this->assertNull( fcwh_string_or_null( '' ) );
			$this->assertNull( fcwh_string_or_null( null ) );
			$this->assertSame( '0', fcwh_string_or_null( 0 ) );
			$this->assertSame( 'Jane', fcwh_string_or_null( 'Jane' ) );
		}

		public function test_site_times_become_iso_utc(): void {
			// Asia/Kolkata is UTC+05:30.
			$this->assertSame( '2024-01-15T05:00:00Z', fcwh_iso_from_site_time( '2024-01-15 10:30:00' ) );
			$this->assertSame( '2024-01-15T10:30:00Z', fcwh_iso_from_site_time( new DateTimeImmutable( '2024-01-15T10:30:00Z' ) ) );
			$this->assertNull( fcwh_iso_from_site_time( '0000-00-00 00:00:00' ) );
			$this->assertNull( fcwh_iso_from_site_time( '' ) );
			$this->assertNull( fcwh_iso_from_site_time( null ) );
		}

		public function test_hook_ids_become_a_sorted_plain_list(): void {
			// array_diff() leaves gaps in the keys, which would encode as a JSON object.
			$this->assertSame( array( 2, 5, 9 ), fcwh_normalize_ids( array( 3 => '9', 7 => '2', 8 => 5, 9 => '5', 10 => '0' ) ) );
			$this->assertSame( '[4]', wp_json_encode( fcwh_normalize_ids( '4' ) ) );
			$this->assertSame( array(), fcwh_normalize_ids( null ) );
		}

		public function test_a_contact_carries_typed_fields_and_its_terms(): void {
			$contact = (object) array(
				'id'         => '3',
				'email'      => 'jane@example.com',
				'first_name' => 'Jane',
				'last_name'  => '',
				'status'     => 'subscribed',
				'phone'      => null,
				'created_at' => '2024-01-15 10:30:00',
				'updated_at' => '0000-00-00 00:00:00',
				'tags'       => array( (object) array( 'id' => '7', 'title' => 'VIP', 'slug' => 'vip' ) ),
				'lists'      => null,
			);

			$this->assertSame(
				array(
					'id'         => 3,
					'email'      => 'jane@example.com',
					'first_name' => 'Jane',
					'last_name'  => null,
					'status'     => 'subscribed',
					'phone'      => null,
					'created_at' => '2024-01-15T05:00:00Z',
					'updated_at' => null,
					'tags'       => array( array( 'id' => 7, 'title' => 'VIP', 'slug' => 'vip' ) ),
					'lists'      => array(),
				),
				fcwh_contact_data( $contact )
			);
		}

		public function test_no_contact_without_an_id(): void {
			$this->assertNull( fcwh_contact_data( null ) );
			$this->assertNull( fcwh_contact_data( (object) array( 'id' => '0', 'email' => 'x@example.com' ) ) );
		}

		public function test_an_email_names_its_campaign_only_when_that_is_a_campaign(): void {
			Campaign::$regular = array( 12 );
			$campaign_email    = (object) array( 'id' => '5', 'email_subject' => 'Hello', 'subscriber_id' => '3', 'campaign_id' => '12' );
			$automation_email  = (object) array( 'id' => '6', 'email_subject' => '', 'subscriber_id' => '3', 'campaign_id' => '13' );

			$this->assertSame(
				array( 'id' => 5, 'subject' => 'Hello', 'contact_id' => 3, 'campaign_id' => 12, 'opened_at' => '2024-01-15T10:30:00Z' ),
				fcwh_email_data( $campaign_email, array( 'opened_at' => '2024-01-15T10:30:00Z' ) )
			);
			$this->assertSame( array( 'id' => 6, 'subject' => null, 'contact_id' => 3, 'campaign_id' => null ), fcwh_email_data( $automation_email ) );
		}

		public function test_a_campaign_reports_the_status_it_is_given(): void {
			$campaign = (object) array( 'id' => '4', 'title' => 'Spring', 'status' => 'working', 'recipients_count' => '120', 'scheduled_at' => null );

			$this->assertSame(
				array( 'id' => 4, 'title' => 'Spring', 'status' => 'archived', 'recipients_count' => 120, 'scheduled_at' => null ),
				fcwh_campaign_data( $campaign, 'archived' )
			);
			$this->assertSame( 'working', fcwh_campaign_data( $campaign )['status'] );
		}

		public function test_a_funnel_is_its_id_and_title(): void {
			$this->assertSame( array( 'id' => 2, 'title' => null ), fcwh_funnel_data( (object) array( 'id' => '2', 'title' => '' ) ) );
		}

		public function test_statuses_that_are_email_events(): void {
			$this->assertSame( 'email.bounced', fcwh_email_event_for_status( 'bounced' ) );
			$this->assertSame( 'email.spam_complaint', fcwh_email_event_for_status( 'complained' ) );
			$this->assertSame( 'email.spam_complaint', fcwh_email_event_for_status( 'spammed' ) );
			$this->assertSame( 'email.unsubscribed', fcwh_email_event_for_status( 'unsubscribed' ) );
			$this->assertNull( fcwh_email_event_for_status( 'subscribed' ) );
			$this->assertNull( fcwh_email_event_for_status( 'pending' ) );
		}

		public function test_a_bounce_names_no_email(): void {
			$this->assertSame(
				array( 'email' => null, 'contact' => array( 'id' => 3 ), 'new_status' => 'bounced' ),
				fcwh_email_event_data( 'email.bounced', 3, array( 'id' => 3 ), 'bounced' )
			);
		}
	}
}

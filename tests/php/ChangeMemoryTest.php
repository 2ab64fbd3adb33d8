<?php
/**
 * change-memory.php and the pure parts of unreported-changes.php: a twin hook of one change is
 * dropped, a second change is not; which requests are doors with no hook; what a row's diff is.
 *
 * @package FluentCRM_Webhooks
 */

use PHPUnit\Framework\TestCase;

final class ChangeMemoryTest extends TestCase {

	protected function setUp(): void {
		FCWH_Request_State::$reported_columns = array();
		FCWH_Request_State::$reported_terms   = array();
	}

	protected function tearDown(): void {
		$this->setUp();
	}

	public function test_a_name_going_back_is_a_change_and_its_twin_is_not(): void {
		$this->assertFalse( fcwh_columns_already_reported( 3, array( 'first_name' => 'Al' ) ) );
		fcwh_remember_reported_columns( 3, array( 'first_name' => 'Al' ) );
		$this->assertTrue( fcwh_columns_already_reported( 3, array( 'first_name' => 'Al' ) ), 'the twin hook' );
		$this->assertFalse( fcwh_columns_already_reported( 3, array( 'first_name' => 'Bo' ) ), 'Al -> Bo' );
		$this->assertFalse( fcwh_columns_already_reported( 3, array( 'first_name' => 'Al', 'last_name' => 'X' ) ), 'one new column' );
		$this->assertFalse( fcwh_columns_already_reported( 4, array( 'first_name' => 'Al' ) ), 'another contact' );
		$this->assertFalse( fcwh_columns_already_reported( 3, array() ), 'nothing changed is not a twin either' );
	}

	public function test_values_are_compared_exactly(): void {
		fcwh_remember_reported_columns( 3, array( 'company_id' => null ) );
		$this->assertFalse( fcwh_columns_already_reported( 3, array( 'company_id' => '' ) ) );
		$this->assertTrue( fcwh_columns_already_reported( 3, array( 'company_id' => null ) ) );
	}

	public function test_a_tag_added_removed_and_added_again_is_three_changes(): void {
		$this->assertFalse( fcwh_terms_already_reported( 'tags', 3, array( 8 ), true ) );
		fcwh_remember_reported_terms( 'tags', 3, array( 8 ), true );
		$this->assertTrue( fcwh_terms_already_reported( 'tags', 3, array( 8 ), true ), 'the twin hook' );
		$this->assertFalse( fcwh_terms_already_reported( 'tags', 3, array( 7, 8 ), false ), 'A and B removed' );
		fcwh_remember_reported_terms( 'tags', 3, array( 7, 8 ), false );
		$this->assertTrue( fcwh_terms_already_reported( 'tags', 3, array( 7, 8 ), false ), 'its twin' );
		$this->assertFalse( fcwh_terms_already_reported( 'tags', 3, array( 8 ), true ), 'B added again' );
		$this->assertFalse( fcwh_terms_already_reported( 'lists', 3, array( 8 ), false ), 'lists are apart' );
	}

	public function test_the_doors_whose_saves_fluentcrm_does_not_report(): void {
		$property = '/fluent-crm/v2/subscribers/subscribers-property';
		$bulk     = '/fluent-crm/v2/subscribers/do-bulk-action';
		$this->assertNotNull( fcwh_unreported_save_door( 'PUT', $property, array( 'property' => 'contact_type' ) ) );
		$this->assertNotNull( fcwh_unreported_save_door( 'PUT', $property, array( 'property' => 'company_id' ) ) );
		$this->assertNull( fcwh_unreported_save_door( 'PUT', $property, array( 'property' => 'status' ) ), 'its status hooks report it' );
		$this->assertNull( fcwh_unreported_save_door( 'GET', $property, array( 'property' => 'avatar' ) ) );
		$this->assertNotNull( fcwh_unreported_save_door( 'POST', $bulk, array( 'action_name' => 'add_to_company' ) ) );
		$this->assertNull( fcwh_unreported_save_door( 'POST', $bulk, array( 'action_name' => 'add_to_tags' ) ), 'tag hooks fire' );
		$this->assertNull( fcwh_unreported_save_door( 'POST', $bulk, array( 'action_name' => array( 'add_to_company' ) ) ) );
		$this->assertNull( fcwh_unreported_save_door( 'PUT', '/fluent-crm/v2/subscribers/3', array( 'property' => 'avatar' ) ) );
	}

	public function test_a_row_diff_names_the_changed_columns_with_their_new_values(): void {
		$before = array( 'id' => '3', 'email' => 'a@example.com', 'first_name' => 'Jo', 'user_id' => '7', 'phone' => null );
		$after  = array( 'id' => '3', 'email' => 'b@example.com', 'first_name' => 'Jo', 'user_id' => '', 'phone' => null );
		$this->assertSame( array( 'email' => 'b@example.com', 'user_id' => null ), fcwh_changed_columns( $before, $after ) );
		$this->assertSame( array(), fcwh_changed_columns( $before, $before ) );
	}
}

<?php
/**
 * What captures remember between two hooks of one request: the "before" half of changes that
 * FluentCRM reports in two steps (rows about to be deleted, the status before a save, the email
 * an unsubscribe came from, funnel rows about to be cancelled, the contacts of a tag being deleted,
 * custom field values before a save, contact rows before a direct query), and the last change
 * reported for each contact (change-memory.php: a twin hook repeats it, a second change does not).
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Request-scoped memory of the captures. Only state; the logic lives in the capture files.
 *
 * @since 0.1.0
 */
final class FCWH_Request_State {
	/** @var array<int, array> Contact id => contact data, taken before a delete. */
	public static $contacts_before_delete = array();

	/** @var array<int, string> Contact id => status before the save in progress. */
	public static $status_before_save = array();

	/** @var array<int, string> Contact id => the status its last reported change went to. */
	public static $status_reported = array();

	/** @var array<int, array{email: object|null, source: string|null}> Contact id => unsubscribe context. */
	public static $unsubscribe_context = array();

	/** @var array<string, array{reason: string, rows: array<int, array>}> Watch name => funnel rows that may end. */
	public static $funnel_watches = array();

	/** @var array<string, array<int, array>> `tags`/`lists` => term id => term data, read before a delete route ran. */
	public static $terms_before_delete = array();

	/** @var array<string, array<int, int[]>> `tags`/`lists` => id of a term being deleted => ids of the contacts it was on. */
	public static $term_detachments = array();

	/** @var array<int, array<string, string>> Contact id => column => JSON of the value last reported as its new value. */
	public static $reported_columns = array();

	/** @var array<string, array<int, array<int, bool>>> `tags`/`lists` => contact id => term id => attached (last reported). */
	public static $reported_terms = array();

	/** @var array<int, array<string, string|null>> Contact id => custom field key => value before this request changed it. */
	public static $custom_fields_before = array();

	/** @var array<int, array<string, array{old: string|null, new: string|null}>> Contact id => custom field changes not yet reported. */
	public static $custom_fields_pending = array();

	/** @var string|null The door, while its handler runs, whose contact saves FluentCRM reports with no hook. */
	public static $unreported_save_door = null;

	/** @var bool A bounce handler is about to store an address no contact has (the next contact created is it). */
	public static $bounce_contact_coming = false;

	/** @var array<int, array> Contact id => its row before FluentCRM's user sync updated it by query. */
	public static $contacts_before_user_sync = array();
}

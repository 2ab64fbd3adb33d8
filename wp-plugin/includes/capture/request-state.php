<?php
/**
 * What captures remember between two hooks of one request: the "before" half of changes that
 * FluentCRM reports in two steps (rows about to be deleted, the status before a save, the email
 * an unsubscribe came from, funnel rows about to be cancelled).
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
}

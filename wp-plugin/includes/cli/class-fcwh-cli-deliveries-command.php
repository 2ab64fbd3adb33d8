<?php
/**
 * `wp fcwh deliveries`: a webhook's delivery log, one delivery in full, redeliver.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Reads a webhook's delivery log and sends a delivery again.
 *
 * ## EXAMPLES
 *
 *     # The latest deliveries of webhook 3.
 *     $ wp fcwh deliveries list 3
 *
 *     # The exact body sent, and every attempt.
 *     $ wp fcwh deliveries get 3 41 --field=body
 *     $ wp fcwh deliveries get 3 41 --field=attempts --format=json
 *
 *     # Send it again.
 *     $ wp fcwh deliveries redeliver 3 41
 *     Success: Delivery 41 of webhook 3 is being sent again (same id, fresh retries).
 *
 * @when after_wp_load
 */
final class FCWH_CLI_Deliveries_Command extends WP_CLI_Command {

	/**
	 * Columns of `list` without `--fields`.
	 */
	const DEFAULT_FIELDS = array( 'id', 'event', 'status', 'attempts', 'response_code', 'created_at', 'attempted_at' );

	/**
	 * Lists a webhook's deliveries, newest first, one page at a time.
	 *
	 * ## OPTIONS
	 *
	 * <webhook>
	 * : The webhook's id.
	 *
	 * [--status=<status>]
	 * : Only deliveries in this status: pending, success or failed.
	 *
	 * [--page=<page>]
	 * : The page to show.
	 * ---
	 * default: 1
	 * ---
	 *
	 * [--per-page=<number>]
	 * : Deliveries per page (1-100).
	 * ---
	 * default: 25
	 * ---
	 *
	 * [--fields=<fields>]
	 * : Limit the output to these fields (comma-separated). Default: id,event,status,attempts,response_code,created_at,attempted_at.
	 *
	 * [--format=<format>]
	 * : Render the output in a particular format. `count` prints how many deliveries match, on all pages.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - csv
	 *   - json
	 *   - yaml
	 *   - ids
	 *   - count
	 * ---
	 *
	 * ## AVAILABLE FIELDS
	 *
	 * These fields are shown by default:
	 *
	 * * id
	 * * event
	 * * status
	 * * attempts
	 * * response_code (of the latest attempt)
	 * * created_at
	 * * attempted_at
	 *
	 * These fields are optionally available:
	 *
	 * * webhook_id
	 * * event_id
	 * * response_time (ms)
	 * * error
	 * * next_attempt_at
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp fcwh deliveries list 3 --status=failed --per-page=100
	 *
	 *     # How many failed?
	 *     $ wp fcwh deliveries list 3 --status=failed --format=count
	 *     12
	 *
	 *     # Redeliver every failed delivery of the first page.
	 *     $ for d in $(wp fcwh deliveries list 3 --status=failed --format=ids); do
	 *         wp fcwh deliveries redeliver 3 "$d"
	 *       done
	 *
	 * @subcommand list
	 *
	 * @param array $args       The webhook's id.
	 * @param array $assoc_args Options.
	 */
	public function list_( $args, $assoc_args ) {
		$query = array(
			'page'     => (string) $assoc_args['page'],
			'per_page' => (string) $assoc_args['per-page'],
		);
		if ( isset( $assoc_args['status'] ) ) {
			$query['status'] = (string) $assoc_args['status'];
		}
		$answer     = fcwh_cli_request( 'GET', fcwh_cli_webhook_path( $args[0], '/deliveries' ), null, $query );
		$deliveries = isset( $answer['deliveries'] ) && is_array( $answer['deliveries'] ) ? $answer['deliveries'] : array();
		$pagination = isset( $answer['pagination'] ) && is_array( $answer['pagination'] ) ? $answer['pagination'] : array();
		$total      = isset( $pagination['total'] ) ? (int) $pagination['total'] : count( $deliveries );

		fcwh_cli_print_list( $deliveries, $assoc_args, self::DEFAULT_FIELDS, $total );

		$format = WP_CLI\Utils\get_flag_value( $assoc_args, 'format', 'table' );
		if ( 'table' === $format && isset( $pagination['last_page'] ) && $pagination['last_page'] > 1 ) {
			WP_CLI::log( sprintf( 'Page %d of %d (%d deliveries): see --page.', $pagination['current_page'], $pagination['last_page'], $total ) );
		}
	}

	/**
	 * Shows one delivery: the exact body sent, and every attempt.
	 *
	 * Also the headers of its latest attempt (signatures included) and the
	 * receiver's answer.
	 *
	 * ## OPTIONS
	 *
	 * <webhook>
	 * : The webhook's id.
	 *
	 * <delivery>
	 * : The delivery's id (the receiver's X-FluentCRM-Delivery header).
	 *
	 * [--field=<field>]
	 * : Print only this field's value (e.g. body).
	 *
	 * [--fields=<fields>]
	 * : Limit the output to these fields (comma-separated). Default: all.
	 *
	 * [--format=<format>]
	 * : Render the output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - csv
	 *   - json
	 *   - yaml
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp fcwh deliveries get 3 41
	 *
	 *     # The body exactly as the receiver got it.
	 *     $ wp fcwh deliveries get 3 41 --field=body
	 *
	 * @param array $args       The webhook's and the delivery's ids.
	 * @param array $assoc_args Options.
	 */
	public function get( $args, $assoc_args ) {
		$answer = fcwh_cli_request( 'GET', self::path( $args ) );
		fcwh_cli_print_item( self::delivery_of( $answer ), $assoc_args );
	}

	/**
	 * Sends a delivery again: the same id and body, back to `pending` with fresh retries.
	 *
	 * ## OPTIONS
	 *
	 * <webhook>
	 * : The webhook's id.
	 *
	 * <delivery>
	 * : The delivery's id.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp fcwh deliveries redeliver 3 41
	 *     Success: Delivery 41 of webhook 3 is being sent again (same id, fresh retries).
	 *
	 * @param array $args       The webhook's and the delivery's ids.
	 * @param array $assoc_args Options (none).
	 */
	public function redeliver( $args, $assoc_args ) {
		$delivery = self::delivery_of( fcwh_cli_request( 'POST', self::path( $args, '/redeliver' ) ) );
		WP_CLI::success( sprintf( 'Delivery %d of webhook %d is being sent again (same id, fresh retries).', $delivery['id'], $delivery['webhook_id'] ) );
	}

	/**
	 * The sidecar path of a delivery.
	 *
	 * @param array  $args Webhook id, delivery id.
	 * @param string $rest What follows.
	 */
	private static function path( array $args, string $rest = '' ): string {
		return fcwh_cli_webhook_path( $args[0], '/deliveries/' . rawurlencode( $args[1] ) . $rest );
	}

	/**
	 * `delivery` of an answer.
	 *
	 * @param array $answer `{"delivery": {...}}`.
	 */
	private static function delivery_of( array $answer ): array {
		if ( ! isset( $answer['delivery']['id'] ) || ! is_array( $answer['delivery'] ) ) {
			WP_CLI::error( '[fcwh_sidecar_bad_response] The sidecar\'s answer has no delivery in it.' );
		}
		return $answer['delivery'];
	}
}

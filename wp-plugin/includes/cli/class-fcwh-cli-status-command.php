<?php
/**
 * `wp fcwh status`: is the sidecar reachable, which version, is the token accepted, what is queued.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Checks the connection to the sidecar and shows its queue.
 *
 * @when after_wp_load
 */
final class FCWH_CLI_Status_Command extends WP_CLI_Command {

	/**
	 * Checks the connection to the sidecar and shows its queue.
	 *
	 * Asks `GET /healthz` (reachable, version, database), `GET /v2/webhooks`
	 * (is the token accepted) and `GET /v2/stats` (deliveries by status, the
	 * oldest pending one) through the plugin's own client and settings, and
	 * reads the plugin's outbox. Prints what it learnt, then exits with 1 and
	 * the reason when the sidecar is not configured, not reachable, unhealthy
	 * or refuses the token: `wp fcwh status >/dev/null` is a health check.
	 *
	 * What could not be learnt is `unknown` in a table or CSV and `null` in
	 * JSON and YAML (e.g. the queue of a sidecar without `GET /v2/stats`).
	 *
	 * ## OPTIONS
	 *
	 * [--field=<field>]
	 * : Print only this field's value.
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
	 * ## AVAILABLE FIELDS
	 *
	 * * sidecar_url
	 * * reachable (true or false)
	 * * version (the sidecar's)
	 * * database (ok or error: can the sidecar reach its database)
	 * * token (accepted, rejected or not configured)
	 * * queue_depth (deliveries pending for active webhooks: to be sent)
	 * * held (pending deliveries kept while their webhook is failed or inactive)
	 * * failed (deliveries that used up their retries, still in the log)
	 * * oldest_pending_at (`none` in a table when nothing is pending)
	 * * retention_days (days finished deliveries stay in the log, 0: for ever)
	 * * outbox (events the plugin keeps until the sidecar takes them)
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp fcwh status
	 *     +-------------------+-----------------------+
	 *     | Field             | Value                 |
	 *     +-------------------+-----------------------+
	 *     | sidecar_url       | http://127.0.0.1:8787 |
	 *     | reachable         | true                  |
	 *     | version           | 0.1.0                 |
	 *     | database          | ok                    |
	 *     | token             | accepted              |
	 *     | queue_depth       | 3                     |
	 *     | held              | 0                     |
	 *     | failed            | 1                     |
	 *     | oldest_pending_at | 2024-01-15T10:30:00Z  |
	 *     | retention_days    | 30                    |
	 *     | outbox            | 0                     |
	 *     +-------------------+-----------------------+
	 *
	 *     # In a monitoring script.
	 *     $ wp fcwh status --field=queue_depth
	 *     3
	 *
	 * @when after_wp_load
	 *
	 * @param array $args       Positional arguments (none).
	 * @param array $assoc_args Options.
	 */
	public function __invoke( $args, $assoc_args ) {
		$settings = fcwh_settings();
		$status   = array(
			'sidecar_url'       => $settings['sidecar_url'],
			'reachable'         => null,
			'version'           => null,
			'database'          => null,
			'token'             => null,
			'queue_depth'       => null,
			'held'              => null,
			'failed'            => null,
			'oldest_pending_at' => null,
			'retention_days'    => null,
			'outbox'            => fcwh_outbox_stats()['count'],
		);
		$problem  = $settings['configured'] ? self::ask_sidecar( $status ) : self::not_configured( $status );

		$format = (string) WP_CLI\Utils\get_flag_value( $assoc_args, 'format', 'table' );
		if ( in_array( $format, array( 'table', 'csv' ), true ) ) {
			$queue_known = null !== $status['queue_depth'];
			foreach ( $status as $field => $value ) {
				if ( null === $value ) {
					// Nothing pending is something learnt, not something unknown.
					$status[ $field ] = 'oldest_pending_at' === $field && $queue_known ? 'none' : 'unknown';
				}
			}
		}
		fcwh_cli_print_item( $status, $assoc_args );
		if ( null !== $problem ) {
			WP_CLI::error( $problem );
		}
	}

	/**
	 * No token: nothing can be asked (the client sends nothing without one).
	 *
	 * @param array $status The figures, updated.
	 * @return string The problem.
	 */
	private static function not_configured( array &$status ): string {
		$status['token'] = 'not configured';
		$error           = fcwh_sidecar_not_configured_error();
		return sprintf( '[%s] %s', $error->get_error_code(), $error->get_error_message() );
	}

	/**
	 * Health, then the token, then the queue.
	 *
	 * @param array $status The figures, updated.
	 * @return string|null The problem, if any.
	 */
	private static function ask_sidecar( array &$status ): ?string {
		$health              = fcwh_sidecar_request( 'GET', '/healthz', null, array(), array( 'timeout' => FCWH_CLI_TIMEOUT ) );
		$status['reachable'] = ! ( $health['error'] instanceof WP_Error );
		if ( ! $status['reachable'] ) {
			return fcwh_cli_failure_message( $health );
		}
		$body               = is_array( $health['body'] ) ? $health['body'] : array();
		$status['version']  = isset( $body['version'] ) ? (string) $body['version'] : null;
		$status['database'] = isset( $body['database'] ) ? (string) $body['database'] : null;

		$listed          = fcwh_sidecar_request( 'GET', '/v2/webhooks', null, array(), array( 'timeout' => FCWH_CLI_TIMEOUT ) );
		$status['token'] = 200 === $listed['status'] ? 'accepted' : ( 401 === $listed['status'] ? 'rejected' : null );
		if ( 'accepted' === $status['token'] ) {
			self::add_queue( $status );
		}

		if ( 200 !== $health['status'] ) {
			return 'error' === $status['database']
				? sprintf( 'The sidecar at %s is running but cannot reach its database (GET /healthz answered HTTP %d).', $status['sidecar_url'], $health['status'] )
				: sprintf( 'The sidecar at %s answered its health check with HTTP %d.', $status['sidecar_url'], $health['status'] );
		}
		if ( 'accepted' !== $status['token'] ) {
			return fcwh_cli_failure_message( $listed );
		}
		return null;
	}

	/**
	 * The queue from `GET /v2/stats`; left unknown when the sidecar has no such route (404) or
	 * does not answer it.
	 *
	 * @param array $status The figures, updated.
	 */
	private static function add_queue( array &$status ): void {
		$stats = fcwh_sidecar_request( 'GET', '/v2/stats', null, array(), array( 'timeout' => FCWH_CLI_TIMEOUT ) );
		if ( 200 !== $stats['status'] || ! isset( $stats['body']['deliveries'] ) || ! is_array( $stats['body']['deliveries'] ) ) {
			return;
		}
		$deliveries = $stats['body']['deliveries'];
		$count      = static function ( string $key ) use ( $deliveries ): ?int {
			return isset( $deliveries[ $key ] ) ? (int) $deliveries[ $key ] : null;
		};
		$held           = $count( FCWH_DELIVERIES_HELD );
		$status['held'] = $held;
		// `pending` counts held deliveries too: the queue is what the workers are to send.
		$pending               = $count( FCWH_DELIVERY_PENDING );
		$status['queue_depth'] = null === $pending ? null : max( 0, $pending - (int) $held );
		$status['failed']      = $count( FCWH_DELIVERY_FAILED );
		$status['oldest_pending_at'] = isset( $stats['body']['oldest_pending_at'] ) ? (string) $stats['body']['oldest_pending_at'] : null;
		$status['retention_days']    = isset( $stats['body']['retention_days'] ) ? (int) $stats['body']['retention_days'] : null;
	}
}

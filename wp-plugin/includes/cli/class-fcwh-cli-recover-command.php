<?php
/**
 * `wp fcwh recover`: redeliver a webhook's failed deliveries since a moment.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Redelivers a webhook's failed deliveries since a moment.
 *
 * @when after_wp_load
 */
final class FCWH_CLI_Recover_Command extends WP_CLI_Command {

	/**
	 * Redelivers every failed delivery of a webhook created at or after a moment.
	 *
	 * One call to the sidecar: each of those deliveries goes back to `pending`
	 * (same id, same body, fresh retries) and the sidecar's workers send them
	 * from there; `wp fcwh deliveries list <webhook> --status=pending` shows
	 * the ones still on their way.
	 *
	 * ## OPTIONS
	 *
	 * <webhook>
	 * : The webhook's id.
	 *
	 * --since=<time>
	 * : ISO 8601, e.g. 2024-01-15T06:00:00Z or 2024-01-15T11:30:00+05:30.
	 *
	 * [--porcelain]
	 * : Print only how many deliveries are being redelivered.
	 *
	 * ## EXAMPLES
	 *
	 *     # After fixing the receiver: what failed since 6:00 UTC.
	 *     $ wp fcwh recover 3 --since=2024-01-15T06:00:00Z
	 *     Success: Redelivering 12 failed deliveries of webhook 3 created since 2024-01-15T06:00:00Z.
	 *
	 *     # The last 24 hours (GNU date).
	 *     $ wp fcwh recover 3 --since="$(date -u -d '24 hours ago' +%FT%TZ)"
	 *
	 * @when after_wp_load
	 *
	 * @param array $args       The webhook's id.
	 * @param array $assoc_args Options.
	 */
	public function __invoke( $args, $assoc_args ) {
		$since  = (string) $assoc_args['since'];
		$answer = fcwh_cli_request( 'POST', fcwh_cli_webhook_path( $args[0], '/recover' ), array( 'since' => $since ) );
		$count  = isset( $answer['recovered'] ) ? (int) $answer['recovered'] : 0;

		if ( WP_CLI\Utils\get_flag_value( $assoc_args, 'porcelain', false ) ) {
			WP_CLI::line( (string) $count );
			return;
		}
		if ( 0 === $count ) {
			WP_CLI::success( sprintf( 'No failed deliveries of webhook %s since %s: nothing to redeliver.', $args[0], $since ) );
			return;
		}
		WP_CLI::success(
			sprintf(
				'Redelivering %d failed %s of webhook %s created since %s.',
				$count,
				1 === $count ? 'delivery' : 'deliveries',
				$args[0],
				$since
			)
		);
	}
}

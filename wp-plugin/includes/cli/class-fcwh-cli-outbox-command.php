<?php
/**
 * `wp fcwh outbox`: the events this site kept while the sidecar did not take them.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Shows and sends the plugin's outbox of events the sidecar did not take.
 *
 * The plugin keeps an event there when the sidecar cannot take it, and
 * sends the outbox by itself at the end of later requests and by its
 * every-minute cron job; `flush` sends it now, e.g. once the sidecar is back.
 *
 * ## EXAMPLES
 *
 *     $ wp fcwh outbox status
 *     +------------+----------------------+
 *     | Field      | Value                |
 *     +------------+----------------------+
 *     | count      | 1200                 |
 *     | oldest     | 2024-01-15T10:30:00Z |
 *     | last_flush | 2024-01-15T09:58:00Z |
 *     | rejected   | 0                    |
 *     +------------+----------------------+
 *
 *     $ wp fcwh outbox flush
 *     Sending 1200 waiting events  100% [===========] 0:01 / 0:01
 *     Success: Sent 1200 events from the outbox.
 *
 * @when after_wp_load
 */
final class FCWH_CLI_Outbox_Command extends WP_CLI_Command {

	/**
	 * Says how many events wait in the outbox and since when.
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
	 * * count (events waiting to be sent)
	 * * oldest (when the oldest of them happened, ISO 8601 UTC; empty when none waits)
	 * * last_flush (when events were last sent from the outbox)
	 * * rejected (events the sidecar refused outright; kept, never sent again)
	 * * set_aside (events the sidecar kept failing on; kept until retried)
	 * * set_aside_error (the sidecar's message for the latest one set aside)
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp fcwh outbox status --field=count
	 *     0
	 *
	 * @param array $args       Positional arguments (none).
	 * @param array $assoc_args Options.
	 */
	public function status( $args, $assoc_args ) {
		fcwh_cli_print_item( fcwh_outbox_stats(), $assoc_args );
	}

	/**
	 * Sends every waiting event to the sidecar now, oldest first, with a progress bar.
	 *
	 * Sends in rounds of up to 500 events until the outbox is empty, or until
	 * the sidecar stops taking them: then it exits with 1, saying why and how
	 * many still wait.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp fcwh outbox flush
	 *     Success: Sent 1200 events from the outbox.
	 *
	 * @param array $args       Positional arguments (none).
	 * @param array $assoc_args Options (none).
	 */
	public function flush( $args, $assoc_args ) {
		$waiting = fcwh_outbox_stats()['count'];
		if ( 0 === $waiting ) {
			WP_CLI::success( 'The outbox is empty: nothing to send.' );
			return;
		}

		$progress = WP_CLI\Utils\make_progress_bar( sprintf( 'Sending %d waiting %s', $waiting, 1 === $waiting ? 'event' : 'events' ), $waiting );
		$totals   = array(
			'sent'      => 0,
			'rejected'  => 0,
			'set_aside' => 0,
		);
		$ticked = 0;
		do {
			// A budget of 0: one read of the outbox (up to 500 events) per round.
			$round = fcwh_outbox_flush( 0, FCWH_CLI_TIMEOUT );
			$done  = 0;
			foreach ( $totals as $outcome => $count ) {
				$settled             = isset( $round[ $outcome ] ) ? (int) $round[ $outcome ] : 0;
				$totals[ $outcome ] += $settled;
				$done               += $settled;
			}
			$step = min( $done, $waiting - $ticked ); // Events that arrived meanwhile do not overfill the bar.
			if ( $step > 0 ) {
				$progress->tick( $step );
				$ticked += $step;
			}
		} while ( ! $round['complete'] && $done > 0 );
		$progress->finish();

		$sent = $totals['sent'];
		if ( $totals['rejected'] > 0 ) {
			WP_CLI::warning( sprintf( 'The sidecar refused %d %s outright; kept in the outbox as rejected, never sent again.', $totals['rejected'], 1 === $totals['rejected'] ? 'event' : 'events' ) );
		}
		if ( $totals['set_aside'] > 0 ) {
			WP_CLI::warning( sprintf( 'The sidecar kept failing on %d %s; set aside in the outbox (the settings screen sends them again).', $totals['set_aside'], 1 === $totals['set_aside'] ? 'event' : 'events' ) );
		}
		if ( ! $round['complete'] ) {
			WP_CLI::error( sprintf( 'Sent %d %s; %d still waiting: %s', $sent, 1 === $sent ? 'event' : 'events', fcwh_outbox_stats()['count'], self::why_stopped() ) );
		}
		WP_CLI::success( sprintf( 'Sent %d %s from the outbox.', $sent, 1 === $sent ? 'event' : 'events' ) );
	}

	/**
	 * Why a flush stopped before the outbox was empty.
	 */
	private static function why_stopped(): string {
		if ( ! fcwh_acquire_lock( 'outbox' ) ) {
			return 'another process is sending the outbox right now (its lock is held); try again in a moment.';
		}
		fcwh_release_lock( 'outbox' );
		$health = fcwh_sidecar_health();
		if ( ! $health['ok'] && '' !== $health['message'] ) {
			return $health['message'];
		}
		return 'the sidecar did not take them; run `wp fcwh status` to see why.';
	}
}

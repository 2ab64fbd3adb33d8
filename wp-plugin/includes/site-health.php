<?php
/**
 * Tools > Site Health: five direct tests (the sidecar is reachable and takes the token; the
 * outbox has no backlog; no webhook has failed; no delivery has waited more than an hour; the
 * log has a retention) and a "FluentCRM Webhooks" section on the Info tab.
 *
 * The tests ask the sidecar at most three things per request (`/healthz`, `/v2/webhooks`,
 * `/v2/stats`), each once, with a short timeout. When the sidecar cannot be asked, only the
 * sidecar test is critical; the others say they could not check.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

const FCWH_SITE_HEALTH_TIMEOUT       = 5;
const FCWH_SITE_HEALTH_PENDING_AGE   = 3600;  // A delivery still to send after an hour: recommended.
const FCWH_SITE_HEALTH_PENDING_STUCK = 86400; // After a day: critical.
const FCWH_SITE_HEALTH_OUTBOX_AGE    = 900;   // Events waiting in WordPress for 15 minutes: critical.

/**
 * Registers the tests. Hooked on `site_status_tests`.
 *
 * @since 0.1.0
 *
 * @param array $tests WordPress's tests.
 * @return array
 */
function fcwh_site_status_tests( $tests ) {
	$tests = is_array( $tests ) ? $tests : array();
	$ours  = array(
		'fcwh_sidecar'            => array( __( 'The FluentCRM Webhooks sidecar answers and accepts the token', 'fluentcrm-webhooks' ), 'fcwh_site_health_test_sidecar' ),
		'fcwh_outbox'             => array( __( 'FluentCRM Webhooks events are not piling up in WordPress', 'fluentcrm-webhooks' ), 'fcwh_site_health_test_outbox' ),
		'fcwh_failed_webhooks'    => array( __( 'No outgoing webhook has failed', 'fluentcrm-webhooks' ), 'fcwh_site_health_test_failed_webhooks' ),
		'fcwh_pending_deliveries' => array( __( 'Webhook deliveries are not waiting for long', 'fluentcrm-webhooks' ), 'fcwh_site_health_test_pending_deliveries' ),
		'fcwh_retention'          => array( __( 'The webhook delivery log has a retention', 'fluentcrm-webhooks' ), 'fcwh_site_health_test_retention' ),
	);
	foreach ( $ours as $key => list( $label, $callback ) ) {
		$tests['direct'][ $key ] = array(
			'label' => $label,
			'test'  => $callback,
		);
	}
	return $tests;
}

/**
 * A result in Site Health's shape.
 *
 * @since 0.1.0
 *
 * @param string   $test        The test's key.
 * @param string   $status      `good`, `recommended` or `critical`.
 * @param string   $label       The headline.
 * @param string[] $paragraphs  The description, paragraph by paragraph (plain text).
 * @param array    $links       Extra links, URL => text, before the settings link.
 */
function fcwh_site_health_result( string $test, string $status, string $label, array $paragraphs, array $links = array() ): array {
	$links[ fcwh_notification_settings_url() ] = __( 'FluentCRM Webhooks settings', 'fluentcrm-webhooks' );
	$actions                                   = array();
	foreach ( $links as $url => $text ) {
		$actions[] = sprintf( '<a href="%s">%s</a>', esc_url( $url ), esc_html( $text ) );
	}
	return array(
		'label'       => $label,
		'status'      => $status,
		'badge'       => array(
			'label' => __( 'FluentCRM Webhooks', 'fluentcrm-webhooks' ),
			'color' => 'critical' === $status ? 'red' : ( 'recommended' === $status ? 'orange' : 'blue' ),
		),
		'description' => implode( '', array_map( static function ( $text ) {
			return '<p>' . esc_html( $text ) . '</p>';
		}, $paragraphs ) ),
		'actions'     => '<p>' . implode( ' | ', $actions ) . '</p>',
		'test'        => $test,
	);
}

/**
 * `GET /healthz`, once per request.
 *
 * @since 0.1.0
 */
function fcwh_site_health_healthz(): array {
	static $cached = null;
	if ( null === $cached ) {
		$cached = fcwh_sidecar_request( 'GET', '/healthz', null, array(), array( 'timeout' => FCWH_SITE_HEALTH_TIMEOUT ) );
	}
	return $cached;
}

/**
 * `GET /v2/webhooks`, once per request.
 *
 * @since 0.1.0
 */
function fcwh_site_health_webhooks(): array {
	static $cached = null;
	if ( null === $cached ) {
		$cached = fcwh_sidecar_request( 'GET', '/v2/webhooks', null, array(), array( 'timeout' => FCWH_SITE_HEALTH_TIMEOUT ) );
	}
	return $cached;
}

/**
 * Why a sidecar call gave nothing to check, or null when it answered 200.
 *
 * @since 0.1.0
 *
 * @param array $result A fcwh_sidecar_request() result.
 */
function fcwh_site_health_call_problem( array $result ): ?string {
	if ( ! fcwh_settings()['configured'] ) {
		return fcwh_sidecar_not_configured_error()->get_error_message();
	}
	if ( 200 === $result['status'] ) {
		return null;
	}
	return fcwh_describe_sidecar_failure( $result );
}

/**
 * The "could not check" result of a test that needs the sidecar.
 *
 * @since 0.1.0
 *
 * @param string $test   The test's key.
 * @param string $label  The headline.
 * @param string $reason Why.
 */
function fcwh_site_health_unchecked( string $test, string $label, string $reason ): array {
	return fcwh_site_health_result(
		$test,
		'recommended',
		$label,
		array(
			$reason,
			__( 'This check needs the sidecar; see the test “The FluentCRM Webhooks sidecar answers and accepts the token”.', 'fluentcrm-webhooks' ),
		)
	);
}

/**
 * The sidecar answers `/healthz` with every part ready, and takes the plugin's token.
 *
 * @since 0.1.0
 */
function fcwh_site_health_test_sidecar(): array {
	$test     = 'fcwh_sidecar';
	$settings = fcwh_settings();
	if ( ! $settings['configured'] ) {
		return fcwh_site_health_result( $test, 'critical', __( 'FluentCRM Webhooks has no token for its sidecar', 'fluentcrm-webhooks' ), array(
			fcwh_sidecar_not_configured_error()->get_error_message(),
			__( 'Until it has one, events wait in WordPress’s outbox and no webhook gets anything.', 'fluentcrm-webhooks' ),
		) );
	}
	$health = fcwh_site_health_healthz();
	if ( $health['error'] instanceof WP_Error ) {
		return fcwh_site_health_result( $test, 'critical', __( 'The FluentCRM Webhooks sidecar cannot be reached', 'fluentcrm-webhooks' ), array(
			$health['error']->get_error_message(),
		) );
	}
	$body    = is_array( $health['body'] ) ? $health['body'] : array();
	$version = isset( $body['version'] ) && is_string( $body['version'] ) ? $body['version'] : '';
	if ( 200 !== $health['status'] ) {
		$parts = array();
		foreach ( array( 'database', 'queue', 'workers' ) as $part ) {
			if ( isset( $body[ $part ] ) && 'ok' !== $body[ $part ] ) {
				$parts[] = $part . ': ' . (string) $body[ $part ];
			}
		}
		return fcwh_site_health_result( $test, 'critical', __( 'The FluentCRM Webhooks sidecar is not ready', 'fluentcrm-webhooks' ), array(
			sprintf(
				/* translators: 1: sidecar URL, 2: HTTP status code, 3: the parts that failed */
				__( 'The sidecar at %1$s answers its health check with HTTP %2$d (%3$s). Deliveries stop or slow down until it is ready; its log says why.', 'fluentcrm-webhooks' ),
				$settings['sidecar_url'],
				$health['status'],
				$parts ? implode( ', ', $parts ) : __( 'no detail', 'fluentcrm-webhooks' )
			),
		) );
	}
	$listed = fcwh_site_health_webhooks();
	if ( 401 === $listed['status'] ) {
		return fcwh_site_health_result( $test, 'critical', __( 'The FluentCRM Webhooks sidecar rejects the plugin’s token', 'fluentcrm-webhooks' ), array(
			fcwh_describe_sidecar_failure( $listed ),
			__( 'Until the tokens match, events wait in WordPress’s outbox and no webhook gets anything.', 'fluentcrm-webhooks' ),
		) );
	}
	if ( 200 !== $listed['status'] ) {
		return fcwh_site_health_result( $test, 'critical', __( 'The FluentCRM Webhooks sidecar does not answer properly', 'fluentcrm-webhooks' ), array(
			fcwh_describe_sidecar_failure( $listed ),
		) );
	}
	return fcwh_site_health_result( $test, 'good', __( 'The FluentCRM Webhooks sidecar answers and accepts the token', 'fluentcrm-webhooks' ), array(
		'' === $version
			/* translators: %s: sidecar URL */
			? sprintf( __( 'The sidecar at %s is ready (database, queue and delivery workers) and accepts the plugin’s API token.', 'fluentcrm-webhooks' ), $settings['sidecar_url'] )
			/* translators: 1: sidecar URL, 2: version */
			: sprintf( __( 'The sidecar at %1$s (version %2$s) is ready (database, queue and delivery workers) and accepts the plugin’s API token.', 'fluentcrm-webhooks' ), $settings['sidecar_url'], $version ),
	) );
}

/**
 * Events waiting in WordPress's outbox (the sidecar did not take them yet), and events it set
 * aside or the sidecar refused.
 *
 * @since 0.1.0
 */
function fcwh_site_health_test_outbox(): array {
	$test   = 'fcwh_outbox';
	$stats  = fcwh_outbox_stats();
	$count  = (int) $stats['count'];
	$oldest = empty( $stats['oldest'] ) ? null : strtotime( (string) $stats['oldest'] );
	$age    = null === $oldest || false === $oldest ? 0 : max( 0, time() - $oldest );
	$aside  = (int) $stats['set_aside'];
	$refuse = (int) $stats['rejected'];
	$notes  = array();
	$status = 'good';

	if ( $count > 0 ) {
		$status  = $age >= FCWH_SITE_HEALTH_OUTBOX_AGE ? 'critical' : 'recommended';
		$notes[] = sprintf(
			/* translators: 1: number of events, 2: how long ago, e.g. "2 hours" */
			_n( '%1$s event is waiting in WordPress for the sidecar, the oldest for %2$s. The every-minute cron job sends it once the sidecar takes it.', '%1$s events are waiting in WordPress for the sidecar, the oldest for %2$s. The every-minute cron job sends them once the sidecar takes them.', $count, 'fluentcrm-webhooks' ),
			number_format_i18n( $count ),
			human_time_diff( time() - $age, time() )
		);
	}
	if ( $aside > 0 ) {
		$status  = 'critical';
		$notes[] = sprintf(
			/* translators: 1: number of events, 2: the last error */
			_n( '%1$s event was set aside after the sidecar failed on it repeatedly (last error: %2$s). It is not sent until you press “Retry set-aside events” on the settings screen.', '%1$s events were set aside after the sidecar failed on them repeatedly (last error: %2$s). They are not sent until you press “Retry set-aside events” on the settings screen.', $aside, 'fluentcrm-webhooks' ),
			number_format_i18n( $aside ),
			(string) $stats['set_aside_error']
		);
	}
	if ( $refuse > 0 ) {
		$status  = 'good' === $status ? 'recommended' : $status;
		$notes[] = sprintf(
			/* translators: %s: number of events */
			_n( '%s event was refused by the sidecar as invalid; it is kept in the outbox table for inspection and never sent.', '%s events were refused by the sidecar as invalid; they are kept in the outbox table for inspection and never sent.', $refuse, 'fluentcrm-webhooks' ),
			number_format_i18n( $refuse )
		);
	}
	if ( 'good' === $status ) {
		return fcwh_site_health_result( $test, 'good', __( 'FluentCRM Webhooks events are not piling up in WordPress', 'fluentcrm-webhooks' ), array(
			__( 'The sidecar takes every event as it happens; none waits in WordPress’s outbox.', 'fluentcrm-webhooks' ),
		) );
	}
	$label = 'critical' === $status
		? __( 'FluentCRM Webhooks events are piling up in WordPress', 'fluentcrm-webhooks' )
		: __( 'Some FluentCRM Webhooks events are waiting in WordPress', 'fluentcrm-webhooks' );
	return fcwh_site_health_result( $test, $status, $label, $notes );
}

/**
 * No webhook is `failed` (it would hold its events until re-activated).
 *
 * @since 0.1.0
 */
function fcwh_site_health_test_failed_webhooks(): array {
	$test    = 'fcwh_failed_webhooks';
	$listed  = fcwh_site_health_webhooks();
	$problem = fcwh_site_health_call_problem( $listed );
	if ( null !== $problem ) {
		return fcwh_site_health_unchecked( $test, __( 'Whether an outgoing webhook has failed could not be checked', 'fluentcrm-webhooks' ), $problem );
	}
	$webhooks = isset( $listed['body']['webhooks'] ) && is_array( $listed['body']['webhooks'] ) ? $listed['body']['webhooks'] : array();
	$failed   = array();
	$paced    = array();
	foreach ( $webhooks as $webhook ) {
		$webhook = fcwh_public_webhook( $webhook );
		if ( null === $webhook ) {
			continue;
		}
		$name = (string) ( $webhook['name'] ?? '' ) . ' (' . (string) ( $webhook['url'] ?? '' ) . ')';
		if ( FCWH_WEBHOOK_FAILED === $webhook['status'] ) {
			$failed[] = sprintf(
				/* translators: 1: webhook name and URL, 2: why, 3: number of held events */
				_n( '“%1$s”: %2$s; %3$s event held.', '“%1$s”: %2$s; %3$s events held.', (int) ( $webhook['held_deliveries'] ?? 0 ), 'fluentcrm-webhooks' ),
				$name,
				fcwh_failure_reason( $webhook ),
				number_format_i18n( (int) ( $webhook['held_deliveries'] ?? 0 ) )
			);
		} elseif ( FCWH_WEBHOOK_ACTIVE === $webhook['status'] && ! empty( $webhook['paced'] ) ) {
			$paced[] = $name;
		}
	}
	$screen = array( fcwh_webhooks_screen_url() => __( 'Outgoing Webhooks', 'fluentcrm-webhooks' ) );
	if ( $failed ) {
		return fcwh_site_health_result(
			$test,
			'critical',
			/* translators: %s: number of webhooks */
			sprintf( _n( '%s outgoing webhook has failed', '%s outgoing webhooks have failed', count( $failed ), 'fluentcrm-webhooks' ), number_format_i18n( count( $failed ) ) ),
			array_merge(
				array( __( 'A failed webhook sends nothing: its events are recorded and held until it is re-activated. Fix the receiving endpoint, then use “Re-activate and send the held events” on the Outgoing Webhooks screen.', 'fluentcrm-webhooks' ) ),
				$failed
			),
			$screen
		);
	}
	if ( $paced ) {
		return fcwh_site_health_result(
			$test,
			'recommended',
			/* translators: %s: number of webhooks */
			sprintf( _n( '%s outgoing webhook’s endpoint is not answering well', '%s outgoing webhooks’ endpoints are not answering well', count( $paced ), 'fluentcrm-webhooks' ), number_format_i18n( count( $paced ) ) ),
			array(
				/* translators: %s: webhook names and URLs */
				sprintf( __( 'These endpoints time out or answer with server errors, so their deliveries are sent one at a time while they recover: %s. If they keep failing, the webhooks turn failed.', 'fluentcrm-webhooks' ), implode( ', ', $paced ) ),
			),
			$screen
		);
	}
	return fcwh_site_health_result( $test, 'good', __( 'No outgoing webhook has failed', 'fluentcrm-webhooks' ), array(
		0 === count( $webhooks )
			? __( 'No outgoing webhook is set up yet.', 'fluentcrm-webhooks' )
			/* translators: %s: number of webhooks */
			: sprintf( _n( 'The outgoing webhook has not failed.', 'None of the %s outgoing webhooks has failed.', count( $webhooks ), 'fluentcrm-webhooks' ), number_format_i18n( count( $webhooks ) ) ),
	), $screen );
}

/**
 * No delivery an active webhook still has to send was recorded more than an hour ago.
 *
 * @since 0.1.0
 */
function fcwh_site_health_test_pending_deliveries(): array {
	$test   = 'fcwh_pending_deliveries';
	$answer = fcwh_sidecar_stats();
	if ( 'ok' !== $answer['state'] ) {
		return fcwh_site_health_unchecked( $test, __( 'How long webhook deliveries wait could not be checked', 'fluentcrm-webhooks' ), $answer['message'] );
	}
	$stats  = $answer['stats'];
	$oldest = $stats['oldest_pending_at'];
	$age    = null === $oldest ? 0 : max( 0, time() - $oldest );
	$screen = array( fcwh_webhooks_screen_url() => __( 'Outgoing Webhooks', 'fluentcrm-webhooks' ) );
	if ( null === $oldest || $age < FCWH_SITE_HEALTH_PENDING_AGE ) {
		return fcwh_site_health_result( $test, 'good', __( 'Webhook deliveries are not waiting for long', 'fluentcrm-webhooks' ), array(
			null === $oldest
				? __( 'No active webhook has a delivery still to send.', 'fluentcrm-webhooks' )
				/* translators: %s: how long, e.g. "5 mins" */
				: sprintf( __( 'The oldest delivery still to send was recorded %s ago.', 'fluentcrm-webhooks' ), human_time_diff( $oldest, time() ) ),
		), $screen );
	}
	$status = $age >= FCWH_SITE_HEALTH_PENDING_STUCK ? 'critical' : 'recommended';
	return fcwh_site_health_result(
		$test,
		$status,
		/* translators: %s: how long, e.g. "2 hours" */
		sprintf( __( 'A webhook delivery has been waiting for %s', 'fluentcrm-webhooks' ), human_time_diff( $oldest, time() ) ),
		array(
			sprintf(
				/* translators: 1: date and time, 2: number of pending deliveries */
				_n( 'The oldest delivery an active webhook still has to send was recorded at %1$s (%2$s delivery is pending in all). Its endpoint keeps failing or not answering, so it is being retried (by default 1 min, 5 min, 30 min, 2 h and 24 h apart); the delivery log on the Outgoing Webhooks screen shows each attempt’s answer.', 'The oldest delivery an active webhook still has to send was recorded at %1$s (%2$s deliveries are pending in all). Its endpoint keeps failing or not answering, so it is being retried (by default 1 min, 5 min, 30 min, 2 h and 24 h apart); the delivery log on the Outgoing Webhooks screen shows each attempt’s answer.', $stats['pending'] - $stats['held'], 'fluentcrm-webhooks' ),
				fcwh_notice_time( $oldest ),
				number_format_i18n( $stats['pending'] - $stats['held'] )
			),
		),
		$screen
	);
}

/**
 * The sidecar deletes finished deliveries after a while (FCWH_RETENTION_DAYS > 0), and no webhook
 * overrides that with "for ever".
 *
 * @since 0.1.0
 */
function fcwh_site_health_test_retention(): array {
	$test   = 'fcwh_retention';
	$answer = fcwh_sidecar_stats();
	if ( 'ok' !== $answer['state'] ) {
		return fcwh_site_health_unchecked( $test, __( 'The webhook delivery log’s retention could not be checked', 'fluentcrm-webhooks' ), $answer['message'] );
	}
	$days    = $answer['stats']['retention_days'];
	$forever = array();
	$listed  = fcwh_site_health_webhooks();
	if ( 200 === $listed['status'] && isset( $listed['body']['webhooks'] ) && is_array( $listed['body']['webhooks'] ) ) {
		foreach ( $listed['body']['webhooks'] as $webhook ) {
			if ( is_array( $webhook ) && isset( $webhook['retention_days'] ) && 0 === (int) $webhook['retention_days'] && $days > 0 ) {
				$forever[] = (string) ( $webhook['name'] ?? '' ) . ' (' . (string) ( $webhook['url'] ?? '' ) . ')';
			}
		}
	}
	$why = __( 'The log keeps every delivery’s exact body (contacts’ emails, names, orders): without a retention it grows with every event, in the WordPress database, and keeps that personal data for ever.', 'fluentcrm-webhooks' );
	if ( $days <= 0 ) {
		return fcwh_site_health_result( $test, 'recommended', __( 'The webhook delivery log is kept for ever', 'fluentcrm-webhooks' ), array(
			__( 'The sidecar runs with FCWH_RETENTION_DAYS=0, so it never deletes finished deliveries.', 'fluentcrm-webhooks' ),
			$why,
			__( 'Set FCWH_RETENTION_DAYS on the sidecar (30 is the default) and restart it; pending deliveries are never deleted.', 'fluentcrm-webhooks' ),
		) );
	}
	if ( $forever ) {
		return fcwh_site_health_result(
			$test,
			'recommended',
			/* translators: %s: number of webhooks */
			sprintf( _n( '%s webhook keeps its delivery log for ever', '%s webhooks keep their delivery log for ever', count( $forever ), 'fluentcrm-webhooks' ), number_format_i18n( count( $forever ) ) ),
			array(
				/* translators: 1: e.g. "30 days", 2: webhook names */
				sprintf( __( 'Finished deliveries are deleted after %1$s, except those of webhooks whose own retention_days is 0: %2$s.', 'fluentcrm-webhooks' ), fcwh_retention_label( $days ), implode( ', ', $forever ) ),
				$why,
			),
			array( fcwh_webhooks_screen_url() => __( 'Outgoing Webhooks', 'fluentcrm-webhooks' ) )
		);
	}
	return fcwh_site_health_result( $test, 'good', __( 'The webhook delivery log has a retention', 'fluentcrm-webhooks' ), array(
		/* translators: %s: e.g. "30 days" */
		sprintf( __( 'Finished deliveries and their attempts are deleted %s after their last attempt (FCWH_RETENTION_DAYS), so the log stays small and personal data does not stay for ever.', 'fluentcrm-webhooks' ), fcwh_retention_label( $days ) ),
	) );
}

/**
 * The Info tab's section. Hooked on `debug_information`.
 *
 * @since 0.1.0
 *
 * @param array $info WordPress's sections.
 * @return array
 */
function fcwh_site_health_debug_information( $info ) {
	$info     = is_array( $info ) ? $info : array();
	$settings = fcwh_settings();
	$health   = $settings['configured'] ? fcwh_site_health_healthz() : null;
	$body     = null !== $health && is_array( $health['body'] ) ? $health['body'] : array();
	$stats    = fcwh_sidecar_stats();
	$outbox   = fcwh_outbox_stats();
	$listed   = $settings['configured'] ? fcwh_site_health_webhooks() : null;
	$unknown  = __( 'unknown', 'fluentcrm-webhooks' );

	if ( null === $health ) {
		$status = __( 'not configured (no API token)', 'fluentcrm-webhooks' );
	} elseif ( $health['error'] instanceof WP_Error ) {
		$status = __( 'unreachable', 'fluentcrm-webhooks' ) . ': ' . $health['error']->get_error_message();
	} else {
		$parts = array();
		foreach ( array( 'database', 'queue', 'workers' ) as $part ) {
			if ( isset( $body[ $part ] ) ) {
				$parts[] = $part . ' ' . (string) $body[ $part ];
			}
		}
		$status = sprintf( 'HTTP %d', $health['status'] ) . ( $parts ? ' (' . implode( ', ', $parts ) . ')' : '' );
	}

	$by_status = array();
	if ( null !== $listed && 200 === $listed['status'] && isset( $listed['body']['webhooks'] ) && is_array( $listed['body']['webhooks'] ) ) {
		foreach ( $listed['body']['webhooks'] as $webhook ) {
			$key               = is_array( $webhook ) ? (string) ( $webhook['status'] ?? '?' ) : '?';
			$by_status[ $key ] = ( $by_status[ $key ] ?? 0 ) + 1;
		}
		$webhooks = (string) array_sum( $by_status );
		if ( $by_status ) {
			$webhooks .= ' (' . implode( ', ', array_map( static function ( $name, $count ) {
				return $count . ' ' . $name;
			}, array_keys( $by_status ), $by_status ) ) . ')';
		}
	} else {
		$webhooks = $unknown;
	}

	$ok = 'ok' === $stats['state'];

	$info['fluentcrm-webhooks'] = array(
		'label'       => __( 'FluentCRM Webhooks', 'fluentcrm-webhooks' ),
		'description' => __( 'The plugin, its sidecar (which owns the webhooks, the delivery log and the deliveries) and the outbox of events waiting in WordPress.', 'fluentcrm-webhooks' ),
		'fields'      => array(
			'plugin_version'  => array(
				'label' => __( 'Plugin version', 'fluentcrm-webhooks' ),
				'value' => FCWH_VERSION,
			),
			'sidecar_url'     => array(
				'label' => __( 'Sidecar URL', 'fluentcrm-webhooks' ),
				'value' => $settings['sidecar_url'] . ( $settings['sidecar_url_from_constant'] ? ' (FCWH_SIDECAR_URL)' : '' ),
			),
			'api_token'       => array(
				'label' => __( 'API token', 'fluentcrm-webhooks' ),
				'value' => $settings['configured']
					? ( $settings['api_token_from_constant'] ? __( 'set (FCWH_API_TOKEN)', 'fluentcrm-webhooks' ) : __( 'set (settings screen)', 'fluentcrm-webhooks' ) )
					: __( 'not set', 'fluentcrm-webhooks' ),
				'debug' => $settings['configured'] ? 'set' : 'not set',
			),
			'sidecar_health'  => array(
				'label' => __( 'Sidecar health', 'fluentcrm-webhooks' ),
				'value' => $status,
			),
			'sidecar_version' => array(
				'label' => __( 'Sidecar version', 'fluentcrm-webhooks' ),
				'value' => isset( $body['version'] ) && is_string( $body['version'] ) ? $body['version'] : $unknown,
			),
			'retention'       => array(
				'label' => __( 'Delivery log retention', 'fluentcrm-webhooks' ),
				'value' => $ok ? fcwh_retention_label( $stats['stats']['retention_days'] ) : $unknown . ' (' . $stats['state'] . ')',
				'debug' => $ok ? (string) $stats['stats']['retention_days'] : $stats['state'],
			),
			'log_size'        => array(
				'label' => __( 'Delivery log size', 'fluentcrm-webhooks' ),
				'value' => $ok ? fcwh_log_size_summary( $stats['stats'] ) : $unknown . ' (' . $stats['state'] . ')',
			),
			'oldest_pending'  => array(
				'label' => __( 'Oldest delivery still to send', 'fluentcrm-webhooks' ),
				'value' => $ok ? ( null === $stats['stats']['oldest_pending_at'] ? __( 'none', 'fluentcrm-webhooks' ) : gmdate( 'Y-m-d\TH:i:s\Z', $stats['stats']['oldest_pending_at'] ) ) : $unknown,
			),
			'webhooks'        => array(
				'label' => __( 'Webhooks', 'fluentcrm-webhooks' ),
				'value' => $webhooks,
			),
			'outbox'          => array(
				'label' => __( 'Outbox', 'fluentcrm-webhooks' ),
				'value' => sprintf(
					/* translators: 1: waiting events, 2: oldest, 3: rejected, 4: set aside */
					__( '%1$d waiting (oldest %2$s), %3$d rejected, %4$d set aside', 'fluentcrm-webhooks' ),
					(int) $outbox['count'],
					empty( $outbox['oldest'] ) ? __( 'none', 'fluentcrm-webhooks' ) : (string) $outbox['oldest'],
					(int) $outbox['rejected'],
					(int) $outbox['set_aside']
				),
			),
			'notify_email'    => array(
				'label'   => __( 'Failure notifications go to', 'fluentcrm-webhooks' ),
				'value'   => fcwh_notification_recipient(),
				'private' => true,
			),
		),
	);
	return $info;
}

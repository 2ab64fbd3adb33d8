<?php
/**
 * `wp fcwh`: the namespace the commands hang under, with the help text of `wp help fcwh`.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Manages FluentCRM Webhooks: webhooks, their delivery log, the plugin's outbox and the sidecar.
 *
 * Every command but `outbox` talks to the sidecar through the plugin's own
 * client, with the sidecar URL and API token the plugin is configured with
 * (FCWH_SIDECAR_URL and FCWH_API_TOKEN in wp-config.php, or the settings
 * screen). A command that fails exits with code 1 and says why: the
 * sidecar's error code and message, or that the sidecar is unreachable or
 * not configured.
 *
 * ## EXAMPLES
 *
 *     # Is the sidecar up, is the token accepted, how much is queued?
 *     $ wp fcwh status
 *
 *     # Subscribe an endpoint to two events.
 *     $ wp fcwh webhooks create --name=Sync --endpoint=https://example.com/hook \
 *         --events=contact.created,contact.updated
 *     Success: Created webhook 3.
 *
 *     # Redeliver what failed since yesterday morning.
 *     $ wp fcwh recover 3 --since=2024-01-15T06:00:00Z
 *     Success: Redelivering 12 failed deliveries of webhook 3 created since 2024-01-15T06:00:00Z.
 *
 * @when after_wp_load
 */
final class FCWH_CLI_Namespace extends WP_CLI\Dispatcher\CommandNamespace {
}

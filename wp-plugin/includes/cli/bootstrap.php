<?php
/**
 * `wp fcwh ...`: loads the WP-CLI commands and registers them. Required by the plugin's main
 * file only when WP-CLI runs, so a web request never loads any of it.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

require_once __DIR__ . '/api.php';
require_once __DIR__ . '/output.php';
require_once __DIR__ . '/class-fcwh-cli-namespace.php';
require_once __DIR__ . '/class-fcwh-cli-webhooks-command.php';
require_once __DIR__ . '/class-fcwh-cli-deliveries-command.php';
require_once __DIR__ . '/class-fcwh-cli-recover-command.php';
require_once __DIR__ . '/class-fcwh-cli-outbox-command.php';
require_once __DIR__ . '/class-fcwh-cli-status-command.php';

// The namespace first: a subcommand whose parent does not exist yet is deferred.
WP_CLI::add_command( 'fcwh', 'FCWH_CLI_Namespace' );
WP_CLI::add_command( 'fcwh webhooks', 'FCWH_CLI_Webhooks_Command', array( 'when' => 'after_wp_load' ) );
WP_CLI::add_command( 'fcwh deliveries', 'FCWH_CLI_Deliveries_Command', array( 'when' => 'after_wp_load' ) );
WP_CLI::add_command( 'fcwh recover', 'FCWH_CLI_Recover_Command', array( 'when' => 'after_wp_load' ) );
WP_CLI::add_command( 'fcwh outbox', 'FCWH_CLI_Outbox_Command', array( 'when' => 'after_wp_load' ) );
WP_CLI::add_command( 'fcwh status', 'FCWH_CLI_Status_Command', array( 'when' => 'after_wp_load' ) );

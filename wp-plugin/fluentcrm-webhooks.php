<?php
/**
 * Plugin Name:       FluentCRM Webhooks
 * Description:       Outgoing, signed, retried webhooks for FluentCRM: every contact, email, campaign, funnel and order event reaches your endpoints once, through the FluentCRM Webhooks sidecar.
 * Version:           0.1.0
 * Requires at least: 6.0
 * Requires PHP:      7.4
 * Author:            FluentCRM Webhooks contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       fluentcrm-webhooks
 * Domain Path:       /languages
 *
 * @package FluentCRM_Webhooks
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// The header's Version and readme.txt's Stable tag repeat it (WordPress reads them as text);
// tests/php/test_plugin_metadata.py keeps the three equal.
define( 'FCWH_VERSION', '0.1.0' );
define( 'FCWH_PLUGIN_FILE', __FILE__ );
define( 'FCWH_PLUGIN_DIR', __DIR__ );

// Foundations: settings, the sidecar client, small shared helpers.
require_once __DIR__ . '/includes/safety.php';
require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/locks.php';
require_once __DIR__ . '/includes/sidecar-client.php';
require_once __DIR__ . '/includes/sidecar-health.php';
require_once __DIR__ . '/includes/permissions.php';

// Events: which ones are wanted, how they are buffered, sent, and kept when the sidecar is away.
require_once __DIR__ . '/includes/status-constants.php';
require_once __DIR__ . '/includes/event-types.php';
require_once __DIR__ . '/includes/subscriptions.php';
require_once __DIR__ . '/includes/event-buffer.php';
require_once __DIR__ . '/includes/outbox.php';
require_once __DIR__ . '/includes/staging.php'; // A copy of the site pauses delivery before it sends anything.
require_once __DIR__ . '/includes/handover.php';
require_once __DIR__ . '/includes/transport.php';
require_once __DIR__ . '/includes/cron.php';

// Capture: FluentCRM (and store) hooks turned into events.
require_once __DIR__ . '/includes/capture/request-state.php';
require_once __DIR__ . '/includes/capture/payloads.php';
require_once __DIR__ . '/includes/capture/fluentcrm-models.php';
require_once __DIR__ . '/includes/capture/change-memory.php';
require_once __DIR__ . '/includes/capture/contacts.php';
require_once __DIR__ . '/includes/capture/custom-fields.php';
require_once __DIR__ . '/includes/capture/unreported-changes.php';
require_once __DIR__ . '/includes/capture/term-deletions.php';
require_once __DIR__ . '/includes/capture/statuses.php';
require_once __DIR__ . '/includes/capture/emails.php';
require_once __DIR__ . '/includes/capture/campaigns.php';
require_once __DIR__ . '/includes/capture/funnels.php';
require_once __DIR__ . '/includes/capture/funnel-exits.php';
require_once __DIR__ . '/includes/capture/commerce.php';

// REST API on the WordPress domain, proxied to the sidecar.
require_once __DIR__ . '/includes/rest/routes.php';
require_once __DIR__ . '/includes/rest/proxy.php';
require_once __DIR__ . '/includes/rest/seed-paths.php';
require_once __DIR__ . '/includes/rest/basic-auth.php';

// Lifecycle and the admin notice.
require_once __DIR__ . '/includes/lifecycle.php';
require_once __DIR__ . '/includes/notices.php';

// The delivery log's figures, failure notices (mail, actions, admin notice) and Site Health.
require_once __DIR__ . '/includes/log-stats.php';
require_once __DIR__ . '/includes/failure-notices.php';
require_once __DIR__ . '/includes/site-health.php';

// WordPress's personal-data export and erasure, and the suggested privacy-policy text.
require_once __DIR__ . '/includes/privacy.php';

require_once __DIR__ . '/includes/hooks.php';

// `wp fcwh ...`, only when WP-CLI runs.
if ( defined( 'WP_CLI' ) && WP_CLI ) {
	require_once __DIR__ . '/includes/cli/bootstrap.php';
}

// The admin screens (their own hooks), only where they can be used: wp-admin (admin-ajax and
// admin-post included) loads them now; a REST request when its API starts (the screens' own routes,
// FluentCRM's contact-profile section). A visitor's page and WP-Cron never load them: the events
// such a request produces cost it no admin code.
if ( is_admin() ) {
	fcwh_load_admin();
} else {
	add_action( 'rest_api_init', 'fcwh_load_admin', 0 );
}

/**
 * Loads the admin screens' code, when that part of the plugin is present.
 *
 * @since 0.1.0
 */
function fcwh_load_admin(): void {
	if ( file_exists( __DIR__ . '/includes/admin/bootstrap.php' ) ) {
		require_once __DIR__ . '/includes/admin/bootstrap.php';
	}
}

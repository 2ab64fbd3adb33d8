<?php
/**
 * The status values the plugin reads and writes, named once: a webhook's and a delivery's (the
 * sidecar's, sidecar/fluentcrm_webhooks/lifecycle.py: `WebhookStatus`, `DeliveryStatus`; a test
 * holds these to them), and an outbox row's (the plugin's own table, outbox.php).
 *
 * A contact's FluentCRM statuses are FluentCRM's vocabulary, not ours: capture/statuses.php.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// A webhook. `failed` is set by the sidecar only; `active` and `inactive` by clients.
const FCWH_WEBHOOK_ACTIVE   = 'active';
const FCWH_WEBHOOK_INACTIVE = 'inactive';
const FCWH_WEBHOOK_FAILED   = 'failed';
// The webhooks whose events are recorded (a failed one keeps recording, to send on re-activation).
const FCWH_WEBHOOK_RECORDING_STATUSES = array( FCWH_WEBHOOK_ACTIVE, FCWH_WEBHOOK_FAILED );

// A delivery. `held` is not a status: the sidecar's figures count, among the pending deliveries,
// those of webhooks that are not active (FCWH_DELIVERIES_HELD is that figure's key).
const FCWH_DELIVERY_PENDING = 'pending';
const FCWH_DELIVERY_SUCCESS = 'success';
const FCWH_DELIVERY_FAILED  = 'failed';
const FCWH_DELIVERIES_HELD  = 'held';

// An outbox row: waiting to be sent, set aside after repeated failures of its own, or refused
// by the sidecar for good. Rows that reach the sidecar are deleted.
const FCWH_OUTBOX_PENDING   = 'pending';
const FCWH_OUTBOX_SET_ASIDE = 'set_aside';
const FCWH_OUTBOX_REJECTED  = 'rejected';
// Written on a copy of the site before its sidecar confirmed the pause: taken by nobody yet
// (staging.php; back to pending once the pause is confirmed).
const FCWH_OUTBOX_HELD = 'held';

<?php
/**
 * Plugin Name: FCWH bench baseline: synchronous wp_remote_post
 * Description: Benchmark baseline only, never for a real site. The naive way to send webhooks: inside FluentCRM's hook, one blocking, signed wp_remote_post per subscribed webhook, while the request that created the contact waits for every receiver.
 * Version: 0.1.0
 * License: GPL-2.0-or-later
 *
 * It reads the webhooks from the sidecar's own table, so the benchmark compares both ways of
 * sending on the same subscriptions.
 *
 * @package FCWH_Bench
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

add_action( 'fluent_crm/contact_created', 'fcwh_bench_sync_send_contact_created', 10, 1 );

/**
 * Sends contact.created to every active webhook subscribed to it, one after the other.
 *
 * @param object $contact FluentCRM's Subscriber model.
 */
function fcwh_bench_sync_send_contact_created( $contact ): void {
	global $wpdb;
	$table    = $wpdb->prefix . 'fcwh_webhooks';
	$webhooks = $wpdb->get_results( "SELECT id, url, secret, events FROM {$table} WHERE status = 'active' ORDER BY id" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table name only.
	foreach ( $webhooks as $webhook ) {
		$events = json_decode( (string) $webhook->events, true );
		if ( ! is_array( $events ) || ! in_array( 'contact.created', $events, true ) ) {
			continue;
		}
		$body = wp_json_encode(
			array(
				'id'         => wp_generate_uuid4(),
				'event'      => 'contact.created',
				'timestamp'  => gmdate( 'Y-m-d\TH:i:s\Z' ),
				'webhook_id' => (int) $webhook->id,
				'data'       => array(
					'contact' => array(
						'id'         => (int) $contact->id,
						'email'      => (string) $contact->email,
						'first_name' => (string) ( $contact->first_name ?? '' ),
						'last_name'  => (string) ( $contact->last_name ?? '' ),
						'status'     => (string) ( $contact->status ?? '' ),
					),
				),
			)
		);
		wp_remote_post(
			$webhook->url,
			array(
				'body'            => $body,
				'timeout'         => 30,
				'redirection'     => 0,
				'headers'         => array(
					'Content-Type'           => 'application/json',
					'X-FluentCRM-Event'      => 'contact.created',
					'X-FluentCRM-Webhook-ID' => (string) $webhook->id,
					'X-FluentCRM-Signature'  => 'sha256=' . hash_hmac( 'sha256', $body, (string) $webhook->secret ),
				),
				// The benchmark's receivers use a private test CA.
				'sslcertificates' => (string) get_option( 'fcwh_bench_ca_bundle', ABSPATH . WPINC . '/certificates/ca-bundle.crt' ),
			)
		);
	}
}

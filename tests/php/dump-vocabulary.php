<?php
/**
 * Prints the plugin's vocabulary as JSON for tests/php/test_vocabulary.py: the event-type table,
 * the groups, and the status constants (without WordPress, through bootstrap.php).
 *
 * @package FluentCRM_Webhooks
 */

require __DIR__ . '/bootstrap.php';

$fcwh_constants = get_defined_constants( true )['user'];
echo wp_json_encode(
	array(
		'groups'    => fcwh_event_groups(),
		'types'     => fcwh_event_type_table(),
		'constants' => array_filter(
			$fcwh_constants,
			static fn( $name ) => (bool) preg_match( '/^FCWH_(WEBHOOK|DELIVERY|DELIVERIES|OUTBOX)_[A-Z_]+$/', $name ),
			ARRAY_FILTER_USE_KEY
		),
	)
);

<?php
/**
 * Capture must never break the site: a failure while turning a FluentCRM action into an event is
 * logged and swallowed, so FluentCRM's own request carries on as if the plugin were not there.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Wraps an action callback so that nothing it throws reaches the caller.
 *
 * @since 0.1.0
 *
 * @param callable $handler The real callback.
 * @param string   $context Named in the log line when it fails.
 * @return Closure The callback to register with add_action().
 */
function fcwh_safely( callable $handler, string $context = 'capture' ): Closure {
	return static function ( ...$args ) use ( $handler, $context ) {
		try {
			$handler( ...$args );
		} catch ( \Throwable $error ) {
			fcwh_log_error( $context, $error );
		}
	};
}

/**
 * Wraps an observing filter callback (one that only looks): whatever happens, the filtered
 * value goes on unchanged.
 *
 * @since 0.1.0
 *
 * @param callable $observer Receives the filter's arguments; its return value is ignored.
 * @return Closure The callback to register with add_filter().
 */
function fcwh_observing( callable $observer ): Closure {
	return static function ( ...$args ) use ( $observer ) {
		try {
			$observer( ...$args );
		} catch ( \Throwable $error ) {
			fcwh_log_error( 'capture', $error );
		}
		return $args[0];
	};
}

/**
 * Logs an unexpected error without payloads, tokens or contact data: class, place, short message.
 *
 * @since 0.1.0
 *
 * @param string     $context Where it happened (capture, transport, ...).
 * @param \Throwable $error   What was thrown.
 */
function fcwh_log_error( string $context, \Throwable $error ): void {
	error_log( // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log -- operators need to see capture failures.
		sprintf(
			'FluentCRM Webhooks (%s): %s in %s:%d: %s',
			$context,
			get_class( $error ),
			basename( $error->getFile() ),
			$error->getLine(),
			substr( $error->getMessage(), 0, 300 )
		)
	);
}

/**
 * Logs a plain message from the plugin (no payloads, no secrets).
 *
 * @since 0.1.0
 *
 * @param string $message What happened.
 */
function fcwh_log( string $message ): void {
	error_log( 'FluentCRM Webhooks: ' . $message ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
}

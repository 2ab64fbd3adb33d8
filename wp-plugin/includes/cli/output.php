<?php
/**
 * Output like WP-CLI's own commands: lists through `WP_CLI\Utils\format_items()` (`--format`,
 * `--fields`), one object through `WP_CLI\Formatter` (`--field`, `--fields`, `--format`).
 *
 * Table and CSV show a list of names joined with commas (as `--events` takes them) and booleans
 * as `true`/`false`; JSON and YAML keep the API's own types.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Prints rows.
 *
 * @since 0.1.0
 *
 * @param array[]  $rows           Rows, each with an `id`.
 * @param array    $assoc_args     The command's options (`format`, `fields`).
 * @param string[] $default_fields Columns shown without `--fields`.
 * @param int|null $total          What `--format=count` prints, when it is more than these rows (a page).
 */
function fcwh_cli_print_list( array $rows, array $assoc_args, array $default_fields, ?int $total = null ): void {
	$format = (string) WP_CLI\Utils\get_flag_value( $assoc_args, 'format', 'table' );
	if ( 'ids' === $format ) {
		WP_CLI\Utils\format_items( 'ids', array_column( $rows, 'id' ), array( 'id' ) );
		return;
	}
	if ( 'count' === $format ) {
		echo (int) ( null === $total ? count( $rows ) : $total ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- an integer on a terminal.
		return;
	}
	$fields = WP_CLI\Utils\get_flag_value( $assoc_args, 'fields', $default_fields );
	if ( is_string( $fields ) ) {
		$fields = array_map( 'trim', explode( ',', $fields ) );
	}
	$shown = array();
	foreach ( $rows as $row ) {
		$shown[] = fcwh_cli_values_for_format( $row, $format );
	}
	WP_CLI\Utils\format_items( $format, $shown, $fields );
}

/**
 * Prints one object: every field as a row of a table, or the object in JSON or YAML; `--field`
 * prints one value alone.
 *
 * @since 0.1.0
 *
 * @param array $item       The object.
 * @param array $assoc_args The command's options (`format`, `fields`, `field`).
 */
function fcwh_cli_print_item( array $item, array $assoc_args ): void {
	$format    = (string) WP_CLI\Utils\get_flag_value( $assoc_args, 'format', 'table' );
	$options   = array_intersect_key( $assoc_args, array_flip( array( 'format', 'fields', 'field' ) ) );
	$formatter = new WP_CLI\Formatter( $options, array_keys( $item ) );
	$formatter->display_item( fcwh_cli_values_for_format( $item, $format ) );
}

/**
 * One row's values as the format shows them.
 *
 * @since 0.1.0
 *
 * @param array  $row    Field => value.
 * @param string $format `table`, `csv`, `json`, `yaml`.
 */
function fcwh_cli_values_for_format( array $row, string $format ): array {
	if ( ! in_array( $format, array( 'table', 'csv' ), true ) ) {
		return fcwh_cli_keep_objects( $row );
	}
	foreach ( $row as $field => $value ) {
		if ( is_bool( $value ) ) {
			$row[ $field ] = $value ? 'true' : 'false';
		} elseif ( is_array( $value ) && fcwh_cli_is_list_of_scalars( $value ) ) {
			$row[ $field ] = implode( ',', $value );
		}
	}
	return $row;
}

/**
 * The API's objects stay objects in JSON and YAML: the sidecar's answer is decoded into arrays,
 * where an empty object (`"headers": {}`) would otherwise come out as an empty list (`[]`).
 *
 * @since 0.2.0
 *
 * @param array $row Field => value.
 */
function fcwh_cli_keep_objects( array $row ): array {
	foreach ( array( 'headers' ) as $field ) {
		if ( isset( $row[ $field ] ) && is_array( $row[ $field ] ) ) {
			$row[ $field ] = (object) $row[ $field ];
		}
	}
	return $row;
}

/**
 * Whether a value is a plain list of names or numbers (printed comma-joined), not an object.
 *
 * @since 0.1.0
 *
 * @param array $value The value.
 */
function fcwh_cli_is_list_of_scalars( array $value ): bool {
	if ( array_values( $value ) !== $value ) {
		return false;
	}
	foreach ( $value as $element ) {
		if ( ! is_scalar( $element ) ) {
			return false;
		}
	}
	return true;
}

/**
 * A comma-separated option as a list: `a, b,,c` -> `['a', 'b', 'c']`.
 *
 * @since 0.1.0
 *
 * @param string $value The option's value.
 * @return string[]
 */
function fcwh_cli_split_list( string $value ): array {
	return array_values( array_filter( array_map( 'trim', explode( ',', $value ) ), 'strlen' ) );
}

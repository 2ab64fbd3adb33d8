<?php
/**
 * Loads the plugin's pure functions without WordPress: the few WordPress functions they call
 * are stood in for here, simply and deterministically, and the plugin files are required as the
 * main plugin file would. Files that talk to the database or the sidecar are not loaded; what
 * the loaded ones call from them at run time is recorded instead (see FCWH_Test_World).
 *
 * @package FluentCRM_Webhooks
 */

define( 'ABSPATH', __DIR__ . '/' );

const FCWH_TEST_HOME = 'http://127.0.0.1:8080';
// A timezone far from UTC, as in the WordPress tests: a forgotten conversion shows.
const FCWH_TEST_TIMEZONE = 'Asia/Kolkata';

/**
 * What the stand-ins remember: options, filters, and events handed to the outbox.
 */
final class FCWH_Test_World {
	/** @var array<string, mixed> */
	public static $options = array();

	/** @var array<string, callable[]> */
	public static $filters = array();

	/** @var array[] Events passed to fcwh_outbox_store(). */
	public static $outbox = array();

	/** @var string What home_url() answers: the site's address. */
	public static $home = FCWH_TEST_HOME;

	public static function reset(): void {
		self::$options = array();
		self::$filters = array();
		self::$outbox  = array();
		self::$home    = FCWH_TEST_HOME;
	}
}

// -- WordPress stand-ins ---------------------------------------------------------------------------

function __( $text, $domain = 'default' ) {
	return $text;
}

function _n( $single, $plural, $number, $domain = 'default' ) {
	return 1 === (int) $number ? $single : $plural;
}

function number_format_i18n( $number, $decimals = 0 ) {
	return number_format( (float) $number, $decimals );
}

function home_url( $path = '' ) {
	return FCWH_Test_World::$home . $path;
}

function wp_json_encode( $data, $options = 0, $depth = 512 ) {
	return json_encode( $data, $options, $depth );
}

function wp_generate_uuid4() {
	$bytes    = random_bytes( 16 );
	$bytes[6] = chr( ord( $bytes[6] ) & 0x0f | 0x40 );
	$bytes[8] = chr( ord( $bytes[8] ) & 0x3f | 0x80 );
	return vsprintf( '%s%s-%s-%s-%s-%s%s%s', str_split( bin2hex( $bytes ), 4 ) );
}

function get_option( $name, $default = false ) {
	return array_key_exists( $name, FCWH_Test_World::$options ) ? FCWH_Test_World::$options[ $name ] : $default;
}

function add_filter( $tag, $callback ) {
	FCWH_Test_World::$filters[ $tag ][] = $callback;
	return true;
}

function apply_filters( $tag, $value, ...$args ) {
	foreach ( FCWH_Test_World::$filters[ $tag ] ?? array() as $callback ) {
		$value = $callback( $value, ...$args );
	}
	return $value;
}

/** WordPress's get_gmt_from_date(): a time in the site's timezone, formatted in UTC. */
function get_gmt_from_date( $date_string, $format = 'Y-m-d H:i:s' ) {
	$date = date_create( $date_string, new DateTimeZone( FCWH_TEST_TIMEZONE ) );
	if ( false === $date ) {
		return false;
	}
	return $date->setTimezone( new DateTimeZone( 'UTC' ) )->format( $format );
}

// -- the outbox (outbox.php needs the database): recorded ------------------------------------------

function fcwh_outbox_store( array $events ): bool {
	FCWH_Test_World::$outbox = array_merge( FCWH_Test_World::$outbox, $events );
	return true;
}

// -- the plugin's pure files -------------------------------------------------------------------------

$fcwh_plugin = dirname( __DIR__, 2 ) . '/wp-plugin/includes/';
foreach ( array(
	'status-constants.php',
	'event-types.php',
	'subscriptions.php',
	'event-buffer.php',
	'transport.php',
	'log-stats.php',
	'capture/request-state.php',
	'capture/payloads.php',
	'capture/fluentcrm-models.php',
	'capture/statuses.php',
	'capture/change-memory.php',
	'capture/unreported-changes.php',
	'admin/event-catalog.php',
) as $fcwh_file ) {
	require_once $fcwh_plugin . $fcwh_file;
}
unset( $fcwh_plugin, $fcwh_file );

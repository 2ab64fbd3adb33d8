<?php
/**
 * FluentCRM's model classes, under their real names, backed by the stand-in's own tables.
 *
 * @package FluentCRM_Standin
 */

namespace FluentCrm\App\Models;

use FcStandin\Collection;
use FcStandin\Query;

/**
 * Base model (see src/orm.php for the behaviours it reproduces).
 */
abstract class Model {
	/** @var string Table name without the WordPress prefix. */
	protected static $table = '';

	/** @var array<string, array<string, callable[]>> Class => event => listeners. */
	private static $listeners = array();

	/** @var bool Whether FluentCRM has booted (attached its event dispatcher). */
	private static $dispatcher_ready = false;

	/** @var array */
	protected $attributes = array();
	/** @var array */
	protected $original = array();
	/** @var array Relations loaded through property access (kept, like Eloquent). */
	protected $relations = array();
	/** @var bool */
	public $exists = false;
	/** @var bool Inserted by this instance (Eloquent's flag; FluentCRM reads it). */
	public $wasRecentlyCreated = false;

	public function __construct( array $attributes = array() ) {
		$this->attributes = $attributes;
	}

	// -- static API --------------------------------------------------------------------------
	public static function table(): string {
		global $wpdb;
		return $wpdb->prefix . static::$table;
	}

	/** Column => value every query of this model adds (Campaign: type = campaign). */
	public static function globalScope(): array {
		return array();
	}

	public static function query(): Query {
		return new Query( static::class );
	}

	public static function __callStatic( $method, $arguments ) {
		return static::query()->{$method}( ...$arguments );
	}

	public static function find( $id ) {
		return static::query()->find( $id );
	}

	public static function create( array $attributes ) {
		$model = new static( $attributes );
		$model->save();
		return $model;
	}

	public static function fromRow( array $row ) {
		$model           = new static( $row );
		$model->original = $row;
		$model->exists   = true;
		return $model;
	}

	/** FluentCRM attaches the dispatcher when it boots; listeners registered earlier are lost. */
	public static function bootDispatcher(): void {
		self::$dispatcher_ready = true;
	}

	public static function creating( callable $callback ): void {
		static::listen( 'creating', $callback );
	}

	public static function created( callable $callback ): void {
		static::listen( 'created', $callback );
	}

	public static function updating( callable $callback ): void {
		static::listen( 'updating', $callback );
	}

	public static function updated( callable $callback ): void {
		static::listen( 'updated', $callback );
	}

	public static function deleted( callable $callback ): void {
		static::listen( 'deleted', $callback );
	}

	private static function listen( string $event, callable $callback ): void {
		if ( self::$dispatcher_ready ) {
			self::$listeners[ static::class ][ $event ][] = $callback;
		}
	}

	protected function fireModelEvent( string $event ): void {
		foreach ( self::$listeners[ static::class ][ $event ] ?? array() as $callback ) {
			$callback( $this );
		}
	}

	// -- attributes --------------------------------------------------------------------------
	public function __get( $key ) {
		if ( array_key_exists( $key, $this->attributes ) ) {
			return $this->attributes[ $key ];
		}
		if ( method_exists( $this, $key ) ) {
			if ( ! array_key_exists( $key, $this->relations ) ) {
				$this->relations[ $key ] = $this->resolveRelation( $key );
			}
			return $this->relations[ $key ];
		}
		return null;
	}

	public function __set( $key, $value ) {
		$this->attributes[ $key ] = $value;
	}

	public function __isset( $key ) {
		return isset( $this->attributes[ $key ] ) || ( method_exists( $this, $key ) && null !== $this->__get( $key ) );
	}

	protected function resolveRelation( string $name ) {
		return $this->{$name}()->get();
	}

	public function getOriginal( $key = null ) {
		return null === $key ? $this->original : ( $this->original[ $key ] ?? null );
	}

	public function getDirty(): array {
		$dirty = array();
		foreach ( $this->attributes as $key => $value ) {
			if ( ! array_key_exists( $key, $this->original ) || (string) $this->original[ $key ] !== (string) $value ) {
				$dirty[ $key ] = $value;
			}
		}
		return $dirty;
	}

	public function isDirty( $key = null ): bool {
		return null === $key ? (bool) $this->getDirty() : array_key_exists( $key, $this->getDirty() );
	}

	public function toArray(): array {
		return $this->attributes;
	}

	// -- persistence -------------------------------------------------------------------------
	public function save(): bool {
		global $wpdb;
		$now = current_time( 'mysql' );
		if ( $this->exists ) {
			if ( ! $this->getDirty() ) {
				return true;
			}
			$this->fireModelEvent( 'updating' );
			$this->attributes['updated_at'] = $now;
			$wpdb->update( static::table(), $this->getDirty(), array( 'id' => $this->attributes['id'] ) );
			$this->fireModelEvent( 'updated' );
		} else {
			$this->attributes = static::globalScope() + $this->attributes + array(
				'created_at' => $now,
				'updated_at' => $now,
			);
			$this->fireModelEvent( 'creating' );
			$wpdb->insert( static::table(), $this->attributes );
			$this->attributes['id'] = (int) $wpdb->insert_id;
			$this->exists             = true;
			$this->wasRecentlyCreated = true;
			$this->fireModelEvent( 'created' );
		}
		$this->original = $this->attributes;
		return true;
	}

	public function delete(): bool {
		global $wpdb;
		$wpdb->delete( static::table(), array( 'id' => $this->attributes['id'] ) );
		$this->exists = false;
		$this->fireModelEvent( 'deleted' );
		return true;
	}
}

class Tag extends Model {
	protected static $table = 'fc_tags';
}

class Lists extends Model {
	protected static $table = 'fc_lists';
}

class Subscriber extends Model {
	protected static $table = 'fc_subscribers';

	public function tags(): Query {
		return Tag::query()->whereIn( 'id', $this->pivotIds( Tag::class ) );
	}

	public function lists(): Query {
		return Lists::query()->whereIn( 'id', $this->pivotIds( Lists::class ) );
	}

	/** Ids of the tags or lists attached, as ints. */
	public function pivotIds( string $object_type ): array {
		global $wpdb;
		if ( empty( $this->attributes['id'] ) ) {
			return array();
		}
		return array_map(
			'intval',
			$wpdb->get_col(
				$wpdb->prepare( "SELECT object_id FROM {$wpdb->prefix}fc_subscriber_pivot WHERE subscriber_id = %d AND object_type = %s", $this->attributes['id'], $object_type )
			)
		);
	}
}

/** Contact meta: custom field values (object_type custom_field) among others. */
class SubscriberMeta extends Model {
	protected static $table = 'fc_subscriber_meta';
}

class Campaign extends Model {
	protected static $table = 'fc_campaigns';

	public static function globalScope(): array {
		return array( 'type' => 'campaign' );
	}
}

class CampaignEmail extends Model {
	protected static $table = 'fc_campaign_emails';

	public function subscriber(): Query {
		return Subscriber::query()->where( 'id', $this->attributes['subscriber_id'] ?? 0 );
	}

	public function campaign(): Query {
		return Campaign::query()->where( 'id', $this->attributes['campaign_id'] ?? 0 );
	}

	protected function resolveRelation( string $name ) {
		return $this->{$name}()->first(); // belongs-to: one model
	}
}

class Funnel extends Model {
	protected static $table = 'fc_funnels';
}

class FunnelSubscriber extends Model {
	protected static $table = 'fc_funnel_subscribers';
}

<?php
/**
 * A deliberately tiny ORM with the surface FluentCRM's models offer add-ons (static where /
 * whereIn / find / create, ->save(), getDirty / getOriginal, static model-event registration,
 * relations as methods and properties). Written for these tests; it shares nothing with
 * FluentCRM's code but the behaviours the webhooks plugin relies on:
 *
 * - values read from the database are strings ("3"), except ids of models just inserted (ints);
 * - model events fire on instance save() only, never on bulk query update()/delete();
 * - `updated` listeners still see getOriginal() (old values) and getDirty() (the changes);
 * - a relation read as a property is loaded once and then kept, even if the rows change;
 * - model-event listeners registered before FluentCRM boots (plugins_loaded) are dropped.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

/**
 * The result of a query: iterable, countable, indexable.
 */
class Collection implements \IteratorAggregate, \Countable, \ArrayAccess {
	/** @var array */
	private $items;

	public function __construct( array $items = array() ) {
		$this->items = array_values( $items );
	}

	public function getIterator(): \ArrayIterator {
		return new \ArrayIterator( $this->items );
	}

	public function count(): int {
		return count( $this->items );
	}

	public function offsetExists( $offset ): bool {
		return isset( $this->items[ $offset ] );
	}

	#[\ReturnTypeWillChange]
	public function offsetGet( $offset ) {
		return $this->items[ $offset ];
	}

	public function offsetSet( $offset, $value ): void {
		if ( null === $offset ) {
			$this->items[] = $value;
		} else {
			$this->items[ $offset ] = $value;
		}
	}

	public function offsetUnset( $offset ): void {
		unset( $this->items[ $offset ] );
	}

	public function all(): array {
		return $this->items;
	}

	public function first() {
		return $this->items ? $this->items[0] : null;
	}

	public function pluck( string $column ): array {
		return array_map(
			static function ( $item ) use ( $column ) {
				return $item->{$column};
			},
			$this->items
		);
	}

	public function isEmpty(): bool {
		return ! $this->items;
	}
}

/**
 * A SELECT / UPDATE / DELETE on one model's table.
 */
class Query {
	/** @var string Model class. */
	private $model;
	/** @var string[] */
	private $wheres = array();
	/** @var array */
	private $bindings = array();
	/** @var string */
	private $order = '`id` ASC';
	/** @var int|null */
	private $limit = null;

	public function __construct( string $model ) {
		$this->model = $model;
		foreach ( $model::globalScope() as $column => $value ) {
			$this->where( $column, $value );
		}
	}

	public function where( string $column, $operator, $value = null ): self {
		if ( 2 === func_num_args() ) {
			list( $operator, $value ) = array( '=', $operator );
		}
		if ( ! in_array( $operator, array( '=', '!=', '<>', '<', '>', '<=', '>=', 'LIKE' ), true ) ) {
			throw new \InvalidArgumentException( "operator {$operator}" );
		}
		$this->wheres[]   = self::column( $column ) . " {$operator} %s";
		$this->bindings[] = $value;
		return $this;
	}

	public function whereIn( string $column, array $values ): self {
		return $this->whereList( $column, $values, 'IN' );
	}

	public function whereNotIn( string $column, array $values ): self {
		return $this->whereList( $column, $values, 'NOT IN' );
	}

	private function whereList( string $column, array $values, string $operator ): self {
		$values = array_values( $values );
		if ( ! $values ) {
			$this->wheres[] = 'IN' === $operator ? '1 = 0' : '1 = 1';
			return $this;
		}
		$this->wheres[] = self::column( $column ) . " {$operator} (" . implode( ', ', array_fill( 0, count( $values ), '%s' ) ) . ')';
		array_push( $this->bindings, ...$values );
		return $this;
	}

	public function orderBy( string $column, string $direction = 'ASC' ): self {
		$this->order = self::column( $column ) . ( 'DESC' === strtoupper( $direction ) ? ' DESC' : ' ASC' );
		return $this;
	}

	public function limit( int $limit ): self {
		$this->limit = $limit;
		return $this;
	}

	public function get(): Collection {
		global $wpdb;
		$model = $this->model;
		$sql   = 'SELECT * FROM ' . $model::table() . $this->whereSql() . " ORDER BY {$this->order}" . ( $this->limit ? ' LIMIT ' . (int) $this->limit : '' );
		$rows  = $wpdb->get_results( $this->prepare( $sql ), ARRAY_A );
		return new Collection( array_map( array( $model, 'fromRow' ), (array) $rows ) );
	}

	public function first() {
		return $this->limit( 1 )->get()->first();
	}

	public function find( $id ) {
		return $this->where( 'id', $id )->first();
	}

	public function count(): int {
		global $wpdb;
		$model = $this->model;
		return (int) $wpdb->get_var( $this->prepare( 'SELECT COUNT(*) FROM ' . $model::table() . $this->whereSql() ) );
	}

	public function pluck( string $column ): array {
		return $this->get()->pluck( $column );
	}

	/** Bulk update: no model events, exactly like FluentCRM's query updates. */
	public function update( array $values ): int {
		global $wpdb;
		$model = $this->model;
		$sets  = array();
		$args  = array();
		foreach ( $values as $column => $value ) {
			$sets[] = self::column( $column ) . ' = %s';
			$args[] = $value;
		}
		$sql = 'UPDATE ' . $model::table() . ' SET ' . implode( ', ', $sets ) . $this->whereSql();
		return (int) $wpdb->query( $this->prepare( $sql, $args ) );
	}

	/** Bulk delete: no model events. */
	public function delete(): int {
		global $wpdb;
		$model = $this->model;
		return (int) $wpdb->query( $this->prepare( 'DELETE FROM ' . $model::table() . $this->whereSql() ) );
	}

	private function whereSql(): string {
		return $this->wheres ? ' WHERE ' . implode( ' AND ', $this->wheres ) : '';
	}

	private function prepare( string $sql, array $leading = array() ): string {
		global $wpdb;
		$bindings = array_merge( $leading, $this->bindings );
		return $bindings ? $wpdb->prepare( $sql, $bindings ) : $sql; // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
	}

	private static function column( string $column ): string {
		if ( ! preg_match( '/^[a-z_]+$/', $column ) ) {
			throw new \InvalidArgumentException( "column {$column}" );
		}
		return "`{$column}`";
	}
}

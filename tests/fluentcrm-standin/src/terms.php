<?php
/**
 * Deleting tags and lists as FluentCRM's TagsController / ListsController do (both releases): the
 * row goes first (single tag: a model delete; bulk and lists: a query delete), then the deleted
 * hooks fire with the id (tags: old form first, lists: new form first), and FluentCRM's own
 * cleanup on `fluent_crm/{tag|list}_deleted` (priority 10) deletes the pivot rows in one query:
 * no contact_removed_from_* hook, no model event.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

use FluentCrm\App\Models\Lists;
use FluentCrm\App\Models\Tag;

/**
 * `DELETE /tags/{id}` and `POST /tags/do-bulk-action` (tagIds); the same for lists (listIds). The
 * single route passes the hooks its URL's id as it came (a string), the bulk route intval()s them.
 */
function delete_terms( string $kind, array $ids, bool $single ): void {
	foreach ( $single ? $ids : array_filter( array_map( 'intval', $ids ) ) as $id ) {
		if ( 'tags' === $kind ) {
			$tag = $single ? Tag::find( $id ) : null;
			$tag ? $tag->delete() : Tag::where( 'id', $id )->delete();
			do_action( 'fluentcrm_tag_deleted', $id );
			do_action( 'fluent_crm/tag_deleted', $id );
		} else {
			Lists::where( 'id', $id )->delete();
			do_action( 'fluent_crm/list_deleted', $id );
			do_action( 'fluentcrm_list_deleted', $id );
		}
	}
}

/** FluentCRM's Cleanup@deleteTagAssets / deleteListAssets. */
function delete_term_pivots( string $object_type, $id ): void {
	global $wpdb;
	$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->prefix}fc_subscriber_pivot WHERE object_type = %s AND object_id = %d", $object_type, (int) $id ) );
}

add_action(
	'fluent_crm/tag_deleted',
	static function ( $id ) {
		delete_term_pivots( Tag::class, $id );
	},
	10,
	1
);
add_action(
	'fluent_crm/list_deleted',
	static function ( $id ) {
		delete_term_pivots( Lists::class, $id );
	},
	10,
	1
);

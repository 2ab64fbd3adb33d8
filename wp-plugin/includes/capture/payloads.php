<?php
/**
 * The `data` of each event, built from FluentCRM's models (docs/events.md documents every shape).
 *
 * FluentCRM's models return ids as strings ("3"); payloads carry integers. FluentCRM stores its
 * times in the site's timezone; payloads carry ISO 8601 UTC.
 *
 * @package FluentCRM_Webhooks
 * @since 0.1.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * An id as an integer, or null when there is none.
 *
 * @since 0.1.0
 *
 * @param mixed $value Id as FluentCRM gives it.
 */
function fcwh_int_or_null( $value ): ?int {
	return is_numeric( $value ) && (int) $value > 0 ? (int) $value : null;
}

/**
 * A string, or null for empty values.
 *
 * @since 0.1.0
 *
 * @param mixed $value Column value.
 */
function fcwh_string_or_null( $value ): ?string {
	return null === $value || '' === $value ? null : (string) $value;
}

/**
 * A FluentCRM time (site timezone, `Y-m-d H:i:s`, or a DateTime) as ISO 8601 UTC.
 *
 * @since 0.1.0
 *
 * @param mixed $value Column value.
 */
function fcwh_iso_from_site_time( $value ): ?string {
	if ( $value instanceof DateTimeInterface ) {
		return gmdate( 'Y-m-d\TH:i:s\Z', $value->getTimestamp() );
	}
	$value = (string) $value;
	if ( '' === $value || 0 === strpos( $value, '0000-00-00' ) ) {
		return null;
	}
	return get_gmt_from_date( $value, 'Y-m-d\TH:i:s\Z' );
}

/**
 * Now, as ISO 8601 UTC.
 *
 * @since 0.1.0
 */
function fcwh_iso_now(): string {
	return gmdate( 'Y-m-d\TH:i:s\Z' );
}

/**
 * A contact as every event shows it, with its current tags and lists; null without an id.
 *
 * @since 0.1.0
 *
 * @param object|null $contact A Subscriber model.
 */
function fcwh_contact_data( $contact ): ?array {
	if ( ! is_object( $contact ) || null === fcwh_int_or_null( $contact->id ?? null ) ) {
		return null;
	}
	$terms = fcwh_fresh_contact_terms( $contact );
	return array(
		'id'         => (int) $contact->id,
		'email'      => (string) $contact->email,
		'first_name' => fcwh_string_or_null( $contact->first_name ?? null ),
		'last_name'  => fcwh_string_or_null( $contact->last_name ?? null ),
		'status'     => fcwh_string_or_null( $contact->status ?? null ),
		'phone'      => fcwh_string_or_null( $contact->phone ?? null ),
		'created_at' => fcwh_iso_from_site_time( $contact->created_at ?? null ),
		'updated_at' => fcwh_iso_from_site_time( $contact->updated_at ?? null ),
		'tags'       => fcwh_terms_data( $terms['tags'] ),
		'lists'      => fcwh_terms_data( $terms['lists'] ),
	);
}

/**
 * A contact's tags and lists, read from the database now (`->tags` may hold a copy loaded before
 * the change). For a FluentCRM contact, in one query on FluentCRM's own tables, in the order its
 * relations give (by title): two relation reads through its models cost about a millisecond of
 * every request that creates or changes a contact (docs/benchmarks.md, the real-FluentCRM site
 * cost). Whatever that query cannot read (tables of another shape) is read through the models.
 *
 * @since 0.1.0
 *
 * @param object $contact A contact (a FluentCRM model, or any object with `tags` and `lists`).
 * @return array{tags: object[], lists: object[]}
 */
function fcwh_fresh_contact_terms( $contact ): array {
	global $wpdb;
	if ( method_exists( $contact, 'tags' ) && method_exists( $contact, 'lists' ) && isset( $wpdb ) ) {
		$prefix = $wpdb->prefix;
		$id     = (int) $contact->id;
		$sql    = $wpdb->prepare(
			"SELECT 'tags' AS relation, t.id, t.title, t.slug FROM {$prefix}fc_subscriber_pivot AS p JOIN {$prefix}fc_tags AS t ON t.id = p.object_id WHERE p.subscriber_id = %d AND p.object_type = %s UNION ALL SELECT 'lists', l.id, l.title, l.slug FROM {$prefix}fc_subscriber_pivot AS p JOIN {$prefix}fc_lists AS l ON l.id = p.object_id WHERE p.subscriber_id = %d AND p.object_type = %s ORDER BY relation, title", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the table prefix.
			$id,
			'FluentCrm\App\Models\Tag',
			$id,
			'FluentCrm\App\Models\Lists'
		);
		$quiet = $wpdb->suppress_errors( true );
		$rows  = $wpdb->get_results( $sql ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared, WordPress.DB.DirectDatabaseQuery
		$wpdb->suppress_errors( $quiet );
		if ( is_array( $rows ) && '' === $wpdb->last_error ) {
			$terms = array(
				'tags'  => array(),
				'lists' => array(),
			);
			foreach ( $rows as $row ) {
				$terms[ $row->relation ][] = $row;
			}
			return $terms;
		}
	}
	return array(
		'tags'  => fcwh_fresh_relation( $contact, 'tags' ),
		'lists' => fcwh_fresh_relation( $contact, 'lists' ),
	);
}

/**
 * A relation read from the database now: `->tags` may hold a copy loaded before the change.
 *
 * @since 0.1.0
 *
 * @param object $model    A model.
 * @param string $relation Relation name.
 * @return object[]
 */
function fcwh_fresh_relation( $model, string $relation ): array {
	if ( method_exists( $model, $relation ) ) {
		return fcwh_items( $model->{$relation}()->get() );
	}
	return fcwh_items( $model->{$relation} ?? null );
}

/**
 * Tags or lists as `{id, title, slug}`.
 *
 * @since 0.1.0
 *
 * @param object[] $terms Tag or Lists models.
 * @return array[]
 */
function fcwh_terms_data( array $terms ): array {
	$data = array();
	foreach ( $terms as $term ) {
		$data[] = array(
			'id'    => (int) $term->id,
			'title' => fcwh_string_or_null( $term->title ?? null ),
			'slug'  => fcwh_string_or_null( $term->slug ?? null ),
		);
	}
	return $data;
}

/**
 * The tags or lists a change touched, in the order given; one gone since keeps its id.
 *
 * @since 0.1.0
 *
 * @param string $model `Tag` or `Lists`.
 * @param int[]  $ids   Ids from the hook.
 * @return array[]
 */
function fcwh_changed_terms_data( string $model, array $ids ): array {
	$found = fcwh_find_models( $model, $ids );
	$data  = array();
	foreach ( $ids as $id ) {
		$data[] = isset( $found[ $id ] ) ? fcwh_terms_data( array( $found[ $id ] ) )[0] : array(
			'id'    => $id,
			'title' => null,
			'slug'  => null,
		);
	}
	return $data;
}

/**
 * Ids from a tag/list hook: integers, in a plain list (FluentCRM passes array_diff() results
 * with gaps in the keys, which would encode as a JSON object), sorted, without duplicates.
 *
 * @since 0.1.0
 *
 * @param mixed $ids Ids as the hook passed them.
 * @return int[]
 */
function fcwh_normalize_ids( $ids ): array {
	$ids = array_filter( array_map( 'intval', (array) $ids ) );
	$ids = array_values( array_unique( $ids ) );
	sort( $ids );
	return $ids;
}

/**
 * A campaign email as email events show it; `$extra` adds opened_at, url, sent_at...
 *
 * @since 0.1.0
 *
 * @param object $email A CampaignEmail model.
 * @param array  $extra More fields.
 */
function fcwh_email_data( $email, array $extra = array() ): array {
	return array(
		'id'          => (int) $email->id,
		'subject'     => fcwh_string_or_null( $email->email_subject ?? null ),
		'contact_id'  => fcwh_int_or_null( $email->subscriber_id ?? null ),
		'campaign_id' => fcwh_regular_campaign_id( $email->campaign_id ?? null ),
	) + $extra;
}

/**
 * A campaign as campaign events show it.
 *
 * @since 0.1.0
 *
 * @param object      $campaign A Campaign model.
 * @param string|null $status   The status to report instead of the model's (which can be stale).
 */
function fcwh_campaign_data( $campaign, ?string $status = null ): array {
	return array(
		'id'               => (int) $campaign->id,
		'title'            => fcwh_string_or_null( $campaign->title ?? null ),
		'status'           => null === $status ? fcwh_string_or_null( $campaign->status ?? null ) : $status,
		'recipients_count' => (int) ( $campaign->recipients_count ?? 0 ),
		'scheduled_at'     => fcwh_iso_from_site_time( $campaign->scheduled_at ?? null ),
	);
}

/**
 * A funnel (automation) as funnel events show it.
 *
 * @since 0.1.0
 *
 * @param object $funnel A Funnel model.
 */
function fcwh_funnel_data( $funnel ): array {
	return array(
		'id'    => (int) $funnel->id,
		'title' => fcwh_string_or_null( $funnel->title ?? null ),
	);
}

<?php
/**
 * The site's own tags, lists and campaigns, for the conditions pickers of the webhook form.
 *
 * Read through FluentCRM's models (FluentCrm\App\Models\Tag, Lists, Campaign), the way its
 * add-ons do, when the screen loads: no REST round trip, and no FluentCRM permission needed
 * beyond managing webhooks (the screen shows only ids and titles).
 *
 * @package FluentCRM_Webhooks
 * @since 0.2.0
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// The newest campaigns offered in the picker; an older one a webhook names still shows (by id).
const FCWH_ADMIN_CAMPAIGNS_OFFERED = 500;

/**
 * Id and title of a model's rows, ordered by title (campaigns: newest first).
 *
 * @since 0.2.0
 *
 * @param string $model Short model name: Tag, Lists or Campaign.
 * @return array<int, array{id: int, title: string}>
 */
function fcwh_admin_term_options( string $model ): array {
	$class = fcwh_fluentcrm_model( $model );
	if ( null === $class ) {
		return array();
	}
	try {
		$query = 'Campaign' === $model
			? $class::orderBy( 'id', 'DESC' )->limit( FCWH_ADMIN_CAMPAIGNS_OFFERED )
			: $class::orderBy( 'title', 'ASC' );
		$options = array();
		foreach ( fcwh_items( $query->get() ) as $row ) {
			$options[] = array(
				'id'    => (int) $row->id,
				'title' => '' !== (string) $row->title ? (string) $row->title : '#' . (int) $row->id,
			);
		}
		return $options;
	} catch ( \Throwable $error ) {
		// A FluentCRM whose tables are not there yet (mid-install) must not break the screen.
		fcwh_log_error( 'admin terms', $error );
		return array();
	}
}

/**
 * What the conditions pickers offer.
 *
 * @since 0.2.0
 *
 * @return array{tags: array, lists: array, campaigns: array}
 */
function fcwh_admin_site_terms(): array {
	return array(
		'tags'      => fcwh_admin_term_options( 'Tag' ),
		'lists'     => fcwh_admin_term_options( 'Lists' ),
		'campaigns' => fcwh_admin_term_options( 'Campaign' ),
	);
}

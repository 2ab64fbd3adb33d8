<?php
/**
 * Which FluentCRM release the stand-in plays (option `fcstandin_release`): 2.9.84 fires old- and
 * new-style hooks; 2.9.65 fires only the old-style tag/list hooks and contact_created twice.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

const RELEASES = array( '2.9.84', '2.9.65' );

function release(): string {
	$release = (string) get_option( 'fcstandin_release', '2.9.84' );
	return in_array( $release, RELEASES, true ) ? $release : '2.9.84';
}

function is_old_release(): bool {
	return '2.9.65' === release();
}

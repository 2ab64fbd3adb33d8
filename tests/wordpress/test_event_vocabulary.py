"""The plugin's event-type table (wp-plugin/includes/event-types.php) names the hooks that produce
each type: on a live site, with the plugin active, every one of them has a callback of the plugin's.
(tests/php/test_vocabulary.py holds the table itself to the sidecar and the docs.)"""

from __future__ import annotations

import json

from tests.support.wordpress import WordPressSite

UNREGISTERED_HOOKS = """
$missing = array();
foreach ( fcwh_event_type_table() as $name => $type ) {
    foreach ( $type['hooks'] as $hook ) {
        if ( ! has_filter( $hook ) ) {
            $missing[ $name ][] = $hook;
        }
    }
}
echo wp_json_encode( (object) $missing );
"""


def test_every_hook_of_the_event_table_is_hooked(wordpress: WordPressSite) -> None:
    assert json.loads(wordpress.php(UNREGISTERED_HOOKS)) == {}

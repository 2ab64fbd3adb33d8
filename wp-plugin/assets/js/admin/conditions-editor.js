/**
 * A webhook's conditions (send only some events, so receivers that bill per run are not called
 * for nothing): the contact in any/all of these lists, with any/all of these tags, in these
 * statuses; for email and campaign events, only these campaigns. The pickers offer the site's own
 * tags, lists and campaigns, read from FluentCRM by includes/admin/site-terms.php.
 */
( function ( wp, fcwh, config ) {
	'use strict';

	const { createElement: el, useState } = wp.element;
	const { __, sprintf } = wp.i18n;

	const terms = config.terms || { tags: [], lists: [], campaigns: [] };

	// FluentCRM's contact statuses (the API accepts exactly these).
	const STATUSES = [
		[ 'subscribed', __( 'Subscribed', 'fluentcrm-webhooks' ) ],
		[ 'pending', __( 'Pending', 'fluentcrm-webhooks' ) ],
		[ 'unsubscribed', __( 'Unsubscribed', 'fluentcrm-webhooks' ) ],
		[ 'transactional', __( 'Transactional', 'fluentcrm-webhooks' ) ],
		[ 'bounced', __( 'Bounced', 'fluentcrm-webhooks' ) ],
		[ 'complained', __( 'Complained', 'fluentcrm-webhooks' ) ],
		[ 'spammed', __( 'Spammed', 'fluentcrm-webhooks' ) ],
	];
	const FILTER_FROM = 8; // more items than this: offer a filter box

	/** The editor's state from the API's conditions (null: none). */
	function stateFromConditions( conditions ) {
		const c = conditions || {};
		return {
			lists: { match: ( c.lists && c.lists.match ) || 'any', ids: ( c.lists && c.lists.ids ) || [] },
			tags: { match: ( c.tags && c.tags.match ) || 'any', ids: ( c.tags && c.tags.ids ) || [] },
			statuses: c.statuses || [],
			campaigns: c.campaigns || [],
		};
	}

	/** The API's conditions from the editor's state: only what is set; nothing set is null. */
	function conditionsFromState( state ) {
		const conditions = {};
		[ 'lists', 'tags' ].forEach( function ( key ) {
			if ( state[ key ].ids.length ) {
				conditions[ key ] = { match: state[ key ].match, ids: state[ key ].ids.slice() };
			}
		} );
		if ( state.statuses.length ) {
			conditions.statuses = state.statuses.slice();
		}
		if ( state.campaigns.length ) {
			conditions.campaigns = state.campaigns.slice();
		}
		return Object.keys( conditions ).length ? conditions : null;
	}

	function toggled( list, value, on ) {
		return on ? list.concat( [ value ] ) : list.filter( ( other ) => other !== value );
	}

	/** Checkboxes of the site's items, with a filter box for long lists. */
	function TermPicker( props ) {
		const [ filter, setFilter ] = useState( '' );
		const known = props.items.map( ( item ) => item.id );
		// Ids the webhook has but the site no longer (a deleted tag): shown, so they can be removed.
		const missing = props.selected.filter( ( id ) => ! known.includes( id ) )
			/* translators: %d: an id. */
			.map( ( id ) => ( { id: id, title: sprintf( __( '#%d (no longer on this site)', 'fluentcrm-webhooks' ), id ) } ) );
		const needle = filter.trim().toLowerCase();
		const shown = missing.concat( props.items ).filter( ( item ) => ! needle || item.title.toLowerCase().includes( needle ) || props.selected.includes( item.id ) );
		if ( ! props.items.length && ! missing.length ) {
			return el( 'p', { className: 'description fcwh-terms-none' }, props.emptyText );
		}
		return el(
			'div',
			{ className: 'fcwh-term-picker', 'data-kind': props.kind },
			props.items.length > FILTER_FROM && el( 'input', {
				type: 'search', className: 'fcwh-term-filter', value: filter, onChange: ( event ) => setFilter( event.target.value ),
				/* translators: %s: "tags", "lists" or "campaigns". */
				'aria-label': sprintf( __( 'Filter %s', 'fluentcrm-webhooks' ), props.plural ), placeholder: __( 'Filter…', 'fluentcrm-webhooks' ),
			} ),
			el( 'ul', { className: 'fcwh-term-list' }, shown.map( ( item ) => el(
				'li',
				{ key: item.id },
				el( 'label', null,
					el( 'input', {
						type: 'checkbox', value: item.id, 'data-term-id': item.id, checked: props.selected.includes( item.id ),
						onChange: ( event ) => props.onChange( toggled( props.selected, item.id, event.target.checked ) ),
					} ),
					' ', item.title )
			) ) )
		);
	}

	function MatchSelect( props ) {
		return el( 'select', {
			className: 'fcwh-match', value: props.value, 'data-kind': props.kind,
			/* translators: %s: "lists" or "tags". */
			'aria-label': sprintf( __( 'How the %s must match', 'fluentcrm-webhooks' ), props.plural ),
			onChange: ( event ) => props.onChange( event.target.value ),
		},
		el( 'option', { value: 'any' }, props.anyLabel ),
		el( 'option', { value: 'all' }, props.allLabel ) );
	}

	function Group( props ) {
		return el( 'fieldset', { className: 'fcwh-condition', 'data-condition': props.kind },
			el( 'legend', null, props.legend ),
			props.children );
	}

	/**
	 * @param {Object}   props
	 * @param {Object}   props.state       stateFromConditions() of the webhook.
	 * @param {Function} props.onChange    Called with the new state.
	 * @param {string}   props.describedBy Ids of the description and error.
	 */
	function ConditionsEditor( props ) {
		const state = props.state;
		const set = ( key, value ) => props.onChange( Object.assign( {}, state, { [ key ]: value } ) );
		const setPart = ( key, part, value ) => set( key, Object.assign( {}, state[ key ], { [ part ]: value } ) );
		return el(
			'div',
			{ className: 'fcwh-conditions', id: 'fcwh-conditions', 'aria-describedby': props.describedBy },
			! config.fluentcrmActive && el( 'p', { className: 'description fcwh-unavailable' }, __( 'FluentCRM is not active: its tags, lists and campaigns cannot be listed.', 'fluentcrm-webhooks' ) ),
			el( Group, { kind: 'lists', legend: __( 'Lists', 'fluentcrm-webhooks' ) },
				el( MatchSelect, { kind: 'lists', plural: __( 'lists', 'fluentcrm-webhooks' ), value: state.lists.match, onChange: ( v ) => setPart( 'lists', 'match', v ),
					anyLabel: __( 'Contact is in any of these lists', 'fluentcrm-webhooks' ), allLabel: __( 'Contact is in all of these lists', 'fluentcrm-webhooks' ) } ),
				el( TermPicker, { kind: 'lists', plural: __( 'lists', 'fluentcrm-webhooks' ), items: terms.lists, selected: state.lists.ids, onChange: ( ids ) => setPart( 'lists', 'ids', ids ),
					emptyText: __( 'This site has no lists yet.', 'fluentcrm-webhooks' ) } ) ),
			el( Group, { kind: 'tags', legend: __( 'Tags', 'fluentcrm-webhooks' ) },
				el( MatchSelect, { kind: 'tags', plural: __( 'tags', 'fluentcrm-webhooks' ), value: state.tags.match, onChange: ( v ) => setPart( 'tags', 'match', v ),
					anyLabel: __( 'Contact has any of these tags', 'fluentcrm-webhooks' ), allLabel: __( 'Contact has all of these tags', 'fluentcrm-webhooks' ) } ),
				el( TermPicker, { kind: 'tags', plural: __( 'tags', 'fluentcrm-webhooks' ), items: terms.tags, selected: state.tags.ids, onChange: ( ids ) => setPart( 'tags', 'ids', ids ),
					emptyText: __( 'This site has no tags yet.', 'fluentcrm-webhooks' ) } ) ),
			el( Group, { kind: 'statuses', legend: __( 'Contact status', 'fluentcrm-webhooks' ) },
				el( 'ul', { className: 'fcwh-term-list fcwh-status-list' }, STATUSES.map( ( [ value, label ] ) => el( 'li', { key: value },
					el( 'label', null, el( 'input', {
						type: 'checkbox', value: value, 'data-status': value, checked: state.statuses.includes( value ),
						onChange: ( event ) => set( 'statuses', toggled( state.statuses, value, event.target.checked ) ),
					} ), ' ', label ) ) ) ) ),
			el( Group, { kind: 'campaigns', legend: __( 'Campaigns (email and campaign events only)', 'fluentcrm-webhooks' ) },
				el( TermPicker, { kind: 'campaigns', plural: __( 'campaigns', 'fluentcrm-webhooks' ), items: terms.campaigns, selected: state.campaigns, onChange: ( ids ) => set( 'campaigns', ids ),
					emptyText: __( 'This site has no campaigns yet.', 'fluentcrm-webhooks' ) } ) )
		);
	}

	fcwh.conditionsEditor = { ConditionsEditor: ConditionsEditor, stateFromConditions: stateFromConditions, conditionsFromState: conditionsFromState };
}( window.wp, window.fcwhAdmin, window.fcwhAdminConfig ) );

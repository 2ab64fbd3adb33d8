/**
 * The events of a webhook as checkboxes in one fieldset per group (Contact, Email, Campaign,
 * Funnel, Commerce), each with "select all", and a note on events this site cannot produce.
 * Those cannot be ticked (the reason says what would make them fire); one already subscribed
 * stays ticked and can be unticked.
 */
( function ( wp, fcwh, config ) {
	'use strict';

	const { createElement: el, useEffect, useRef } = wp.element;
	const { __, sprintf } = wp.i18n;

	/** A checkbox that can show the third, "some selected", state. */
	function GroupToggle( props ) {
		const ref = useRef( null );
		useEffect( function () {
			if ( ref.current ) {
				ref.current.indeterminate = props.some && ! props.all;
			}
		} );
		return el(
			'label',
			{ className: 'fcwh-select-all' },
			el( 'input', {
				ref: ref,
				type: 'checkbox',
				checked: props.all,
				onChange: ( event ) => props.onChange( event.target.checked ),
				'data-group': props.groupKey,
			} ),
			' ',
			/* translators: %s: event group, e.g. "Contact". */
			sprintf( __( 'Select all %s events', 'fluentcrm-webhooks' ), props.label )
		);
	}

	/** The reason shared by every event of a group (e.g. no store plugin), if there is one. */
	function sharedReason( events ) {
		const reasons = events.map( ( event ) => event.unavailable );
		return reasons.every( ( reason ) => reason && reason === reasons[ 0 ] ) ? reasons[ 0 ] : null;
	}

	/** The id of the text saying why an event cannot fire here: the group's, or the event's own. */
	function unavailableId( group, groupReason, event ) {
		return 'fcwh-unavailable-' + ( groupReason ? group.key : event.name.replace( /\./g, '-' ) );
	}

	function EventGroup( props ) {
		const { group, selected, onChange, describedBy } = props;
		// "Select all" means all this site can produce.
		const names = group.events.filter( ( event ) => ! event.unavailable ).map( ( event ) => event.name );
		const count = names.filter( ( name ) => selected.includes( name ) ).length;
		const groupReason = sharedReason( group.events );

		const toggleAll = function ( checked ) {
			const others = selected.filter( ( name ) => ! names.includes( name ) );
			onChange( checked ? others.concat( names ) : others );
		};
		const toggleOne = function ( name, checked ) {
			onChange( checked ? selected.concat( [ name ] ) : selected.filter( ( other ) => other !== name ) );
		};

		return el(
			'fieldset',
			{ className: 'fcwh-event-group', 'data-group': group.key, 'aria-describedby': describedBy },
			el( 'legend', null, group.label ),
			groupReason && el( 'p', { className: 'description fcwh-unavailable', id: 'fcwh-unavailable-' + group.key }, groupReason ),
			names.length > 0 && el( GroupToggle, { groupKey: group.key, label: group.label, all: count === names.length, some: count > 0, onChange: toggleAll } ),
			el( 'ul', { className: 'fcwh-event-list' }, group.events.map( ( event ) => el(
				'li',
				{ key: event.name },
				el(
					'label',
					null,
					el( 'input', {
						type: 'checkbox',
						name: 'events[]',
						value: event.name,
						checked: selected.includes( event.name ),
						disabled: !! event.unavailable && ! selected.includes( event.name ),
						'aria-describedby': event.unavailable ? unavailableId( group, groupReason, event ) : undefined,
						onChange: ( change ) => toggleOne( event.name, change.target.checked ),
					} ),
					' ',
					el( 'code', null, event.name ),
					' ',
					el( 'span', { className: 'fcwh-event-description' }, event.description )
				),
				event.unavailable && ! groupReason && el( 'span', { className: 'description fcwh-unavailable', id: unavailableId( group, groupReason, event ) }, ' ', event.unavailable )
			) ) )
		);
	}

	/**
	 * @param {Object}   props
	 * @param {string[]} props.selected    Subscribed event names.
	 * @param {Function} props.onChange    Called with the new list.
	 * @param {string}   props.describedBy Id of the error message, when there is one.
	 */
	function EventPicker( props ) {
		return el(
			'div',
			{ className: 'fcwh-event-picker', id: 'fcwh-events' },
			config.eventCatalog.map( ( group ) => el( EventGroup, {
				key: group.key,
				group: group,
				selected: props.selected,
				onChange: props.onChange,
				describedBy: props.describedBy,
			} ) )
		);
	}

	fcwh.EventPicker = EventPicker;
}( window.wp, window.fcwhAdmin, window.fcwhAdminConfig ) );

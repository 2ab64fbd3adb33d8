/**
 * The webhook's custom headers (the receiver's own auth: `Authorization: Bearer ...`, an API key):
 * up to 10 name/value rows. Values are secrets: the API never gives a stored one back (it answers
 * "********"), so a stored header shows an empty value field that keeps the value when left empty;
 * what is typed is masked until "Show" is pressed.
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el, useState } = wp.element;
	const { __, sprintf } = wp.i18n;

	const MAX_HEADERS = 10;
	// What the API shows for a stored value, and takes back as "keep the stored value".
	const MASK = '********';

	/**
	 * Rows for the editor from the API's `{name: "********"}` (null: none). `stored` names the header
	 * the sidecar has a value for: that value is kept while the row keeps the name and no new value.
	 */
	function rowsFromHeaders( headers ) {
		return Object.keys( headers || {} ).map( ( name ) => ( { name: name, value: '', stored: name } ) );
	}

	/** Whether a row still stands for its stored value (same name, nothing typed). */
	function keepsStoredValue( row ) {
		return !! row.stored && row.value === '' && row.name.trim() === row.stored;
	}

	/** The API's object from the rows; wholly blank rows are dropped, half-filled ones sent as they are. */
	function headersFromRows( rows ) {
		const headers = {};
		rows.forEach( function ( row ) {
			if ( keepsStoredValue( row ) ) {
				headers[ row.stored ] = MASK;
			} else if ( row.name.trim() !== '' || row.value !== '' ) {
				headers[ row.name.trim() ] = row.value;
			}
		} );
		return headers;
	}

	function HeaderRow( props ) {
		const { row, index } = props;
		const [ shown, setShown ] = useState( false );
		const number = index + 1;
		return el(
			'li',
			{ className: 'fcwh-header-row' },
			el( 'input', {
				type: 'text', className: 'fcwh-header-name code', value: row.name, placeholder: 'Authorization',
				maxLength: 64, autoComplete: 'off', spellCheck: false,
				/* translators: %d: row number. */
				'aria-label': sprintf( __( 'Name of header %d', 'fluentcrm-webhooks' ), number ),
				'aria-describedby': props.describedBy,
				onChange: ( event ) => props.onChange( Object.assign( {}, row, { name: event.target.value } ) ),
			} ),
			el( 'input', {
				type: shown ? 'text' : 'password', className: 'fcwh-header-value regular-text code', value: row.value,
				// A stored value is never sent to the browser: say it is kept rather than show a fake one.
				placeholder: keepsStoredValue( row ) ? __( 'Stored value kept (type to replace)', 'fluentcrm-webhooks' ) : ( shown ? 'Bearer …' : '' ),
				maxLength: 4096, autoComplete: 'new-password', spellCheck: false, 'data-stored': keepsStoredValue( row ) ? 'true' : undefined,
				/* translators: %d: row number. */
				'aria-label': sprintf( __( 'Value of header %d', 'fluentcrm-webhooks' ), number ),
				'aria-describedby': props.describedBy,
				onChange: ( event ) => props.onChange( Object.assign( {}, row, { value: event.target.value } ) ),
			} ),
			' ',
			el( 'button', {
				type: 'button', className: 'button fcwh-header-reveal', 'aria-pressed': shown,
				/* translators: %d: row number. */
				'aria-label': sprintf( shown ? __( 'Hide the value of header %d', 'fluentcrm-webhooks' ) : __( 'Show the value of header %d', 'fluentcrm-webhooks' ), number ),
				onClick: () => setShown( ! shown ),
			}, shown ? __( 'Hide', 'fluentcrm-webhooks' ) : __( 'Show', 'fluentcrm-webhooks' ) ),
			' ',
			el( 'button', {
				type: 'button', className: 'button-link button-link-delete fcwh-header-remove',
				/* translators: %d: row number. */
				'aria-label': sprintf( __( 'Remove header %d', 'fluentcrm-webhooks' ), number ),
				onClick: props.onRemove,
			}, __( 'Remove', 'fluentcrm-webhooks' ) )
		);
	}

	/**
	 * @param {Object}   props
	 * @param {Object[]} props.rows        `{name, value}` rows.
	 * @param {Function} props.onChange    Called with the new rows.
	 * @param {string}   props.describedBy Ids of the description and error.
	 */
	function HeadersEditor( props ) {
		const rows = props.rows;
		const replace = ( index, row ) => props.onChange( rows.map( ( old, i ) => ( i === index ? row : old ) ) );
		const remove = ( index ) => props.onChange( rows.filter( ( old, i ) => i !== index ) );
		const add = () => props.onChange( rows.concat( [ { name: '', value: '' } ] ) );
		return el(
			'div',
			{ className: 'fcwh-headers-editor', id: 'fcwh-headers' },
			rows.length
				? el( 'ul', { className: 'fcwh-header-rows' }, rows.map( ( row, index ) => el( HeaderRow, {
					// Rows have no identity but their place; removing one re-renders those after it.
					key: index + ':' + rows.length,
					row: row,
					index: index,
					describedBy: props.describedBy,
					onChange: ( changed ) => replace( index, changed ),
					onRemove: () => remove( index ),
				} ) ) )
				: el( 'p', { className: 'fcwh-headers-none' }, __( 'No custom headers.', 'fluentcrm-webhooks' ) ),
			el( 'p', null, el( 'button', {
				type: 'button', className: 'button fcwh-header-add', onClick: add, disabled: rows.length >= MAX_HEADERS,
			}, __( 'Add header', 'fluentcrm-webhooks' ) ),
			rows.length >= MAX_HEADERS && el( 'span', { className: 'description' }, ' ',
				/* translators: %d: the most headers a webhook may have. */
				sprintf( __( 'At most %d headers.', 'fluentcrm-webhooks' ), MAX_HEADERS ) ) )
		);
	}

	fcwh.headersEditor = { HeadersEditor: HeadersEditor, rowsFromHeaders: rowsFromHeaders, headersFromRows: headersFromRows, MAX_HEADERS: MAX_HEADERS, MASK: MASK };
}( window.wp, window.fcwhAdmin ) );

/**
 * Create and edit a webhook: a WordPress form table whose API errors (`invalid_webhook_url`,
 * `invalid_webhook_event`, missing or invalid parameters) appear next to their field.
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el, Fragment, useState, useEffect, useRef } = wp.element;
	const { __, sprintf } = wp.i18n;
	const { api, ui, router } = fcwh;

	// The form's fields, named as the API names them (errors point at these names).
	const FIELDS = [ 'name', 'url', 'events', 'status', 'secret', 'headers', 'conditions', 'auto_recover', 'max_concurrency', 'ordered' ];
	const { headersEditor, conditionsEditor } = fcwh;

	function FieldError( props ) {
		if ( ! props.message ) {
			return null;
		}
		return el( 'p', { id: props.id, className: 'fcwh-field-error', 'data-field': props.field },
			el( 'span', { className: 'dashicons dashicons-warning', 'aria-hidden': 'true' } ), ' ', props.message );
	}

	/** A row of the form table: label, control, description and error, tied together for screen readers. */
	function FieldRow( props ) {
		const errorId = props.id + '-error';
		const descriptionId = props.id + '-description';
		const describedBy = [ props.error ? errorId : '', props.description ? descriptionId : '' ].filter( Boolean ).join( ' ' ) || undefined;
		return el(
			'tr',
			{ className: props.error ? 'fcwh-has-error' : '' },
			el( 'th', { scope: 'row' }, props.labelFor
				? el( 'label', { htmlFor: props.id }, props.label )
				: el( 'span', { id: props.id + '-label' }, props.label ) ),
			el(
				'td',
				null,
				props.render( { describedBy: describedBy, invalid: !! props.error } ),
				el( FieldError, { id: errorId, field: props.field, message: props.error } ),
				props.description && el( 'p', { className: 'description', id: descriptionId }, props.description )
			)
		);
	}

	function initialFields( webhook ) {
		return {
			name: webhook ? webhook.name : '',
			url: webhook ? webhook.url : '',
			events: webhook ? webhook.events.slice() : [],
			status: webhook ? webhook.status : 'active',
			secret: '',
			headers: headersEditor.rowsFromHeaders( webhook && webhook.headers ),
			conditions: conditionsEditor.stateFromConditions( webhook && webhook.conditions ),
			auto_recover: webhook ? webhook.auto_recover !== false : true,
			max_concurrency: webhook && webhook.max_concurrency ? String( webhook.max_concurrency ) : '',
			ordered: webhook ? !! webhook.ordered : false,
		};
	}

	/** Same JSON (key order aside, as the API keeps what it was given). */
	function sameJson( a, b ) {
		const canonical = ( value ) => JSON.stringify( value, ( key, v ) => ( v && typeof v === 'object' && ! Array.isArray( v )
			? Object.keys( v ).sort().reduce( ( out, k ) => Object.assign( out, { [ k ]: v[ k ] } ), {} ) : v ) );
		return canonical( a === undefined ? null : a ) === canonical( b === undefined ? null : b );
	}

	/** Blank means the sidecar's default (null); anything else goes as typed, so the API can say what is wrong. */
	function concurrencyValue( text ) {
		const trimmed = text.trim();
		if ( trimmed === '' ) {
			return null;
		}
		return /^[0-9]+$/.test( trimmed ) ? parseInt( trimmed, 10 ) : trimmed;
	}

	/** What to send: everything on create; on edit only what changed (PUT is partial). */
	function payload( fields, webhook ) {
		const body = { name: fields.name, url: fields.url, events: fields.events };
		if ( ! webhook || fields.status !== webhook.status ) {
			body.status = fields.status;
		}
		if ( fields.secret !== '' ) {
			body.secret = fields.secret;
		}
		const concurrency = concurrencyValue( fields.max_concurrency );
		if ( ! webhook || concurrency !== ( webhook.max_concurrency || null ) ) {
			body.max_concurrency = concurrency;
		}
		if ( ! webhook || fields.ordered !== !! webhook.ordered ) {
			body.ordered = fields.ordered;
		}
		const headers = headersEditor.headersFromRows( fields.headers );
		if ( ! webhook ? Object.keys( headers ).length : ! sameJson( headers, webhook.headers || {} ) ) {
			body.headers = headers;
		}
		const conditions = conditionsEditor.conditionsFromState( fields.conditions );
		if ( ! webhook ? conditions !== null : ! sameJson( conditions, webhook.conditions || null ) ) {
			body.conditions = conditions;
		}
		if ( ! webhook || fields.auto_recover !== ( webhook.auto_recover !== false ) ) {
			body.auto_recover = fields.auto_recover;
		}
		return body;
	}

	function StatusSelect( props ) {
		const options = [
			[ 'active', __( 'Active: send events', 'fluentcrm-webhooks' ) ],
			[ 'inactive', __( 'Inactive: send nothing (events dropped)', 'fluentcrm-webhooks' ) ],
		];
		if ( props.original === 'failed' ) {
			// Only the sidecar sets `failed`; keeping it is allowed, choosing it is not.
			options.unshift( [ 'failed', __( 'Failed: turned off after repeated failures', 'fluentcrm-webhooks' ) ] );
		}
		return el( 'select', {
			id: 'fcwh-status',
			value: props.value,
			onChange: ( event ) => props.onChange( event.target.value ),
			'aria-describedby': props.describedBy,
			'aria-invalid': props.invalid || undefined,
		}, options.map( ( [ value, label ] ) => el( 'option', { key: value, value: value }, label ) ) );
	}

	function SendTestPanel( props ) {
		const [ busy, setBusy ] = useState( false );
		const [ result, setResult ] = useState( null );
		const [ error, setError ] = useState( null );
		const send = function () {
			setBusy( true );
			setError( null );
			api.sendTest( props.webhookId ).then(
				( answer ) => {
					setBusy( false );
					setResult( answer );
				},
				( failure ) => {
					setBusy( false );
					setError( failure );
				}
			);
		};
		return el(
			'div',
			{ className: 'fcwh-send-test-panel' },
			el( 'h3', null, __( 'Send a test', 'fluentcrm-webhooks' ) ),
			el( 'p', { className: 'description' }, __( 'Sends one “webhook.test” event to the URL now, without retries, and logs it as a delivery.', 'fluentcrm-webhooks' ) ),
			el( 'p', null,
				el( 'button', { type: 'button', className: 'button fcwh-send-test', disabled: busy, onClick: send },
					busy ? __( 'Sending test…', 'fluentcrm-webhooks' ) : __( 'Send test', 'fluentcrm-webhooks' ) ) ),
			result && el( ui.TestResult, { result: result, onDismiss: () => setResult( null ) } ),
			error && el( ui.Notice, { type: 'error' }, error.message )
		);
	}

	function WebhookForm( props ) {
		const webhook = props.webhook;
		const [ fields, setFields ] = useState( () => initialFields( webhook ) );
		const [ errors, setErrors ] = useState( {} );
		const [ general, setGeneral ] = useState( '' );
		const [ saving, setSaving ] = useState( false );
		const formRef = useRef( null );

		const set = ( name ) => ( value ) => setFields( ( current ) => Object.assign( {}, current, { [ name ]: value } ) );
		const input = ( name ) => ( event ) => set( name )( event.target.value );

		// Take the reader to the first field the API complained about.
		useEffect( function () {
			const first = formRef.current && formRef.current.querySelector( '.fcwh-has-error input, .fcwh-has-error select, .fcwh-has-error button' );
			if ( first ) {
				first.focus();
			}
		}, [ errors ] );

		const submit = function ( event ) {
			event.preventDefault();
			setSaving( true );
			const request = webhook
				? api.updateWebhook( webhook.id, payload( fields, webhook ) )
				: api.createWebhook( payload( fields, null ) );
			request.then(
				( result ) => {
					setSaving( false );
					setErrors( {} );
					setGeneral( '' );
					if ( webhook ) {
						props.onSaved( result );
					} else {
						router.navigate( router.href.created( result.id ), { webhook: result } );
					}
				},
				( failure ) => {
					const described = api.describeError( failure );
					const fieldNames = Object.keys( described.fields );
					const allShown = fieldNames.length && fieldNames.every( ( name ) => FIELDS.includes( name ) );
					setSaving( false );
					setGeneral( allShown
						? __( 'The webhook was not saved. Correct the fields marked below.', 'fluentcrm-webhooks' )
						: described.general );
					setErrors( described.fields );
				}
			);
		};

		const rows = [
			el( FieldRow, {
				key: 'name', id: 'fcwh-name', field: 'name', labelFor: true, error: errors.name,
				label: __( 'Name', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( 'input', {
					id: 'fcwh-name', type: 'text', className: 'regular-text', value: fields.name, onChange: input( 'name' ),
					maxLength: 191, required: true, 'aria-required': 'true', 'aria-describedby': a11y.describedBy, 'aria-invalid': a11y.invalid || undefined,
				} ),
			} ),
			el( FieldRow, {
				key: 'url', id: 'fcwh-url', field: 'url', labelFor: true, error: errors.url,
				label: __( 'URL', 'fluentcrm-webhooks' ),
				description: __( 'Where each event is POSTed, signed. Must start with https://.', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( 'input', {
					id: 'fcwh-url', type: 'url', className: 'large-text code', value: fields.url, onChange: input( 'url' ),
					maxLength: 2048, required: true, 'aria-required': 'true', placeholder: 'https://',
					'aria-describedby': a11y.describedBy, 'aria-invalid': a11y.invalid || undefined,
				} ),
			} ),
			el( FieldRow, {
				key: 'events', id: 'fcwh-events', field: 'events', error: errors.events,
				label: __( 'Events', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( fcwh.EventPicker, { selected: fields.events, onChange: set( 'events' ), describedBy: a11y.describedBy } ),
			} ),
			el( FieldRow, {
				key: 'status', id: 'fcwh-status', field: 'status', labelFor: true, error: errors.status,
				label: __( 'Status', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( StatusSelect, { value: fields.status, original: webhook && webhook.status, onChange: set( 'status' ), describedBy: a11y.describedBy, invalid: a11y.invalid } ),
			} ),
			el( FieldRow, {
				key: 'secret', id: 'fcwh-secret', field: 'secret', labelFor: true, error: errors.secret,
				label: __( 'Secret', 'fluentcrm-webhooks' ),
				description: webhook
					? __( 'Leave blank to keep the current secret. A secret typed here replaces it at once; to switch without failed checks, use “Rotate secret” below.', 'fluentcrm-webhooks' )
					: __( 'Optional: leave blank and a strong secret is generated for you and shown once.', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( 'input', {
					id: 'fcwh-secret', type: 'text', className: 'regular-text code', value: fields.secret, onChange: input( 'secret' ),
					maxLength: 255, autoComplete: 'off', spellCheck: false,
					'aria-describedby': a11y.describedBy, 'aria-invalid': a11y.invalid || undefined,
				} ),
			} ),
			el( FieldRow, {
				key: 'headers', id: 'fcwh-headers', field: 'headers', labelFor: false, error: errors.headers,
				label: __( 'Custom headers', 'fluentcrm-webhooks' ),
				description: __( 'Sent with every delivery and test, for the receiver\'s own authentication (e.g. Authorization: Bearer …, or an API key header). Up to 10. Values are kept like the secret: hidden in the list and masked in the delivery log.', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( headersEditor.HeadersEditor, { rows: fields.headers, onChange: set( 'headers' ), describedBy: a11y.describedBy } ),
			} ),
			el( FieldRow, {
				key: 'conditions', id: 'fcwh-conditions', field: 'conditions', labelFor: false, error: errors.conditions,
				label: __( 'Conditions', 'fluentcrm-webhooks' ),
				description: __( 'Optional: send only the events that match. Every condition you set must hold; leave them all empty to send every subscribed event. Lists, tags and status apply to events about a contact (others pass them); campaigns apply to email and campaign events. Events filtered out are not logged.', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( conditionsEditor.ConditionsEditor, { state: fields.conditions, onChange: set( 'conditions' ), describedBy: a11y.describedBy } ),
			} ),
			el( FieldRow, {
				key: 'auto_recover', id: 'fcwh-auto-recover', field: 'auto_recover', labelFor: false, error: errors.auto_recover,
				label: __( 'Self-healing', 'fluentcrm-webhooks' ),
				description: el( 'span', null,
					__( 'When the webhook is turned off after repeated failures, a test is sent every hour (backing off to once a day); the first success turns it back on and sends the events kept meanwhile.', 'fluentcrm-webhooks' ),
					webhook && webhook.status === 'failed' && webhook.next_recovery_probe_at && el( 'span', { className: 'fcwh-next-probe' }, ' ',
						__( 'Next check of the receiver:', 'fluentcrm-webhooks' ), ' ', el( ui.Time, { iso: webhook.next_recovery_probe_at } ) ) ),
				render: ( a11y ) => el( 'label', { htmlFor: 'fcwh-auto-recover' },
					el( 'input', {
						id: 'fcwh-auto-recover', type: 'checkbox', checked: fields.auto_recover,
						onChange: ( event ) => set( 'auto_recover' )( event.target.checked ),
						'aria-describedby': a11y.describedBy, 'aria-invalid': a11y.invalid || undefined,
					} ),
					' ', __( 'Turn it back on by itself once the receiver answers again', 'fluentcrm-webhooks' ) ),
			} ),
			el( FieldRow, {
				key: 'max_concurrency', id: 'fcwh-max-concurrency', field: 'max_concurrency', labelFor: true, error: errors.max_concurrency,
				label: __( 'Max concurrency', 'fluentcrm-webhooks' ),
				description: __( 'At most this many deliveries to this URL at once (1 to 1000). Leave blank for the sidecar\'s default; lower it for a receiver that cannot take many requests at a time.', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( 'input', {
					id: 'fcwh-max-concurrency', type: 'text', inputMode: 'numeric', className: 'small-text', value: fields.max_concurrency,
					onChange: input( 'max_concurrency' ), placeholder: '100',
					'aria-describedby': a11y.describedBy, 'aria-invalid': a11y.invalid || undefined,
				} ),
			} ),
			el( FieldRow, {
				key: 'ordered', id: 'fcwh-ordered', field: 'ordered', labelFor: false, error: errors.ordered,
				label: __( 'Order', 'fluentcrm-webhooks' ),
				description: __( 'Each contact\'s events arrive in the order they happened, each after the one before was delivered. Other contacts are not held back.', 'fluentcrm-webhooks' ),
				render: ( a11y ) => el( 'label', { htmlFor: 'fcwh-ordered' },
					el( 'input', {
						id: 'fcwh-ordered', type: 'checkbox', checked: fields.ordered,
						onChange: ( event ) => set( 'ordered' )( event.target.checked ),
						'aria-describedby': a11y.describedBy, 'aria-invalid': a11y.invalid || undefined,
					} ),
					' ', __( 'Deliver each contact\'s events in order', 'fluentcrm-webhooks' ) ),
			} ),
		];

		return el(
			'form',
			{ className: 'fcwh-webhook-form', onSubmit: submit, noValidate: true, ref: formRef },
			general && el( ui.Notice, { type: 'error' }, general ),
			el( 'table', { className: 'form-table', role: 'presentation' }, el( 'tbody', null, rows ) ),
			el( 'p', { className: 'submit' },
				el( 'button', { type: 'submit', className: 'button button-primary', disabled: saving },
					saving ? __( 'Saving…', 'fluentcrm-webhooks' ) : ( webhook ? __( 'Save Changes', 'fluentcrm-webhooks' ) : __( 'Add Webhook', 'fluentcrm-webhooks' ) ) ),
				' ',
				el( 'a', { className: 'button button-secondary', href: router.href.list() }, __( 'Cancel', 'fluentcrm-webhooks' ) )
			)
		);
	}

	function CreateWebhookView( props ) {
		return el(
			Fragment,
			null,
			el( ui.ViewHeading, { title: __( 'Add Webhook', 'fluentcrm-webhooks' ), takeFocus: props.takeFocus } ),
			el( WebhookForm, { webhook: null } )
		);
	}

	function EditWebhookView( props ) {
		const loader = ui.useLoader( () => api.getWebhook( props.route.id ), [ props.route.id ] );
		const [ saved, setSaved ] = useState( false );
		const webhook = loader.data;
		const onSaved = function () {
			setSaved( true );
			loader.reload();
		};
		/* translators: %s: webhook name. */
		const title = webhook ? sprintf( __( 'Edit Webhook: %s', 'fluentcrm-webhooks' ), webhook.name ) : __( 'Edit Webhook', 'fluentcrm-webhooks' );
		return el(
			Fragment,
			null,
			el( ui.ViewHeading, { title: title, takeFocus: props.takeFocus },
				webhook && el( 'a', { className: 'page-title-action', href: router.href.deliveries( webhook.id ) }, __( 'Delivery log', 'fluentcrm-webhooks' ) ) ),
			el( 'p', null, el( 'a', { href: router.href.list() }, __( '← All webhooks', 'fluentcrm-webhooks' ) ) ),
			loader.error && el( ui.LoadError, { error: loader.error, onRetry: loader.reload } ),
			! webhook && loader.loading && el( ui.Spinner ),
			saved && el( ui.Notice, { type: 'success' }, __( 'Webhook saved.', 'fluentcrm-webhooks' ) ),
			webhook && webhook.status === 'failed' && el( fcwh.FailedWebhookNotice, { key: 'failed', webhook: webhook, onChanged: loader.reload } ),
			// Keyed by update time: after a save or a re-activation the form starts from the new state.
			webhook && el( WebhookForm, { key: webhook.updated_at, webhook: webhook, onSaved: onSaved } ),
			webhook && el( fcwh.RotateSecretPanel, { webhook: webhook, onRotated: loader.reload } ),
			webhook && el( SendTestPanel, { webhookId: webhook.id } )
		);
	}

	fcwh.views = fcwh.views || {};
	fcwh.views.create = CreateWebhookView;
	fcwh.views.edit = EditWebhookView;
	fcwh.SendTestPanel = SendTestPanel;
}( window.wp, window.fcwhAdmin ) );

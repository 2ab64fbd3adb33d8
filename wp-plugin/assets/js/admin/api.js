/**
 * REST client of the outgoing-webhooks screen.
 *
 * Every call goes through `wp.apiFetch`, which WordPress sets up with the REST root and the
 * `wp_rest` nonce, to the plugin's canonical proxy routes (`/fluent-crm/v2/outgoing-webhooks...`),
 * so the screen does exactly what the public API does.
 */
( function ( wp, config ) {
	'use strict';

	const { __ } = wp.i18n;
	const apiFetch = wp.apiFetch;
	const base = config.restBase;

	function withQuery( path, params ) {
		const query = new URLSearchParams();
		Object.keys( params || {} ).forEach( function ( key ) {
			const value = params[ key ];
			if ( value !== undefined && value !== null && value !== '' ) {
				query.set( key, String( value ) );
			}
		} );
		const text = query.toString();
		return text ? path + '?' + text : path;
	}

	function webhookPath( id, rest ) {
		return base + '/' + encodeURIComponent( id ) + ( rest || '' );
	}

	const api = {
		listWebhooks: function () {
			return apiFetch( { path: base } ).then( ( answer ) => answer.webhooks );
		},
		getWebhook: function ( id ) {
			return apiFetch( { path: webhookPath( id ) } ).then( ( answer ) => answer.webhook );
		},
		createWebhook: function ( fields ) {
			return apiFetch( { path: base, method: 'POST', data: fields } ).then( ( answer ) => answer.webhook );
		},
		updateWebhook: function ( id, fields ) {
			return apiFetch( { path: webhookPath( id ), method: 'PUT', data: fields } ).then( ( answer ) => answer.webhook );
		},
		deleteWebhook: function ( id ) {
			return apiFetch( { path: webhookPath( id ), method: 'DELETE' } );
		},
		sendTest: function ( id ) {
			return apiFetch( { path: webhookPath( id, '/test' ), method: 'POST' } );
		},
		listDeliveries: function ( id, filters ) {
			return apiFetch( {
				path: withQuery( webhookPath( id, '/deliveries' ), {
					status: filters.status,
					page: filters.page,
					per_page: filters.perPage,
				} ),
			} );
		},
		getDelivery: function ( id, deliveryId ) {
			return apiFetch( { path: webhookPath( id, '/deliveries/' + encodeURIComponent( deliveryId ) ) } )
				.then( ( answer ) => answer.delivery );
		},
		redeliver: function ( id, deliveryId ) {
			return apiFetch( {
				path: webhookPath( id, '/deliveries/' + encodeURIComponent( deliveryId ) + '/redeliver' ),
				method: 'POST',
			} ).then( ( answer ) => answer.delivery );
		},
		recover: function ( id, sinceIso ) {
			return apiFetch( { path: webhookPath( id, '/recover' ), method: 'POST', data: { since: sinceIso } } )
				.then( ( answer ) => answer.recovered );
		},
		checkConnection: function () {
			return apiFetch( { path: config.connectionPath } );
		},
	};

	/**
	 * Splits a REST error into messages for the form's fields and one for the whole form.
	 *
	 * @param {Object} error What apiFetch rejected with: WordPress's `{code, message, data}`.
	 * @return {{fields: Object<string, string>, general: string}} Field name => message.
	 */
	api.describeError = function ( error ) {
		const data = ( error && error.data ) || {};
		const message = ( error && error.message ) || __( 'The request failed.', 'fluentcrm-webhooks' );
		const fields = {};
		switch ( error && error.code ) {
			case 'invalid_webhook_url':
				fields.url = message;
				break;
			case 'invalid_webhook_event':
				fields.events = message;
				break;
			case 'rest_missing_callback_param':
				( Array.isArray( data.params ) ? data.params : [] ).forEach( function ( name ) {
					fields[ name ] = __( 'This field is required.', 'fluentcrm-webhooks' );
				} );
				break;
			case 'rest_invalid_param':
				Object.keys( data.params || {} ).forEach( function ( name ) {
					fields[ name ] = String( data.params[ name ] );
				} );
				break;
		}
		return { fields: fields, general: message };
	};

	window.fcwhAdmin = window.fcwhAdmin || {};
	window.fcwhAdmin.api = api;
}( window.wp, window.fcwhAdminConfig ) );

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
			return apiFetch( { path: webhookPath( id, '/test' ), method: 'POST' } ).catch( function ( error ) {
				if ( error && error.code === 'delivery_paused' ) {
					// The sidecar's words name its route; a site owner needs what it means here.
					throw Object.assign( {}, error, { message: __( 'Nothing was sent: webhook delivery is paused for this site (see the notice at the top), test sends included, until it is resumed.', 'fluentcrm-webhooks' ) } );
				}
				throw error;
			} );
		},
		listDeliveries: function ( id, filters ) {
			return apiFetch( {
				path: withQuery( webhookPath( id, '/deliveries' ), {
					status: filters.status,
					test: filters.test,
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
		/**
		 * A new signing secret (POST /v2/webhooks/{id}/rotate-secret).
		 *
		 * @param {number} id     Webhook id.
		 * @param {Object} fields `{overlap_seconds}` (and optionally `secret`).
		 * @return {Promise<{webhook: Object, secret: string}>} The new secret is in this answer only.
		 */
		rotateSecret: function ( id, fields ) {
			return apiFetch( { path: webhookPath( id, '/rotate-secret' ), method: 'POST', data: fields || {} } );
		},
		/**
		 * Delivery counts per hour or day (GET /v2/webhooks/{id}/stats).
		 *
		 * @param {number} id    Webhook id.
		 * @param {Object} range `{since, until, bucket}`: ISO times and `hour` or `day`.
		 */
		getStats: function ( id, range ) {
			return apiFetch( { path: withQuery( webhookPath( id, '/stats' ), range ) } );
		},
		checkConnection: function () {
			return apiFetch( { path: config.connectionPath } );
		},
		/**
		 * Names and emails of FluentCRM contacts (includes/admin/contact-names.php).
		 *
		 * @param {number[]} ids Up to 100 contact ids.
		 * @return {Promise<Object<number, {id, name, email}>>} By id; a contact no longer there is absent.
		 */
		contactNames: function ( ids ) {
			if ( ! ids.length ) {
				return Promise.resolve( {} );
			}
			return apiFetch( { path: withQuery( config.contactNamesPath, { ids: ids.join( ',' ) } ) } )
				.then( ( answer ) => answer.contacts.reduce( ( byId, contact ) => Object.assign( byId, { [ contact.id ]: contact } ), {} ) );
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
					// Some answers name a part of a field (`headers.X-Key`): shown at the field itself, all of them.
					const field = name.split( '.' )[ 0 ];
					fields[ field ] = ( fields[ field ] ? fields[ field ] + ' ' : '' ) + String( data.params[ name ] );
				} );
				break;
		}
		return { fields: fields, general: message };
	};

	window.fcwhAdmin = window.fcwhAdmin || {};
	window.fcwhAdmin.api = api;
}( window.wp, window.fcwhAdminConfig ) );

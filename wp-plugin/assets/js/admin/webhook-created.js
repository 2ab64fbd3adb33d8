/**
 * Shown right after a webhook is created: its secret, once, with a copy button, and ready-to-paste
 * receiver code that checks the `X-FluentCRM-Signature` header with that secret.
 */
( function ( wp, fcwh ) {
	'use strict';

	const { createElement: el, Fragment } = wp.element;
	const { __, sprintf } = wp.i18n;
	const { ui, router } = fcwh;

	function phpString( value ) {
		return "'" + String( value ).replace( /\\/g, '\\\\' ).replace( /'/g, "\\'" ) + "'";
	}

	function phpSnippet( secret ) {
		return [
			'<?php',
			'// Receives FluentCRM webhooks: answers 401 unless the signature matches.',
			'$secret    = ' + phpString( secret ) + ';',
			"$payload   = file_get_contents('php://input');",
			"$signature = $_SERVER['HTTP_X_FLUENTCRM_SIGNATURE'] ?? '';",
			"$expected  = 'sha256=' . hash_hmac('sha256', $payload, $secret);",
			'if (!hash_equals($expected, $signature)) {',
			'    http_response_code(401);',
			"    exit('Invalid signature');",
			'}',
			'$event = json_decode($payload, true);',
			"// $event['event'] is e.g. 'contact.created'; $event['data'] holds the details.",
			'http_response_code(200);',
			'',
		].join( '\n' );
	}

	function nodeSnippet( secret ) {
		return [
			"const crypto = require('crypto');",
			"const express = require('express');",
			'',
			'const SECRET = ' + JSON.stringify( String( secret ) ) + ';',
			'const app = express();',
			'',
			"// Sign the raw bytes: parse the JSON only after the signature matched.",
			"app.post('/webhook', express.raw({ type: 'application/json' }), (req, res) => {",
			"  const expected = 'sha256=' + crypto.createHmac('sha256', SECRET).update(req.body).digest('hex');",
			"  const given = req.get('X-FluentCRM-Signature') || '';",
			'  if (given.length !== expected.length ||',
			'      !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {',
			"    return res.status(401).send('Invalid signature');",
			'  }',
			'  const event = JSON.parse(req.body);',
			'  // event.event is e.g. "contact.created"; event.data holds the details.',
			'  res.sendStatus(200);',
			'});',
			'',
			'app.listen(3000);',
			'',
		].join( '\n' );
	}

	function Snippet( props ) {
		return el(
			'div',
			{ className: 'fcwh-snippet' },
			el( 'h4', { id: props.id }, props.title ),
			el( 'pre', { className: 'fcwh-code', tabIndex: 0, 'aria-labelledby': props.id }, props.code ),
			el( 'p', null, el( ui.CopyButton, { text: props.code, label: props.copyLabel } ) )
		);
	}

	function CreatedView( props ) {
		const carried = props.carried && props.carried.webhook;
		const webhook = carried && carried.id === props.route.id ? carried : null;

		// The secret was only in memory: after a reload say where it went, and how to get a new one.
		if ( ! webhook ) {
			return el(
				Fragment,
				null,
				el( ui.ViewHeading, { title: __( 'Webhook created', 'fluentcrm-webhooks' ), takeFocus: props.takeFocus } ),
				el( ui.Notice, { type: 'warning' },
					el( 'span', { className: 'fcwh-secret-gone' }, __( 'The signing secret was shown once, right after the webhook was created, and is not shown again. If you did not copy it, make a new one with “Rotate secret” on the webhook’s edit screen (the old one can keep working for a while, so nothing fails meanwhile).', 'fluentcrm-webhooks' ) ) ),
				el( 'p', null,
					el( 'a', { className: 'button button-primary fcwh-go-rotate', href: router.href.edit( props.route.id ) }, __( 'Edit webhook and rotate the secret', 'fluentcrm-webhooks' ) ),
					' ',
					el( 'a', { className: 'button', href: router.href.list() }, __( 'All webhooks', 'fluentcrm-webhooks' ) ) )
			);
		}

		return el(
			Fragment,
			null,
			el( ui.ViewHeading, { title: __( 'Webhook created', 'fluentcrm-webhooks' ), takeFocus: props.takeFocus } ),
			el( ui.Notice, { type: 'success' },
				/* translators: %s: webhook name. */
				sprintf( __( 'Webhook “%s” created.', 'fluentcrm-webhooks' ), webhook.name ) ),
			el( 'h3', null, __( 'Signing secret', 'fluentcrm-webhooks' ) ),
			el( 'p', null, __( 'Copy it now: this screen shows it only once. Your receiver needs it to check that requests come from this site.', 'fluentcrm-webhooks' ) ),
			el( 'p', null,
				el( 'label', { htmlFor: 'fcwh-created-secret', className: 'screen-reader-text' }, __( 'Signing secret', 'fluentcrm-webhooks' ) ),
				el( 'input', { id: 'fcwh-created-secret', type: 'text', className: 'large-text code', readOnly: true, value: webhook.secret, onFocus: ( event ) => event.target.select() } ) ),
			el( 'p', null, el( ui.CopyButton, { text: webhook.secret, label: __( 'Copy secret', 'fluentcrm-webhooks' ) } ) ),
			el( 'h3', null, __( 'Verify the signature', 'fluentcrm-webhooks' ) ),
			el( 'p', null, __( 'Each request carries an X-FluentCRM-Signature header: “sha256=” and the HMAC-SHA256 of the exact body with this secret. Paste one of these into your receiver:', 'fluentcrm-webhooks' ) ),
			el( Snippet, { id: 'fcwh-snippet-php', title: __( 'PHP', 'fluentcrm-webhooks' ), code: phpSnippet( webhook.secret ), copyLabel: __( 'Copy PHP code', 'fluentcrm-webhooks' ) } ),
			el( Snippet, { id: 'fcwh-snippet-node', title: __( 'Node.js (Express)', 'fluentcrm-webhooks' ), code: nodeSnippet( webhook.secret ), copyLabel: __( 'Copy Node.js code', 'fluentcrm-webhooks' ) } ),
			el( fcwh.SendTestPanel, { webhookId: webhook.id } ),
			el( 'p', null,
				el( 'a', { className: 'button button-primary', href: router.href.list() }, __( 'Done', 'fluentcrm-webhooks' ) ),
				' ',
				el( 'a', { className: 'button', href: router.href.deliveries( webhook.id ) }, __( 'Delivery log', 'fluentcrm-webhooks' ) ) )
		);
	}

	fcwh.views = fcwh.views || {};
	fcwh.views.created = CreatedView;
}( window.wp, window.fcwhAdmin ) );

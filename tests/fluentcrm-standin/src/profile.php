<?php
/**
 * FluentCRM's contact-profile extension point, in the shape releases 2.9.84 and 2.9.65 both have
 * (they do not differ here): the PHP API `FluentCrmApi('extender')->addProfileSection( $key,
 * $title, $callback )`, which adds the section to the filter `fluentcrm_profile_sections` (with
 * name `fluentcrm_profile_extended`, handler `route`, query `['handler' => $key]`) and hands the
 * contact to `$callback( ['heading' => '', 'content_html' => ''], $subscriber )` through the filter
 * `fluencrm_profile_section_{$key}` (FluentCRM's spelling); the REST route its screen reads the
 * section from, `GET /fluent-crm/v2/subscribers/{id}/external_view?section_provider={key}`
 * (permission fcrm_read_contacts); `GET /fluent-crm/v2/reports/options?fields=profile_sections`;
 * and a small contact screen at admin.php?page=fluentcrm-admin#/subscribers/{id}/profile_section?handler={key}
 * that, like FluentCRM's, inserts the section's HTML as markup (no script in it runs) and, in
 * its "no conflict" mode, drops other plugins' scripts from the screen unless their URL matches a
 * pattern of the filter `fluent_crm_asset_listed_slugs`.
 *
 * Written for these tests from FluentCRM's documented behaviour; it contains no FluentCRM code.
 *
 * @package FluentCRM_Standin
 */

namespace FluentCrm\App\Api\Classes {

	/**
	 * FluentCrmApi('extender').
	 */
	final class Extender {
		public function addProfileSection( $key, $sectionTitle, $callback, $saveCallback = null ): void {
			add_filter(
				'fluentcrm_profile_sections',
				static function ( $sections ) use ( $key, $sectionTitle ) {
					$sections[ $key ] = array(
						'name'    => 'fluentcrm_profile_extended',
						'title'   => $sectionTitle,
						'handler' => 'route',
						'query'   => array( 'handler' => $key ),
					);
					return $sections;
				}
			);
			add_filter(
				'fluencrm_profile_section_' . $key,
				static function ( $content, $subscriber ) use ( $callback ) {
					return is_callable( $callback ) ? $callback( $content, $subscriber ) : $content;
				},
				10,
				2
			);
		}
	}
}

namespace FluentCrm\App\Services {

	/**
	 * The profile's sections: FluentCRM's own first, then what the filter adds.
	 */
	class Helper {
		public static function getProfileSections(): array {
			$sections = array(
				'subscriber'        => array( 'name' => 'subscriber', 'title' => 'Overview', 'handler' => 'route' ),
				'subscriber_emails' => array( 'name' => 'subscriber_emails', 'title' => 'Emails', 'handler' => 'route' ),
				'subscriber_notes'  => array( 'name' => 'subscriber_notes', 'title' => 'Notes & Activities', 'handler' => 'route' ),
			);
			return apply_filters( 'fluentcrm_profile_sections', $sections );
		}
	}
}

namespace {

	if ( ! function_exists( 'FluentCrmApi' ) ) {
		/**
		 * FluentCRM's PHP API entry point: FluentCrmApi('extender'), ...; an unknown key throws.
		 *
		 * @param string|null $key API name.
		 * @return object
		 */
		function FluentCrmApi( $key = null ) { // phpcs:ignore WordPress.NamingConventions.ValidFunctionName -- FluentCRM's name.
			static $apis = null;
			if ( null === $apis ) {
				$apis = array( 'extender' => new \FluentCrm\App\Api\Classes\Extender() );
			}
			if ( null === $key ) {
				return (object) $apis;
			}
			if ( ! isset( $apis[ $key ] ) ) {
				throw new \Exception( "The '$key' doesn't exist in FluentCrmApi." );
			}
			return $apis[ $key ];
		}
	}
}

namespace FcStandin {

	use FluentCrm\App\Models\Subscriber;
	use FluentCrm\App\Services\Helper;
	use FluentCrm\App\Services\PermissionManager;

	const PROFILE_PAGE = 'fluentcrm-admin';

	function register_profile_routes(): void {
		register_rest_route(
			NS,
			'/subscribers/(?P<id>\d+)/external_view',
			array(
				'methods'             => 'GET',
				'callback'            => __NAMESPACE__ . '\route_external_view',
				'permission_callback' => static function () {
					return PermissionManager::currentUserCan( 'fcrm_read_contacts' );
				},
			)
		);
		register_rest_route(
			NS,
			'/reports/options',
			array(
				'methods'             => 'GET',
				'callback'            => __NAMESPACE__ . '\route_report_options',
				'permission_callback' => static function () {
					return PermissionManager::currentUserCan( 'fcrm_read_contacts' );
				},
			)
		);
	}

	function route_external_view( \WP_REST_Request $r ) {
		$contact = Subscriber::find( (int) $r['id'] );
		if ( ! $contact ) {
			return new \WP_Error( 'not_found', 'Contact not found', array( 'status' => 404 ) );
		}
		$section = (string) $r->get_param( 'section_provider' );
		return apply_filters( 'fluencrm_profile_section_' . $section, array( 'heading' => '', 'content_html' => '' ), $contact );
	}

	function route_report_options( \WP_REST_Request $r ): array {
		$fields = array_filter( explode( ',', (string) $r->get_param( 'fields' ) ) );
		return array( 'options' => in_array( 'profile_sections', $fields, true ) ? array( 'profile_sections' => Helper::getProfileSections() ) : array() );
	}

	function is_profile_screen(): bool {
		return is_admin() && isset( $_GET['page'] ) && PROFILE_PAGE === $_GET['page']; // phpcs:ignore WordPress.Security.NonceVerification.Recommended
	}

	/** A page without a menu entry (FluentCRM's own has a top-level menu: left out to keep the plugin's menu where other tests expect it). */
	function register_profile_page(): void {
		add_submenu_page( '', 'FluentCRM', 'FluentCRM', 'read', PROFILE_PAGE, __NAMESPACE__ . '\render_profile_page' );
	}

	/** "No conflict": other plugins' scripts are dropped from the screen unless allowed by pattern. */
	function unload_other_scripts(): void {
		if ( ! is_profile_screen() ) {
			return;
		}
		$patterns   = (array) apply_filters( 'fluent_crm_asset_listed_slugs', array( '\/gutenberg\/' ) );
		$patterns[] = 'fluent-crm';
		$allowed    = '/' . implode( '|', array_unique( $patterns ) ) . '/';
		$plugins    = str_replace( array( 'http:', 'https:' ), '', plugins_url() );
		add_filter(
			'script_loader_src',
			static function ( $src ) use ( $allowed, $plugins ) {
				if ( $src && false !== strpos( $src, $plugins ) && ! preg_match( $allowed, $src ) ) {
					return false;
				}
				return $src;
			},
			1
		);
	}

	function render_profile_page(): void {
		if ( ! PermissionManager::currentUserCan( 'fcrm_read_contacts' ) ) {
			wp_die( 'Sorry, you are not allowed to read contacts.' );
		}
		$app = array(
			'rest'             => untrailingslashit( rest_url( NS ) ),
			'nonce'            => wp_create_nonce( 'wp_rest' ),
			'profile_sections' => Helper::getProfileSections(),
		);
		?>
		<div class="wrap" id="fcstandin-app"><h1>FluentCRM (stand-in): contact</h1><div id="fcstandin-profile"></div></div>
		<script>
		( function () {
			const app = <?php echo wp_json_encode( $app ); ?>;
			const root = document.getElementById( 'fcstandin-profile' );
			function text( value ) {
				const span = document.createElement( 'span' );
				span.textContent = value;
				return span.innerHTML;
			}
			function render() {
				const match = /^#\/subscribers\/(\d+)(?:\/profile_section\?handler=([\w-]+))?/.exec( window.location.hash );
				if ( ! match ) {
					root.innerHTML = '<p>Open #/subscribers/{id}.</p>';
					return;
				}
				const id = match[ 1 ], handler = match[ 2 ] || '';
				let menu = '<ul class="fc_profile_menu">';
				Object.keys( app.profile_sections ).forEach( function ( key ) {
					const section = app.profile_sections[ key ];
					const extended = section.name === 'fluentcrm_profile_extended';
					const href = '#/subscribers/' + id + ( extended ? '/profile_section?handler=' + encodeURIComponent( section.query.handler ) : '' );
					const active = extended && section.query.handler === handler;
					// FluentCRM shows a section's title as markup.
					menu += '<li class="' + ( active ? 'item_active' : '' ) + '"><a href="' + href + '">' + section.title + '</a></li>';
				} );
				root.innerHTML = menu + '</ul><div class="fluentcrm_sub_info_body"></div>';
				if ( ! handler ) {
					return;
				}
				const body = root.querySelector( '.fluentcrm_sub_info_body' );
				body.innerHTML = '<p class="fcstandin-loading">Loading…</p>';
				window.fetch( app.rest + '/subscribers/' + id + '/external_view?section_provider=' + encodeURIComponent( handler ),
					{ credentials: 'same-origin', headers: { 'X-WP-Nonce': app.nonce } } )
					.then( function ( response ) { return response.json(); } )
					.then( function ( section ) {
						body.innerHTML = '<div class="fluentcrm_databox"><div class="fc_card_header"><h3>' + text( section.heading || '' ) + '</h3></div>' +
							'<div class="fc_external_profile_data fc_section_' + handler + '">' + ( section.content_html || '' ) + '</div></div>';
					} );
			}
			window.addEventListener( 'hashchange', render );
			render();
		}() );
		</script>
		<?php
	}
}

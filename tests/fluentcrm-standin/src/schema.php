<?php
/**
 * The stand-in's tables: FluentCRM's table names (`{prefix}fc_*`), only the columns these tests
 * use, plus one table of store orders playing WooCommerce / FluentCart.
 *
 * @package FluentCRM_Standin
 */

namespace FcStandin;

const SCHEMA_VERSION = '3';

function install_schema(): void {
	global $wpdb;
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$p       = $wpdb->prefix;
	$charset = $wpdb->get_charset_collate();
	$tables  = array(
		"CREATE TABLE {$p}fc_subscribers (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  user_id bigint(20) unsigned NULL,
  hash varchar(90) NULL,
  email varchar(190) NOT NULL,
  first_name varchar(192) NULL,
  last_name varchar(192) NULL,
  status varchar(50) NOT NULL DEFAULT 'subscribed',
  phone varchar(50) NULL,
  contact_type varchar(50) NULL DEFAULT 'lead',
  avatar varchar(255) NULL,
  company_id bigint(20) unsigned NULL,
  created_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY email (email)
) {$charset};",
		"CREATE TABLE {$p}fc_subscriber_meta (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  subscriber_id bigint(20) unsigned NOT NULL,
  object_type varchar(50) NOT NULL DEFAULT 'option',
  `key` varchar(192) NOT NULL,
  value longtext NULL,
  created_by bigint(20) unsigned NULL,
  created_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id),
  KEY subscriber_id (subscriber_id)
) {$charset};",
		"CREATE TABLE {$p}fc_tags (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  title varchar(192) NOT NULL,
  slug varchar(192) NOT NULL,
  created_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id)
) {$charset};",
		"CREATE TABLE {$p}fc_lists (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  title varchar(192) NOT NULL,
  slug varchar(192) NOT NULL,
  created_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id)
) {$charset};",
		"CREATE TABLE {$p}fc_subscriber_pivot (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  subscriber_id bigint(20) unsigned NOT NULL,
  object_id bigint(20) unsigned NOT NULL,
  object_type varchar(50) NOT NULL,
  created_at datetime NULL,
  PRIMARY KEY  (id),
  KEY subscriber_id (subscriber_id)
) {$charset};",
		"CREATE TABLE {$p}fc_campaigns (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  type varchar(50) NOT NULL DEFAULT 'campaign',
  title varchar(192) NOT NULL,
  status varchar(50) NOT NULL DEFAULT 'draft',
  email_subject varchar(192) NULL,
  recipients_count int(11) NOT NULL DEFAULT 0,
  scheduled_at datetime NULL,
  created_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id)
) {$charset};",
		"CREATE TABLE {$p}fc_campaign_emails (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  campaign_id bigint(20) unsigned NULL,
  subscriber_id bigint(20) unsigned NOT NULL,
  email_address varchar(190) NOT NULL,
  email_subject varchar(192) NULL,
  status varchar(50) NOT NULL DEFAULT 'draft',
  is_open tinyint(1) NOT NULL DEFAULT 0,
  click_counter int(11) NOT NULL DEFAULT 0,
  scheduled_at datetime NULL,
  created_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id),
  KEY status (status)
) {$charset};",
		"CREATE TABLE {$p}fc_funnels (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  title varchar(192) NOT NULL,
  trigger_name varchar(150) NULL,
  status varchar(50) NOT NULL DEFAULT 'published',
  steps int(11) unsigned NOT NULL DEFAULT 1,
  created_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id)
) {$charset};",
		"CREATE TABLE {$p}fc_funnel_subscribers (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  funnel_id bigint(20) unsigned NOT NULL,
  subscriber_id bigint(20) unsigned NOT NULL,
  status varchar(50) NOT NULL DEFAULT 'active',
  starting_sequence_id bigint(20) unsigned NULL,
  created_at datetime NULL,
  updated_at datetime NULL,
  PRIMARY KEY  (id),
  KEY subscriber_id (subscriber_id)
) {$charset};",
		"CREATE TABLE {$p}fcstandin_orders (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  provider varchar(20) NOT NULL,
  parent_id bigint(20) unsigned NULL,
  status varchar(50) NOT NULL,
  total decimal(12,2) NOT NULL DEFAULT 0,
  currency varchar(10) NOT NULL DEFAULT 'USD',
  email varchar(190) NULL,
  user_id bigint(20) unsigned NOT NULL DEFAULT 0,
  fc_cid bigint(20) unsigned NULL,
  created_at datetime NULL,
  PRIMARY KEY  (id)
) {$charset};",
	);
	foreach ( $tables as $sql ) {
		dbDelta( $sql );
	}
	update_option( 'fcstandin_schema_version', SCHEMA_VERSION );
}

function maybe_install_schema(): void {
	if ( SCHEMA_VERSION !== get_option( 'fcstandin_schema_version' ) ) {
		install_schema();
	}
}

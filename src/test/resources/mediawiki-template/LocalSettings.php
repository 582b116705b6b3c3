<?php
# LocalSettings.php of the end-to-end test template (MediaWiki 1.39, Debian package).
#
# It is also the reference an operator's farm template follows: everything that differs between the farm's
# wikis comes from pubwiki.ini beside this file. The provisioner fills that file (phase render_ini) and sets
# WIKI_BOOTSTRAPING to false once the installer ran (phase flip_bootstrap). Nothing per-wiki is hard-coded
# here, so the same template directory is copied unchanged for every wiki.
if ( !defined( 'MEDIAWIKI' ) ) {
	exit;
}

# Read the ini with PHP's DEFAULT scanner, exactly like this: the provisioner writes strings double-quoted
# with \\ \" \$ escaped, which reads back byte for byte only in INI_SCANNER_NORMAL (no INI_SCANNER_RAW).
$pubwiki = parse_ini_file( __DIR__ . '/pubwiki.ini' );
if ( !is_array( $pubwiki ) ) {
	throw new RuntimeException( 'pubwiki.ini beside LocalSettings.php is missing or unreadable' );
}
# Flags are the bare words true/false, which the default scanner reads as "1"/"": test truthiness.
$wikiBootstrapping = (bool)( $pubwiki['WIKI_BOOTSTRAPING'] ?? true );

# While the wiki is being created its tables do not exist yet: web requests get a 503 instead of a
# database error page; maintenance scripts (the installer) run normally.
if ( $wikiBootstrapping && PHP_SAPI !== 'cli' ) {
	http_response_code( 503 );
	header( 'Retry-After: 10' );
	echo "This wiki is being created. Try again in a moment.\n";
	exit;
}

## Identity
$wgSitename = $pubwiki['WIKI_SITE_NAME'];
$wgMetaNamespace = $pubwiki['WIKI_META_NAMESPACE'];
$wgLanguageCode = $pubwiki['WIKI_LANG'];
$wgServer = 'http://' . $pubwiki['WIKI_HOST_URL'];
$wgScriptPath = '';

## The wiki's own database and account (created by db_provision). WIKI_DB_HOST is host[:port]; MediaWiki's
## mysqli driver accepts "host:port" (and "[v6addr]:port") in $wgDBserver as is.
$wgDBtype = 'mysql';
$wgDBserver = $pubwiki['WIKI_DB_HOST'];
$wgDBname = $pubwiki['WIKI_DB_NAME'];
$wgDBuser = $pubwiki['WIKI_DB_USER'];
$wgDBpassword = $pubwiki['WIKI_DB_PASSWORD'];
$wgDBprefix = '';
$wgDBTableOptions = 'ENGINE=InnoDB, DEFAULT CHARSET=binary';

## Farm-wide accounts: user, user_properties and actor live in the shared database, where db_provision granted
## the wiki's account SELECT, INSERT, UPDATE (keep this list equal to the provisioner's wiki-db.shared-tables).
## Not while bootstrapping: MediaWiki 1.39's schema file creates every core table through $wgDBuser and, with
## shared tables configured, would try to CREATE them in the shared database, which that account may not do.
## (The installer's unused copies of these three tables stay in the wiki's own database.)
if ( !$wikiBootstrapping ) {
	$wgSharedDB = $pubwiki['WIKI_SHARED_DB_NAME'];
	$wgSharedPrefix = '';
	$wgSharedTables = [ 'user', 'user_properties', 'actor' ];
}

## Caches: localisation cache files inside the wiki's own directory; no object cache server in the test.
## (An operator's template configures Redis from REDIS_SERVER/REDIS_PASSWORD and CirrusSearch from
## OPENSEARCH_* here; neither is installed for the end-to-end test.)
$wgCacheDirectory = __DIR__ . '/cache';
$wgMainCacheType = CACHE_NONE;

## Fixed test secrets. A production template must give every wiki its own secret key.
$wgSecretKey = 'e2e0test0secret0key0not0for0production0use0000000000000000000000';
$wgUpgradeKey = 'e2etestupgradekey';

## Nothing the test does not need: no mail, no uploads, no external services.
$wgEnableEmail = false;
$wgEnableUserEmail = false;
$wgEnableUploads = false;
$wgUseInstantCommons = false;
$wgPingback = false;
$wgShellLocale = 'C.UTF-8';

wfLoadSkin( 'Vector' );
$wgDefaultSkin = 'vector';

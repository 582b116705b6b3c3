<?php
# LocalSettings.php of the dev mode's MediaWiki template: the farm template's settings (LocalSettings.farm.php,
# the same file the end-to-end test uses, which reads everything per-wiki from pubwiki.ini), plus one thing the
# dev mode's web server (wiki-router.php) needs. That server answers a wiki at its own host name, which is
# what $wgServer says, and also under a path prefix (http://127.0.0.1:<port>/<slug>/) for clients that cannot
# resolve *.localhost; for the latter, links must keep the prefix and point at the host that was asked.
require __DIR__ . '/LocalSettings.farm.php';

if ( defined( 'WIKIFARM_DEV_PATH_PREFIX' ) && WIKIFARM_DEV_PATH_PREFIX !== '' ) {
	$wgServer = WIKIFARM_DEV_SERVER;
	$wgScriptPath = WIKIFARM_DEV_PATH_PREFIX;
}

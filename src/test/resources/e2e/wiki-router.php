<?php
// The farm's web server in the end-to-end test: php -S 127.0.0.1:<port> wiki-router.php, with
// WIKIFARM_E2E_WIKIS (the farm's wiki root) and WIKIFARM_E2E_ROOT_HOST in its environment. Like a farm's reverse
// proxy, it picks the wiki by the Host header (<slug>.<root host>, port ignored) and runs the requested
// MediaWiki entry point (a top-level *.php such as api.php) in that wiki's own directory; anything else is a
// 404. Variables are prefixed: this file runs in MediaWiki's global scope.
$wikifarmE2eWikis = getenv('WIKIFARM_E2E_WIKIS');
$wikifarmE2eSuffix = '.' . strtolower((string)getenv('WIKIFARM_E2E_ROOT_HOST'));
$wikifarmE2eHost = preg_replace('/:\d+$/', '', strtolower($_SERVER['HTTP_HOST'] ?? ''));
$wikifarmE2eSlug = str_ends_with($wikifarmE2eHost, $wikifarmE2eSuffix)
    ? substr($wikifarmE2eHost, 0, -strlen($wikifarmE2eSuffix)) : '';
$wikifarmE2ePath = (string)parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (!preg_match('/^[a-z][a-z0-9-]*[a-z0-9]$/', $wikifarmE2eSlug)
    || !preg_match('#^/([A-Za-z0-9_]+\.php)$#', $wikifarmE2ePath, $wikifarmE2eEntry)
    || !is_file("$wikifarmE2eWikis/$wikifarmE2eSlug/{$wikifarmE2eEntry[1]}")) {
    http_response_code(404);
    header('Content-Type: text/plain');
    echo "no such wiki or entry point here\n";
    return true;
}
chdir("$wikifarmE2eWikis/$wikifarmE2eSlug");
$_SERVER['SCRIPT_FILENAME'] = "$wikifarmE2eWikis/$wikifarmE2eSlug/{$wikifarmE2eEntry[1]}";
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = "/{$wikifarmE2eEntry[1]}";
require $_SERVER['SCRIPT_FILENAME'];
return true;

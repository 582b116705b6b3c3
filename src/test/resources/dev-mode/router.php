<?php
// The dev mode's web server for every wiki it created: php -S 127.0.0.1:<port> wiki-router.php, started by
// DevWikiServer. A wiki is picked by its host name (<slug>.<root host>:<port>, the API's "url"), or by the first
// path segment (http://127.0.0.1:<port>/<slug>/) for clients that cannot resolve *.localhost. MediaWiki's entry
// points run in the wiki's own directory; other files are served only from an allow-list of static types, so
// pubwiki.ini (the wiki's DB password) and the PHP sources are never sent.

const WIKIFARM_DEV_STATIC = [
    'css' => 'text/css', 'js' => 'text/javascript', 'png' => 'image/png', 'jpg' => 'image/jpeg',
    'jpeg' => 'image/jpeg', 'gif' => 'image/gif', 'svg' => 'image/svg+xml', 'ico' => 'image/x-icon',
    'webp' => 'image/webp', 'woff' => 'font/woff', 'woff2' => 'font/woff2', 'ttf' => 'font/ttf',
];

/** [wiki dir or null, path prefix, path inside the wiki, slug]. */
function wikifarm_dev_route(): array {
    $wikis = getenv('WIKIFARM_DEV_WIKIS');
    $root = strtolower((string)getenv('WIKIFARM_DEV_ROOT_HOST'));
    $host = preg_replace('/:\d+$/', '', strtolower($_SERVER['HTTP_HOST'] ?? ''));
    $path = rawurldecode((string)parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
    $slug = null;
    $prefix = '';
    if ($root !== '' && str_ends_with($host, '.' . $root)) {
        $slug = substr($host, 0, -strlen($root) - 1);
    } elseif (preg_match('#^/([a-z][a-z0-9-]*[a-z0-9])(/.*)?$#', $path, $m)) {
        $slug = $m[1];
        $prefix = '/' . $slug;
        $path = $m[2] ?? '';
    }
    $ok = $slug !== null && preg_match('/^[a-z][a-z0-9-]*[a-z0-9]$/', $slug) && is_dir("$wikis/$slug");
    return [$ok ? "$wikis/$slug" : null, $prefix, $path, $slug];
}

function wikifarm_dev_page(int $status, string $title, string $body): void {
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    $t = htmlspecialchars($title);
    echo "<!doctype html><meta charset=utf-8><title>$t</title>"
        . "<body style='font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem'>"
        . "<h1>$t</h1>$body</body>";
}

function wikifarm_dev_index(): void {
    $items = '';
    foreach (glob(getenv('WIKIFARM_DEV_WIKIS') . '/*', GLOB_ONLYDIR) ?: [] as $dir) {
        $slug = htmlspecialchars(basename($dir));
        $items .= "<li><a href='/$slug/'>$slug</a></li>";
    }
    wikifarm_dev_page(404, 'No such wiki here', '<p>The dev mode serves the wikis it created:</p><ul>'
        . ($items ?: '<li>none yet</li>') . '</ul>');
}

[$wikifarmDevDir, $wikifarmDevPrefix, $wikifarmDevPath, $wikifarmDevSlug] = wikifarm_dev_route();
if ($wikifarmDevDir === null) {
    wikifarm_dev_index();
    return true;
}
if ($wikifarmDevPath === '') { // /<slug> → /<slug>/
    header('Location: ' . $wikifarmDevPrefix . '/', true, 301);
    return true;
}
if (!is_file("$wikifarmDevDir/LocalSettings.php")) { // made from the demo template: nothing to run
    $ini = @parse_ini_file("$wikifarmDevDir/pubwiki.ini") ?: [];
    wikifarm_dev_page(200, (string)($ini['WIKI_SITE_NAME'] ?? $wikifarmDevSlug),
        '<p>This wiki was created from the dev mode\'s <strong>demo template</strong>: a stand-in without '
        . 'MediaWiki behind it. Install php-cli, php-mysql and mediawiki, restart the dev mode, and new wikis '
        . 'are real ones.</p>');
    return true;
}
if (preg_match('#^/([A-Za-z0-9_]+\.php)(/.*)?$#', $wikifarmDevPath, $m) && is_file("$wikifarmDevDir/{$m[1]}")) {
    $wikifarmDevScript = $m[1];
    $wikifarmDevPathInfo = $m[2] ?? '';
} else {
    $file = realpath($wikifarmDevDir . $wikifarmDevPath);
    $type = WIKIFARM_DEV_STATIC[strtolower(pathinfo($wikifarmDevPath, PATHINFO_EXTENSION))] ?? null;
    if ($type !== null && $file !== false && str_starts_with($file, realpath($wikifarmDevDir) . '/')
            && is_file($file)) {
        header('Content-Type: ' . $type);
        header('Cache-Control: max-age=3600');
        readfile($file);
        return true;
    }
    $wikifarmDevScript = 'index.php'; // "/" and anything else: MediaWiki answers (Main Page, or its 404)
    $wikifarmDevPathInfo = '';
}
chdir($wikifarmDevDir);
$_SERVER['SCRIPT_FILENAME'] = "$wikifarmDevDir/$wikifarmDevScript";
$_SERVER['SCRIPT_NAME'] = "$wikifarmDevPrefix/$wikifarmDevScript";
$_SERVER['PHP_SELF'] = $_SERVER['SCRIPT_NAME'] . $wikifarmDevPathInfo;
if ($wikifarmDevPathInfo !== '') {
    $_SERVER['PATH_INFO'] = $wikifarmDevPathInfo;
} else {
    unset($_SERVER['PATH_INFO']);
}
define('WIKIFARM_DEV_PATH_PREFIX', $wikifarmDevPrefix);
define('WIKIFARM_DEV_SERVER', 'http://' . ($_SERVER['HTTP_HOST'] ?? '127.0.0.1'));
require "$wikifarmDevDir/$wikifarmDevScript";
return true;

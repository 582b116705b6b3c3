<?php
# Settings for the dev mode's Main Page import (an install command, run while the wiki still bootstraps): the
# wiki's own settings plus the farm's shared user tables, which bootstrap mode leaves out. The page's author
# ("Maintenance script") is thereby created in the shared database, where the finished wiki looks up users;
# created in the wiki's own tables, it would be unknown once the wiki leaves bootstrap mode.
require dirname( __DIR__ ) . '/LocalSettings.php';

$wgSharedDB = $pubwiki['WIKI_SHARED_DB_NAME'];
$wgSharedPrefix = '';
$wgSharedTables = [ 'user', 'user_properties', 'actor' ];

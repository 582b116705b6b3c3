package org.wikifarm.provisioner.embedded;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dev mode's real template, where the machine can host one: Debian's MediaWiki ({@value #MEDIAWIKI}) run
 * by the host's PHP. The recipe is the end-to-end test's ({@code e2e/MediaWikiTemplate}): a real copy of the
 * package tree (MediaWiki finds LocalSettings.php beside its real path, so no symlinks), the farm's
 * LocalSettings.php reading pubwiki.ini, MediaWiki 1.39's own install commands (it has no
 * installPreConfigured), and a shared database holding MediaWiki's own {@code user}, {@code user_properties}
 * and {@code actor} tables. On top, a small LocalSettings.php lets the dev web server serve a wiki under a
 * path prefix too ({@code http://127.0.0.1:<port>/<slug>/}).
 */
final class DevMediaWiki {
  static final String MEDIAWIKI = "/usr/share/mediawiki";
  /** Not the demo mode's {@link EmbeddedMariaDb#SHARED_DB}, whose stand-in tables lack MediaWiki's columns. */
  static final String SHARED_DB = "farmshared";
  /**
   * MediaWiki 1.39's schema and updater (what the end-to-end test runs), then a Main Page: the updater writes
   * none, and "Open wiki" should open a page, not "There is currently no text in this page".
   */
  static final String INSTALL_COMMANDS = "[[\"php\",\"maintenance/sql.php\",\"maintenance/tables-generated.sql\"],"
      + "[\"php\",\"maintenance/update.php\",\"--quick\"],"
      + "[\"php\",\"maintenance/importTextFiles.php\",\"--conf\",\"dev-mode/LocalSettings.import.php\","
      + "\"--summary\",\"Created by the WikiFarm dev mode\",\"dev-mode/Main_Page.wikitext\"]]";
  /** CirrusSearch is not part of Debian's package: no search index to configure or build. */
  static final String NO_COMMANDS = "[]";

  /** Raise when the template's contents change, so existing var/ directories rebuild it. */
  private static final int RECIPE = 3;
  private static final String STAMP = ".dev-template";
  private static final Set<String> NOT_COPIED =
      Set.of("LocalSettings.php", "extensions", "extensions-core", "images", "config");
  private static final List<String> EMPTY_DIRS = List.of("extensions", "images", "cache");
  private static final Pattern SHARED_TABLE_DDL = Pattern.compile(
      "CREATE TABLE /\\*_\\*/(user|user_properties|actor) \\((.*?)\\) /\\*\\$wgDBTableOptions\\*/;",
      Pattern.DOTALL);

  private DevMediaWiki() {}

  /** Why the dev mode cannot host a real wiki here, or empty when it can. */
  static Optional<String> unavailable() {
    if (!Files.isRegularFile(Path.of(MEDIAWIKI, "includes", "WebStart.php"))
        || !Files.isRegularFile(Path.of(MEDIAWIKI, "maintenance", "tables-generated.sql"))) {
      return Optional.of("Debian's MediaWiki is not installed");
    }
    if (Prerequisites.which("php") == null) {
      return Optional.of("php is not installed");
    }
    try {
      Process p = new ProcessBuilder("php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        return Optional.of("PHP has no mysqli extension");
      }
    } catch (Exception e) {
      return Optional.of("php does not run (" + e.getMessage() + ")");
    }
    return Optional.empty();
  }

  /** "MediaWiki 1.39.17", from the package's Defines.php. */
  static String version() {
    try {
      Matcher m = Pattern.compile("MW_VERSION', '([^']+)'")
          .matcher(Files.readString(Path.of(MEDIAWIKI, "includes", "Defines.php")));
      return "MediaWiki " + (m.find() ? m.group(1) : "(unknown version)");
    } catch (Exception e) {
      return "MediaWiki";
    }
  }

  /** True when {@link #ensureTemplate} has nothing to build. */
  static boolean templateCurrent(Path dir) {
    try {
      return Files.readString(dir.resolve(STAMP)).equals(stamp());
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * The template in {@code dir}, built on the first run (a copy of the package tree, ~190 MB) and again when the
   * package or this recipe changed. Wikis already created keep their own copy.
   */
  static Path ensureTemplate(Path dir) throws Exception {
    if (templateCurrent(dir)) {
      return dir;
    }
    Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
    TestInfra.deleteTree(partial); // an interrupted earlier build
    Files.createDirectories(partial);
    List<String> plain = new ArrayList<>(List.of("cp", "-a", "--"));
    List<String> dereferenced = new ArrayList<>(List.of("cp", "-a", "--dereference", "--"));
    try (Stream<Path> entries = Files.list(Path.of(MEDIAWIKI))) {
      for (Path entry : entries.sorted().toList()) {
        if (!NOT_COPIED.contains(entry.getFileName().toString())) {
          (Files.isSymbolicLink(entry) ? dereferenced : plain).add(entry.toString());
        }
      }
    }
    for (List<String> cp : List.of(plain, dereferenced)) {
      if (cp.size() > 4) {
        cp.add(partial + "/");
        run(cp);
      }
    }
    for (String d : EMPTY_DIRS) {
      Files.createDirectories(partial.resolve(d));
    }
    copyResource("/mediawiki-template/LocalSettings.php", partial.resolve("LocalSettings.farm.php"));
    copyResource("/dev-mode/LocalSettings.php", partial.resolve("LocalSettings.php"));
    copyResource("/demo-template/pubwiki.ini", partial.resolve("pubwiki.ini"));
    Path devMode = Files.createDirectories(partial.resolve("dev-mode"));
    copyResource("/dev-mode/Main_Page.wikitext", devMode.resolve("Main_Page.wikitext"));
    copyResource("/dev-mode/LocalSettings.import.php", devMode.resolve("LocalSettings.import.php"));
    Files.writeString(partial.resolve(STAMP), stamp());
    TestInfra.deleteTree(dir); // an outdated template; nothing refers to it
    Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    return dir;
  }

  /** Which package and which recipe a template was built from. */
  private static String stamp() {
    return version() + ", dev template recipe " + RECIPE + "\n";
  }

  /**
   * The farm's shared database with MediaWiki's own definitions of the shared tables (the Main Page import
   * creates its author here, see LocalSettings.import.php).
   */
  static void createSharedDatabase(EmbeddedMariaDb db) throws Exception {
    db.run("CREATE DATABASE IF NOT EXISTS `" + SHARED_DB + "` CHARACTER SET binary", null);
    String schema = Files.readString(Path.of(MEDIAWIKI, "maintenance", "tables-generated.sql"));
    Matcher m = SHARED_TABLE_DDL.matcher(schema);
    List<String> statements = new ArrayList<>();
    while (m.find()) {
      statements.add("CREATE TABLE IF NOT EXISTS `" + m.group(1) + "` (" + m.group(2)
          + ") ENGINE=InnoDB, DEFAULT CHARSET=binary");
    }
    if (statements.size() != 3) {
      throw new IllegalStateException("user, user_properties and actor not found in " + MEDIAWIKI
          + "/maintenance/tables-generated.sql");
    }
    db.runEach(statements, SHARED_DB);
  }

  private static void copyResource(String resource, Path target) throws Exception {
    try (InputStream in = DevMediaWiki.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " missing from the test resources");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void run(List<String> argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + p.exitValue() + "): " + out);
    }
  }
}

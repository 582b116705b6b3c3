package org.wikifarm.provisioner.e2e;

import org.wikifarm.provisioner.embedded.HostTools;
import org.wikifarm.provisioner.embedded.HostTools.Tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.Prerequisites;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.exec.CommandExecutor;
import org.wikifarm.provisioner.exec.CommandExecutors;
import org.wikifarm.provisioner.provision.InMemoryLedger;
import org.wikifarm.provisioner.provision.Orchestrator.Outcome;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.phases.CreateWikiPhases;
import org.wikifarm.provisioner.provision.phases.SpareKeyPairs;
import org.wikifarm.provisioner.provision.Redactor;
import org.wikifarm.provisioner.provision.WikiRequest;
import org.wikifarm.provisioner.support.IniFile;

/**
 * The provisioning pipeline end to end against real components, no mocks: the host's MediaWiki 1.39 (Debian
 * package) as the template, real PHP running its maintenance scripts through the {@code local} executor, the
 * test JVM's real MariaDB, and PHP's built-in web server answering the API of the wiki that was created.
 *
 * <p>The farm's shared database is one of this test's own, holding MediaWiki's real {@code user},
 * {@code user_properties} and {@code actor} tables (taken from the package's schema file), so the grants
 * db_provision gives on them are exercised by MediaWiki itself once the wiki leaves bootstrap mode.
 *
 * <p>Skipped on a machine without MediaWiki or PHP; fails instead in CI ({@code CI=true}).
 */
@HostTools.Required({Tool.MEDIAWIKI, Tool.PHP})
class MediaWikiEndToEndTest {
  private static final Logger LOG = Logger.getLogger(MediaWikiEndToEndTest.class.getName());

  /** A space, an apostrophe and a non-ASCII letter: all must survive pubwiki.ini and reach MediaWiki. */
  static final String NAME = "Ålesund's Wiki";
  static final String LANGUAGE = "de";
  static final String SHARED_DB = "farm_shared_e2e";
  static final String FARM_USER = "Farm Admin";

  /**
   * Phase 5 for MediaWiki 1.39, which has no {@code installPreConfigured}: create the core schema, then let
   * the updater finish it (default rows such as site_stats). Both run with the wiki's OWN database account,
   * which LocalSettings.php reads from pubwiki.ini.
   */
  static final List<List<String>> INSTALL = List.of(
      List.of("php", "maintenance/sql.php", "maintenance/tables-generated.sql"),
      List.of("php", "maintenance/update.php", "--quick"));

  /**
   * Phase 7: CirrusSearch is not installed, so instead of ForceSearchIndex a harmless read-only maintenance
   * script runs. It still proves phase 7 executes real PHP through the executor against the finished wiki
   * (after flip_bootstrap, i.e. with the shared tables configured).
   */
  static final List<List<String>> INDEX = List.of(List.of("php", "maintenance/showSiteStats.php"));

  private static final Pattern SHARED_TABLE_DDL = Pattern.compile(
      "CREATE TABLE /\\*_\\*/(user|user_properties|actor) \\((.*?)\\) /\\*\\$wgDBTableOptions\\*/;",
      Pattern.DOTALL);

  private static Vertx vertx;
  private static Path template;

  @BeforeAll
  static void setUp() throws Exception {
    Prerequisites.check(Files.isDirectory(Path.of(MediaWikiTemplate.MEDIAWIKI)) && MediaWikiTemplate.installed(),
        "MediaWiki is not installed (apt-get install --no-install-recommends mediawiki)");
    Prerequisites.command("php");
    Prerequisites.check(phpHasMysqli(), "PHP has no mysqli extension (apt-get install php-mysql)");
    long start = System.nanoTime();
    template = MediaWikiTemplate.get();
    createSharedDatabase();
    LOG.info("MediaWiki template and shared DB ready in " + millisSince(start) + " ms");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /**
   * The whole pipeline, phase 9 included: {@code verify} asks the new wiki's api.php through the farm's web
   * server (a {@code php -S} router choosing the wiki by Host header) and passes on its name and language.
   */
  @Test
  void createsAWorkingWikiInItsOwnDatabase() throws Exception {
    long start = System.nanoTime();
    Path root = TestInfra.scratch().resolve("e2e-farm-" + UUID.randomUUID());
    try (PhpServer web = PhpServer.farmWebServer(root.resolve("wikis"), "wiki.test")) {
      createsAWorkingWiki(start, new Farm(root, INSTALL, INDEX, template, json -> json.getJsonObject("farm")
          .put("verify-url", "http://127.0.0.1:" + web.port).put("verify-timeout", "60s")));
    }
  }

  private void createsAWorkingWiki(long start, Farm farm) throws Exception {
    String slug = uniqueSlug("ok");
    List<Integer> done = Collections.synchronizedList(new ArrayList<>());
    List<Integer> all = Collections.synchronizedList(new ArrayList<>());
    List<String> timeline = Collections.synchronizedList(new ArrayList<>());
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    PhaseContext ctx = farm.context(slug, output::add);
    int[] statusWhileBootstrapping = {0};

    Outcome outcome = farm.run(ctx, (phase, progress, message) -> {
      all.add(progress);
      if (message.endsWith(": done")) {
        done.add(progress);
        timeline.add(phase + " " + millisSince(start) + " ms");
        if (phase.equals("docker_install")) {
          // installed but still bootstrapping: LocalSettings.php must keep web requests out
          statusWhileBootstrapping[0] = statusOfSiteinfo(ctx.wikiDir());
        }
      }
    });
    long pipelineMs = millisSince(start);
    LOG.info("end-to-end pipeline: " + String.join(", ", timeline));

    assertTrue(outcome.succeeded(), () -> outcome.message() + "\nlast output:\n" + tail(output));
    assertEquals(List.of(10, 20, 30, 40, 60, 70, 75, 90, 95), done, "progress after each phase, in order (SPEC §6)");
    for (int i = 1; i < all.size(); i++) {
      assertTrue(all.get(i) >= all.get(i - 1), "progress went backwards: " + all);
    }
    assertTrue(output.stream().anyMatch(l -> l.contains("Done.") || l.contains("done")),
        "maintenance script output was streamed: " + tail(output));
    assertTrue(output.stream().anyMatch(l -> l.equals("the wiki answers at " + slug + ".wiki.test with its name "
        + "and language")), "verify ran against the farm's web server: " + tail(output));

    assertEquals(503, statusWhileBootstrapping[0], "the wiki answered web requests while bootstrapping");

    Path wikiDir = ctx.wikiDir();
    String password = IniFile.read(wikiDir.resolve("pubwiki.ini")).get("WIKI_DB_PASSWORD");
    assertTrue(password.length() >= 24);
    assertTrue(output.stream().noneMatch(l -> l.contains(password)), "the DB password reached the output");
    assertEquals("false", IniFile.read(wikiDir.resolve("pubwiki.ini")).get("WIKI_BOOTSTRAPING"),
        "pubwiki.ini must end out of bootstrap mode");

    // the wiki's own database holds MediaWiki's tables; the shared one still has exactly its three
    String db = ctx.dbName();
    assertEquals(3L, count("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
        + "AND TABLE_NAME IN ('page', 'revision', 'site_stats')", db),
        "MediaWiki's tables are missing from " + db);
    assertEquals(3L, count("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", SHARED_DB),
        "the install must not create tables in the shared database");

    try (PhpServer server = PhpServer.start(wikiDir)) {
      JsonObject general = server.api("action=query&meta=siteinfo&format=json")
          .getJsonObject("query").getJsonObject("general");
      assertEquals(NAME, general.getString("sitename"));
      assertEquals(LANGUAGE, general.getString("lang"));
      assertEquals(db, general.getString("wikiid"));

      // users come from the farm's shared database, read with the wiki's account and its grants
      JsonArray users = server.api("action=query&list=allusers&format=json")
          .getJsonObject("query").getJsonArray("allusers");
      assertTrue(users.stream().map(u -> ((JsonObject) u).getString("name")).anyMatch(FARM_USER::equals),
          "the wiki does not see the farm's shared users: " + users.encode());
    }
    // the OAuth key pair loads in PHP's openssl, as the wiki's OAuth extension would load it
    Path key = ctx.oauthDir().resolve("oauth.key");
    Path cert = ctx.oauthDir().resolve("oauth.cert");
    MediaWikiTemplate.run(List.of("php", "-r", "exit(openssl_pkey_get_private(file_get_contents($argv[1])) "
        + "&& openssl_pkey_get_public(file_get_contents($argv[2])) ? 0 : 1);", key.toString(), cert.toString()));
    LOG.info("end-to-end: pipeline " + pipelineMs + " ms, with checks " + millisSince(start) + " ms");
  }

  @Test
  void failingInstallRollsEverythingBack() throws Exception {
    // the schema is created for real first, so rollback has to drop a populated database
    Farm farm = new Farm(List.of(
        List.of("php", "maintenance/sql.php", "maintenance/tables-generated.sql"),
        List.of("php", "-r", "exit(3);")), INDEX);
    String slug = uniqueSlug("bad");
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    PhaseContext ctx = farm.context(slug, line -> { });

    Outcome outcome = farm.run(ctx, (phase, progress, message) -> seen.add(progress));

    assertFalse(outcome.succeeded());
    assertTrue(outcome.cleanedUp(), outcome.message());
    assertTrue(outcome.message().startsWith("docker_install failed"), outcome.message());
    assertTrue(outcome.message().contains("exited with status 3"),
        "the exit code is reported: " + outcome.message());
    assertEquals(40, seen.stream().mapToInt(Integer::intValue).max().orElse(0), "stopped in phase 5: " + seen);

    assertFalse(Files.exists(ctx.wikiDir()), "wiki directory left behind");
    assertFalse(Files.exists(ctx.oauthDir()), "OAuth key directory left behind");
    try (Stream<Path> left = Files.list(farm.root.resolve("wikis"))) {
      assertEquals(List.of(), left.toList(), "partial copies left in the wiki root");
    }
    assertEquals(0L, count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        ctx.dbName()), "database left behind");
    assertEquals(0L, count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", ctx.dbUser()),
        "database user left behind");
    assertEquals(0L, count("SELECT COUNT(*) FROM mysql.tables_priv WHERE User = ?", ctx.dbUser()),
        "shared-table grants left behind");
    assertEquals(List.of(), farm.ledger.entries());
  }

  /**
   * Every command succeeds, but the wiki's LocalSettings.php is broken on purpose for web requests (its
   * template throws outside the CLI), so the farm's web server answers 500: phase 9 fails once
   * farm.verify-timeout has passed and the task rolls back — directory, keys, a populated database, its user
   * and grants all go.
   */
  @Test
  void aWikiThatDoesNotAnswerFailsVerifyAndLeavesNothingBehind() throws Exception {
    Path broken = TestInfra.scratch().resolve("broken-template-" + UUID.randomUUID());
    MediaWikiTemplate.run(List.of("cp", "-a", "--reflink=auto", "--", template.toString(), broken.toString()));
    Files.writeString(broken.resolve("LocalSettings.php"), "\n# broken on purpose by the end-to-end test\n"
        + "if ( PHP_SAPI !== 'cli' ) {\n\tthrow new RuntimeException( 'broken on purpose' );\n}\n",
        java.nio.file.StandardOpenOption.APPEND);
    Path root = TestInfra.scratch().resolve("e2e-farm-" + UUID.randomUUID());
    try (PhpServer web = PhpServer.farmWebServer(root.resolve("wikis"), "wiki.test")) {
      Farm farm = new Farm(root, INSTALL, INDEX, broken, json -> json.getJsonObject("farm")
          .put("verify-url", "http://127.0.0.1:" + web.port).put("verify-timeout", "4s"));
      String slug = uniqueSlug("deaf");
      List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
      PhaseContext ctx = farm.context(slug, line -> { });

      Outcome outcome = farm.run(ctx, (phase, progress, message) -> seen.add(progress));

      assertFalse(outcome.succeeded());
      assertTrue(outcome.cleanedUp(), outcome.message());
      assertTrue(outcome.message().startsWith("verify failed: the wiki did not answer as expected")
          && outcome.message().contains("HTTP 500"), outcome.message());
      assertEquals(90, seen.stream().mapToInt(Integer::intValue).max().orElse(0), "stopped in phase 9: " + seen);
      assertFalse(Files.exists(ctx.wikiDir()), "wiki directory left behind");
      assertFalse(Files.exists(ctx.oauthDir()), "OAuth key directory left behind");
      try (Stream<Path> left = Files.list(farm.root.resolve("wikis"))) {
        assertEquals(List.of(), left.toList(), "partial copies left in the wiki root");
      }
      assertEquals(0L, count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
          ctx.dbName()), "database left behind");
      assertEquals(0L, count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", ctx.dbUser()), "DB user left");
      assertEquals(0L, count("SELECT COUNT(*) FROM mysql.tables_priv WHERE User = ?", ctx.dbUser()), "grants left");
      assertEquals(List.of(), farm.ledger.entries());
    } finally {
      MediaWikiTemplate.run(List.of("rm", "-rf", "--", broken.toString()));
    }
  }

  /** The HTTP status of the siteinfo query on a PHP server started just for it. */
  private static int statusOfSiteinfo(Path wikiDir) {
    try (PhpServer server = PhpServer.start(wikiDir)) {
      return server.get("action=query&meta=siteinfo&format=json").statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A scratch farm using the MediaWiki template, with the given phase-5 and phase-7 commands. */
  private static final class Farm {
    final Path root;
    final Path templateDir;
    final AppConfig config;
    final InMemoryLedger ledger = new InMemoryLedger();

    Farm(List<List<String>> install, List<List<String>> index) throws Exception {
      this(TestInfra.scratch().resolve("e2e-farm-" + UUID.randomUUID()), install, index, template, json -> { });
    }

    /** A farm in {@code root} made from {@code templateDir}; {@code tweak} adjusts its configuration. */
    Farm(Path root, List<List<String>> install, List<List<String>> index, Path templateDir,
        java.util.function.Consumer<JsonObject> tweak) throws Exception {
      this.root = root;
      this.templateDir = templateDir;
      JsonObject json = TestConfigs.json(root);
      tweak.accept(json);
      json.getJsonObject("farm").put("template", templateDir.toString());
      json.getJsonObject("wiki-db").put("shared-db-name", SHARED_DB);
      json.getJsonObject("executor").put("install-commands", argvs(install)).put("index-commands", argvs(index))
          .put("command-timeout", "5m");
      config = ConfigLoader.fromJson(json);
    }

    PhaseContext context(String slug, java.util.function.Consumer<String> output) {
      WikiRequest request = new WikiRequest(UUID.randomUUID().toString(), 1, NAME, slug, LANGUAGE, templateDir);
      return new PhaseContext(request, config, ledger, Redactor.forConfig(config), output);
    }

    Outcome run(PhaseContext ctx, org.wikifarm.provisioner.provision.ProgressListener listener) {
      try (CommandExecutor executor = CommandExecutors.create(config)) {
        return CreateWikiPhases.create(config, vertx, executor, SpareKeyPairs.none()).run(ctx, listener);
      }
    }

    private static JsonArray argvs(List<List<String>> commands) {
      JsonArray out = new JsonArray();
      commands.forEach(argv -> out.add(new JsonArray(new ArrayList<Object>(argv))));
      return out;
    }
  }

  /** {@code php -S 127.0.0.1:<port> -t <wikiDir>}, killed on close. */
  private static final class PhpServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PhpServer(Process process, int port, Path log) {
      this.process = process;
      this.port = port;
      this.log = log;
    }

    static PhpServer start(Path docRoot) throws Exception {
      return start(docRoot, List.of("-t", docRoot.toString()), java.util.Map.of());
    }

    /**
     * The farm's web server for every wiki under {@code wikis}: {@code php -S} with a router that picks the
     * wiki directory by Host header ({@code <slug>.<rootHost>}), as a farm's reverse proxy does.
     */
    static PhpServer farmWebServer(Path wikis, String rootHost) throws Exception {
      Path router = Files.createTempFile(TestInfra.scratch(), "wiki-router-", ".php");
      Files.copy(Path.of("src", "test", "resources", "e2e", "wiki-router.php"), router,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.createDirectories(wikis);
      return start(wikis, List.of(router.toString()),
          java.util.Map.of("WIKIFARM_E2E_WIKIS", wikis.toString(), "WIKIFARM_E2E_ROOT_HOST", rootHost));
    }

    private static PhpServer start(Path workDir, List<String> args, java.util.Map<String, String> env)
        throws Exception {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path log = Files.createTempFile(TestInfra.scratch(), "php-server-", ".log");
      List<String> argv = new ArrayList<>(List.of("php", "-S", "127.0.0.1:" + port));
      argv.addAll(args);
      ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process p = builder.start();
      p.getOutputStream().close();
      PhpServer server = new PhpServer(p, port, log);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (true) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
          return server;
        } catch (IOException notYet) {
          if (!p.isAlive() || System.nanoTime() > deadline) {
            server.close();
            throw new IllegalStateException("php -S did not start: " + Files.readString(log));
          }
          Thread.sleep(50);
        }
      }
    }

    HttpResponse<String> get(String query) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api.php?" + query))
          .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonObject api(String query) throws Exception {
      HttpResponse<String> response = get(query);
      assertEquals(200, response.statusCode(), () -> "api.php?" + query + " → " + response.statusCode() + ": "
          + response.body() + "\nserver log:\n" + readLog());
      JsonObject body = new JsonObject(response.body());
      assertFalse(body.containsKey("error"), () -> "API error: " + body.encode());
      return body;
    }

    private String readLog() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The farm's shared database with MediaWiki's own definitions of the shared tables (the minimal ones of
   * {@link EmbeddedMariaDb#SHARED_DB} lack columns MediaWiki reads), plus one farm user every wiki must see.
   */
  private static void createSharedDatabase() throws Exception {
    EmbeddedMariaDb db = TestInfra.mariaDb();
    db.run("CREATE DATABASE IF NOT EXISTS `" + SHARED_DB + "` CHARACTER SET binary", null);
    String schema = Files.readString(Path.of(MediaWikiTemplate.MEDIAWIKI, "maintenance", "tables-generated.sql"));
    Matcher m = SHARED_TABLE_DDL.matcher(schema);
    int tables = 0;
    while (m.find()) {
      db.run("CREATE TABLE IF NOT EXISTS `" + m.group(1) + "` (" + m.group(2)
          + ") ENGINE=InnoDB, DEFAULT CHARSET=binary", SHARED_DB);
      tables++;
    }
    assertEquals(3, tables, "user, user_properties and actor not found in MediaWiki's tables-generated.sql");
    db.run("INSERT IGNORE INTO `user` (user_id, user_name, user_password, user_newpassword, user_email, "
        + "user_touched, user_token, user_registration, user_editcount) VALUES (1, '" + FARM_USER + "', '', '', "
        + "'', '20250101000000', '', '20250101000000', 0); "
        + "INSERT IGNORE INTO actor (actor_id, actor_user, actor_name) VALUES (1, 1, '" + FARM_USER + "')",
        SHARED_DB);
  }

  /** One number from a query run as the farm's admin account. */
  private static long count(String sql, Object... params) throws Exception {
    MySQLConnectOptions options = new MySQLConnectOptions().setHost("127.0.0.1").setPort(TestInfra.mariaDb().port())
        .setUser(EmbeddedMariaDb.ADMIN_USER).setPassword(EmbeddedMariaDb.ADMIN_PASSWORD)
        .setSslMode(SslMode.DISABLED);
    MySQLConnection conn = MySQLConnection.connect(vertx, options).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    try {
      var rows = conn.preparedQuery(sql).execute(Tuple.from(params)).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      for (Row row : rows) {
        return row.getLong(0);
      }
      return 0L;
    } finally {
      conn.close();
    }
  }

  private static boolean phpHasMysqli() {
    try {
      Process p = new ProcessBuilder("php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static String uniqueSlug(String prefix) {
    return "e2e-" + prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
  }

  private static String tail(List<String> lines) {
    synchronized (lines) {
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}

package org.wikifarm.provisioner.client;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.wikifarm.provisioner.client.ExtensionProxy.Drop;
import org.wikifarm.provisioner.client.ExtensionProxy.Exchange;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.HostTools;
import org.wikifarm.provisioner.embedded.HostTools.Tool;
import org.wikifarm.provisioner.embedded.Prerequisites;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TcpProxy;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.sse.StreamAssertions;

/**
 * Issue 9, item 7: a test that plays the extension's client (SPEC §4.5) against the real service — worker,
 * local executor, embedded MariaDB and Redis — through a same-origin proxy that injects the forward-auth
 * identity as raw UTF-8 ({@code 张三 Zoë}, user 42) and strips what the client sends. The client is
 * {@code src/test/resources/extension-client/client.js}; it runs once replayed in Java ({@link JavaExtensionClient},
 * fast) and once in headless Chromium ({@link Browser}). Each variant runs two scenarios:
 * <ul>
 *   <li>the proxy drops the SSE connection once, mid-task: the EventSource reconnects with Last-Event-ID and the
 *       client still sees 8/8 phases, {@code succeeded}, and every journal id exactly once;</li>
 *   <li>the drop comes with MariaDB cut (while the task runs), so the reconnect lands during the outage: it must
 *       still be answered 200 from the journal, and the page still ends at {@code succeeded} once MariaDB is
 *       back.</li>
 * </ul>
 * What is asserted is the client's own derived state (its lists, phases, status, message, the ids it got),
 * compared with the farm's truth: the database rows and a full journal replay afterwards.
 */
class ExtensionClientTest {
  /**
   * The phases the extension's client knows and counts (SPEC §4.5) — exactly eight; the service's later
   * {@code verify} is not among them and the client ignores it.
   */
  static final List<String> PHASES = List.of("dir_copy", "render_ini", "db_provision", "oauth", "docker_install",
      "docker_index_cfg", "flip_bootstrap", "index");
  static final long USER_ID = 42;
  static final String USER_NAME = "张三 Zoë";
  static final long OTHER_ID = 7;
  static final String BASE_DOMAIN = "wiki.test";
  static final Duration TASK_TIMEOUT = Duration.ofSeconds(120);
  private static final String RUN = Long.toString(System.nanoTime() % 1_000_000, 36);
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  static TcpProxy mariaDbLink;
  static RunningService service;
  static Vertx proxyVertx;
  static ExtensionProxy proxy;
  static TestDb db;

  /** The seeded wikis: the user's and someone else's, in every visibility. */
  static final String MINE_PUBLIC = "seed-mine-pub-" + RUN;
  static final String MINE_PRIVATE = "seed-mine-priv-" + RUN;
  static final String MINE_PENDING = "seed-mine-pend-" + RUN;
  static final String OTHER_PUBLIC = "seed-other-pub-" + RUN;
  static final String OTHER_PRIVATE = "seed-other-priv-" + RUN;
  static final String OTHER_UNLISTED = "seed-other-unl-" + RUN;

  /** What a client variant can do: the page's steps, and reading the page's derived state. */
  interface Client extends AutoCloseable {
    /** Loads the page (which loads both lists). */
    void open() throws Exception;

    /** Types a slug and returns the check the client recorded for it. */
    JsonObject checkSlug(String slug) throws Exception;

    /** Submits the form; the client then follows the task with its EventSource. Null unless 202. */
    String createAndFollow(String name, String slug, String visibility) throws Exception;

    /** Waits until the status event closed the EventSource (or it failed for good); the state then. */
    JsonObject awaitEnd(Duration timeout) throws Exception;

    JsonObject state() throws Exception;
  }

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata(); // the lists are compared with the whole table
    EmbeddedMariaDb mariaDb = TestInfra.mariaDb();
    mariaDbLink = new TcpProxy(mariaDb.port());
    service = RunningService.start(json -> {
      json.getJsonObject("http").put("identity", "headers");
      // the metadata DB through a link the test can cut (the wiki DBs are reached directly, as phase 3's admin)
      json.getJsonObject("database").put("url", "mysql://" + EmbeddedMariaDb.APP_USER + ":"
          + EmbeddedMariaDb.APP_PASSWORD + "@127.0.0.1:" + mariaDbLink.port() + "/" + EmbeddedMariaDb.METADATA_DB);
      // phases 5, 6 and 8 take seconds, as real maintenance scripts do: time for a drop and a reconnect
      json.getJsonObject("executor")
          .put("install-commands", sh("echo installing MediaWiki; sleep 2; echo installed"))
          .put("index-cfg-commands", sh("echo updating the search index configuration; sleep 1; echo configured"))
          .put("index-commands", sh("echo indexing; sleep 2; echo indexed"));
      json.put("sse", new JsonObject().put("heartbeat", "1s").put("throttle", "200ms"));
    });
    proxyVertx = Vertx.vertx();
    proxy = ExtensionProxy.start(proxyVertx, service.app.httpPort(), USER_ID, USER_NAME, BASE_DOMAIN);
    db = new TestDb();
    seed(MINE_PUBLIC, USER_ID, USER_NAME, "public", "ready");
    seed(MINE_PRIVATE, USER_ID, USER_NAME, "private", "ready");
    seed(MINE_PENDING, USER_ID, USER_NAME, "public", "pending");
    seed(OTHER_PUBLIC, OTHER_ID, "Bob", "public", "ready");
    seed(OTHER_PRIVATE, OTHER_ID, "Bob", "private", "ready");
    seed(OTHER_UNLISTED, OTHER_ID, "Bob", "unlisted", "ready");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (proxy != null) {
        proxy.close();
      }
      if (proxyVertx != null) {
        proxyVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      try {
        if (mariaDbLink != null) {
          mariaDbLink.restore();
        }
        if (service != null) {
          service.close();
        }
      } finally {
        if (db != null) {
          db.close();
        }
        if (mariaDbLink != null) {
          mariaDbLink.close();
        }
      }
    }
  }

  // ---- (a) the fast variant: client.js replayed with java.net.http ------------------------------------------

  @Test
  void javaClientFollowsATaskThroughAForcedReconnect() throws Exception {
    try (JavaExtensionClient client = new JavaExtensionClient(proxy.url())) {
      forcedReconnect(client, "java");

      // the proxy strips identity headers a client sends: pretending to be user 7 shows only 7's public wiki
      int mark = proxy.mark();
      JavaExtensionClient.Answer forged = client.api("GET", "/users/" + OTHER_ID + "/wikis", null,
          "X-Auth-User-Id", Long.toString(OTHER_ID), "X-Auth-User", "Mallory");
      assertEquals(200, forged.status(), forged.text());
      assertEquals(List.of(OTHER_PUBLIC), slugs(forged.json().getJsonArray("wikis")));
      Exchange probe = proxy.since(mark).get(0);
      assertEquals(2, probe.clientIdentity.size(), "the forged headers reached the proxy: " + probe);
      // ...where the same headers sent straight to the service would have been believed
      ApiClient.Response direct = service.client.get("/provisioner/v1/users/" + OTHER_ID + "/wikis",
          "X-Auth-User-Id", Long.toString(OTHER_ID), "X-Auth-User", "Mallory");
      assertTrue(slugs(direct.json().getJsonArray("wikis")).contains(OTHER_PRIVATE), direct.body());
    }
  }

  @Test
  void javaClientReconnectingDuringAMariaDbOutageStillEndsAtSucceeded() throws Exception {
    try (JavaExtensionClient client = new JavaExtensionClient(proxy.url())) {
      reconnectDuringOutage(client, "java");
    }
  }

  /**
   * The harness itself, against a capturing server instead of the service: the identity goes out as raw UTF-8
   * bytes, exactly once, whatever the client sent (in any letter case); and SSE is relayed as it comes — the
   * first event reaches the client while the upstream has not written the second.
   */
  @Test
  void theProxyInjectsRawUtf8IdentityStripsTheClientsAndDoesNotBufferStreams() throws Exception {
    List<MultiMap> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> second = new CompletableFuture<>();
    HttpServer capture = proxyVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    capture.requestHandler(req -> {
      seen.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      if (req.path().endsWith("/events")) {
        Context context = Vertx.currentContext();
        HttpServerResponse r = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        r.write("retry: 3000\n\nid: 1-0\nevent: progress\ndata: {\"n\":1}\n\n");
        second.thenRun(() -> context.runOnContext(v -> r.end("id: 2-0\nevent: status\ndata: {\"n\":2}\n\n")));
      } else {
        req.response().putHeader("Content-Type", "application/json").end("{\"wikis\":[]}");
      }
    });
    capture.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try (ExtensionProxy relay = ExtensionProxy.start(proxyVertx, capture.actualPort(), USER_ID, USER_NAME,
        BASE_DOMAIN)) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(relay.url() + "provisioner/v1/wikis/public"))
          .header("Content-Type", "application/json").header("x-auth-user-id", "1").header("X-AUTH-USER", "mallory")
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, list.statusCode(), list.body());
      MultiMap forwarded = seen.get(0);
      assertEquals(List.of(Long.toString(USER_ID)), forwarded.getAll("X-Auth-User-Id"));
      assertEquals(1, forwarded.getAll("X-Auth-User").size(), forwarded.toString());
      assertArrayEquals(USER_NAME.getBytes(StandardCharsets.UTF_8),
          forwarded.get("X-Auth-User").getBytes(StandardCharsets.ISO_8859_1), "raw UTF-8 bytes on the wire");

      HttpResponse<java.io.InputStream> sse = http.send(HttpRequest.newBuilder(
              URI.create(relay.url() + "provisioner/v1/tasks/00000000-0000-4000-8000-000000000000/events"))
          .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, sse.statusCode());
      BufferedReader in = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8));
      assertEquals("data: {\"n\":1}", reader.submit(() -> readUntil(in, "data: ")).get(10, TimeUnit.SECONDS),
          "the first event arrives before the second is written");
      second.complete(null);
      assertEquals("data: {\"n\":2}", reader.submit(() -> readUntil(in, "data: ")).get(10, TimeUnit.SECONDS));
      assertEquals(null, reader.submit(() -> readUntil(in, "data: ")).get(10, TimeUnit.SECONDS), "then the end");
    } finally {
      reader.shutdownNow();
      capture.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static String readUntil(BufferedReader in, String prefix) throws java.io.IOException {
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    return null;
  }

  // ---- (b) the same in headless Chromium ----------------------------------------------------------------------

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @HostTools.Required({Tool.CHROMIUM})
  class Browser {
    // Selenium warns that it has no CDP bindings for this Chromium version; the test uses WebDriver only
    private final Logger quietCdp = quiet("org.openqa.selenium.devtools");
    private final Logger quietChromium = quiet("org.openqa.selenium.chromium.ChromiumDriver");
    private ChromeDriverService driverService;
    private ChromeDriver browser;

    @RegisterExtension
    final TestWatcher screenshotOnFailure = new TestWatcher() {
      @Override
      public void testFailed(ExtensionContext context, Throwable cause) {
        screenshot("extension-client-failed-" + context.getRequiredTestMethod().getName());
      }
    };

    @BeforeAll
    void startBrowser() throws Exception {
      String chromium = Prerequisites.command("chromium");
      String chromedriver = Prerequisites.command("chromedriver");
      Path profile = Files.createTempDirectory(TestInfra.scratch(), "chromium-profile");
      Files.createDirectories(SCREENSHOTS);
      driverService = new ChromeDriverService.Builder()
          .usingDriverExecutable(new File(chromedriver))
          .usingAnyFreePort()
          .withLogFile(Path.of("target", "chromedriver-extension-client.log").toAbsolutePath().toFile())
          .build();
      ChromeOptions options = new ChromeOptions();
      options.setBinary(chromium);
      options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--no-proxy-server", "--window-size=1000,1400",
          "--user-data-dir=" + profile.toAbsolutePath());
      browser = new ChromeDriver(driverService, options);
      browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    void stopBrowser() {
      try {
        if (browser != null) {
          browser.quit();
        }
      } finally {
        if (driverService != null) {
          driverService.stop();
        }
      }
    }

    @Test
    void pageFollowsATaskThroughAForcedReconnect() throws Exception {
      BrowserExtensionClient client = new BrowserExtensionClient(browser, proxy.url());
      forcedReconnect(client, "web");
      screenshot("extension-client");
    }

    @Test
    void pageReconnectingDuringAMariaDbOutageStillEndsAtSucceeded() throws Exception {
      BrowserExtensionClient client = new BrowserExtensionClient(browser, proxy.url());
      reconnectDuringOutage(client, "web");
      screenshot("extension-client-outage");
    }

    @Test
    void theSlugCheckIsDebounced() throws Exception {
      BrowserExtensionClient client = new BrowserExtensionClient(browser, proxy.url());
      client.open();
      String slug = "debounced-slug-" + RUN;
      int mark = proxy.mark();
      JsonObject check = client.checkSlug(slug);
      assertEquals(false, check.getBoolean("exists"), check.encode());
      assertEquals("available", check.getString("shown"));
      List<Exchange> asked = proxy.since(mark).stream().filter(e -> e.path().endsWith("/exists")).toList();
      assertFalse(asked.isEmpty());
      assertTrue(asked.size() < slug.length() / 2, "one check per pause, not per key: " + asked);
      assertTrue(asked.get(asked.size() - 1).path().endsWith("/slug/" + slug + "/exists"), asked.toString());
    }

    private void screenshot(String name) {
      if (browser == null) {
        return;
      }
      try {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
      } catch (Exception e) {
        System.err.println("screenshot " + name + " failed: " + e);
      }
    }
  }

  // ---- the two scenarios, for either client -------------------------------------------------------------------

  /** The whole §4.5 sequence; the proxy drops the SSE connection once, right after the docker_install event. */
  static void forcedReconnect(Client client, String variant) throws Exception {
    String slug = variant + "-reconnect-" + RUN;
    int mark = proxy.mark();
    CompletableFuture<Drop> drop = proxy.dropSseAfter(data -> "docker_install".equals(data.getString("phase")),
        () -> { });
    try {
      client.open();
      assertListsAreTheFarms(client.state(), "on load");

      // the debounced availability check, as the user types
      JsonObject invalid = client.checkSlug("1wiki");
      assertEquals(400, invalid.getInteger("status"), invalid.encode());
      assertTrue(invalid.getString("message").contains("start with a lowercase letter"),
          "a message a user understands for what the looser client check let through: " + invalid.encode());
      JsonObject taken = client.checkSlug(MINE_PUBLIC);
      assertEquals(true, taken.getBoolean("exists"), taken.encode());
      assertEquals("taken", taken.getString("reason"), taken.encode());
      JsonObject reserved = client.checkSlug("admin");
      assertEquals(true, reserved.getBoolean("exists"), reserved.encode());
      JsonObject free = client.checkSlug(slug);
      assertEquals(false, free.getBoolean("exists"), free.encode());

      String name = "Zoë 张三 wiki " + RUN;
      String taskId = client.createAndFollow(name, slug, "private");
      assertNotNull(taskId, () -> "202 with a task id: " + state(client).getValue("created"));
      JsonObject end = client.awaitEnd(TASK_TIMEOUT);
      Drop dropped = drop.get(5, TimeUnit.SECONDS);

      assertFollowedToTheEnd(end, taskId, dropped, proxy.since(mark));
      assertRequestsAreTheExtensions(proxy.since(mark), slug, taskId);
      assertListsAreTheFarms(end, "after the task");
      JsonArray mySlugs = end.getJsonArray("mySlugs");
      assertTrue(mySlugs.contains(slug), "the new wiki is in my list: " + mySlugs);
      assertFalse(end.getJsonArray("publicSlugs").contains(slug), "a private wiki is not in the public list");
      JsonObject mine = myWiki(end, slug);
      assertEquals("ready", mine.getString("status"), mine.encode());
      assertEquals(name, mine.getString("name"));
      assertStoredAsTheProxySaid(slug, taskId, "private");
    } finally {
      proxy.disarm();
    }
  }

  /**
   * The drop comes with MariaDB cut while the task runs (phase 5): the EventSource's reconnect lands during the
   * outage and must be served from the journal; MariaDB comes back a few seconds later and the task still ends.
   */
  static void reconnectDuringOutage(Client client, String variant) throws Exception {
    String slug = variant + "-outage-" + RUN;
    AtomicLong cutAt = new AtomicLong();
    int mark = proxy.mark();
    CompletableFuture<Drop> drop = proxy.dropSseAfter(data -> "docker_install".equals(data.getString("phase")),
        () -> {
          try {
            mariaDbLink.cut();
            cutAt.set(System.nanoTime());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    try {
      client.open();
      assertListsAreTheFarms(client.state(), "on load");
      assertEquals(false, client.checkSlug(slug).getBoolean("exists"));
      String taskId = client.createAndFollow("Outage " + RUN, slug, "public");
      assertNotNull(taskId, () -> "202 with a task id: " + state(client).getValue("created"));

      Drop dropped = drop.get(TASK_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      Exchange reconnect = awaitAnswer(dropped.exchange(), Duration.ofSeconds(30));
      long answeredAt = reconnect.respondedAt;
      ApiClient.Response ready = service.client.get("/ready");
      assertEquals(503, ready.status(), "MariaDB is really down: " + ready.body());
      assertEquals("unavailable", ready.json().getJsonObject("dependencies").getString("mariadb"), ready.body());
      // the reconnected stream lives on without MariaDB (through heartbeats) and carries the rest of the run
      // live; MariaDB stays down until the last phase is done, so the worker must also wait out the outage to
      // record the end
      awaitState(client, "the index phase done, during the outage", s -> objects(s.getJsonArray("events")).stream()
          .anyMatch(e -> "index".equals(e.getString("phase")) && e.getInteger("progress") >= 90));
      Thread.sleep(1500);
      assertEquals(503, service.client.get("/ready").status(), "MariaDB is still down");
      JsonObject beforeRestore = client.state();
      assertEquals(null, beforeRestore.getValue("status"), "the end needs MariaDB: " + beforeRestore.encode());
      long restoredAt = System.nanoTime();
      mariaDbLink.restore();

      JsonObject end = client.awaitEnd(TASK_TIMEOUT);
      assertEquals(200, reconnect.status, "the reconnect during the outage: " + reconnect);
      assertTrue(cutAt.get() != 0 && cutAt.get() < answeredAt && answeredAt < restoredAt,
          "the reconnect was answered while MariaDB was cut");
      assertFollowedToTheEnd(end, taskId, dropped, proxy.since(mark));
      assertRequestsAreTheExtensions(proxy.since(mark), slug, taskId);
      assertListsAreTheFarms(end, "after the task");
      assertTrue(end.getJsonArray("publicSlugs").contains(slug), "the new public wiki is listed: " + end.encode());
      assertEquals("ready", myWiki(end, slug).getString("status"));
      assertStoredAsTheProxySaid(slug, taskId, "public");
    } finally {
      mariaDbLink.restore();
      proxy.disarm();
    }
  }

  // ---- what is asserted -----------------------------------------------------------------------------------------

  /**
   * The client followed the task to its end: no fatal EventSource error; {@code succeeded} with the row's
   * message; 8/8 distinct phases (the ones after the drop counted too); its progress never went back; it got
   * every journal id exactly once, in order — the same list a full replay gives afterwards — and it got them
   * over two connections, the second opened with the Last-Event-ID of the last event of the first.
   */
  static void assertFollowedToTheEnd(JsonObject state, String taskId, Drop drop, List<Exchange> exchanges)
      throws Exception {
    String view = state.encodePrettily();
    System.out.println("client of task " + taskId + " (dropped after " + drop.lastForwardedId() + "):\n  "
        + objects(state.getJsonArray("events")).stream().map(JsonObject::encode).collect(Collectors.joining("\n  "))
        + "\nproxy log:\n  " + exchanges.stream().map(Exchange::toString).collect(Collectors.joining("\n  ")));
    assertEquals(List.of(), strings(state.getJsonArray("errors")), view);
    Row row = db.query("SELECT status, progress, message FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next();
    assertEquals("succeeded", row.getString("status"));
    assertEquals("succeeded", state.getString("status"), view);
    assertEquals(row.getString("message"), state.getString("message"), view);
    assertTrue(state.getBoolean("closed"), view);
    assertEquals(PHASES, strings(state.getJsonArray("phasesSeen")), "8 distinct phases, in order: " + view);
    assertEquals(8, state.getInteger("completed"), view);
    assertEquals(100, state.getInteger("progress"), view);

    List<JsonObject> events = objects(state.getJsonArray("events"));
    int previous = -1;
    for (JsonObject e : events) {
      int progress = e.getInteger("progress");
      assertTrue(progress >= previous, "the bar never goes back: " + view);
      previous = progress;
    }
    assertEquals("status", events.get(events.size() - 1).getString("type"), view);

    // every journal id exactly once: compared with a full replay of the journal, afterwards
    List<String> ids = strings(state.getJsonArray("eventIds"));
    SseClient.Stream replay = SseClient.read(service.app.httpPort(), taskId, null, Duration.ofSeconds(15));
    StreamAssertions.assertCompleteStream(taskId, replay, "succeeded", StreamAssertions.Ids.JOURNALED);
    List<String> journal = replay.events().stream().map(SseClient.Event::id).toList();
    Set<String> distinct = new HashSet<>(ids);
    List<String> duplicates = ids.stream().filter(id -> ids.indexOf(id) != ids.lastIndexOf(id)).distinct().toList();
    List<String> missing = journal.stream().filter(id -> !distinct.contains(id)).toList();
    assertAll("event ids seen by the client vs the journal",
        () -> assertEquals(List.of(), duplicates, "duplicate ids"),
        () -> assertEquals(List.of(), missing, "missing ids"),
        () -> assertEquals(journal, ids, "the client's ids are the journal's, in order"));

    // the drop really happened mid-task, and the EventSource resumed where it was cut
    assertTrue(drop.lastForwardedId() != null && journal.indexOf(drop.lastForwardedId()) >= 0
        && journal.indexOf(drop.lastForwardedId()) < journal.size() - 1,
        "dropped before the end: after " + drop.lastForwardedId() + " of " + journal);
    List<Exchange> streams = exchanges.stream().filter(e -> e.path().endsWith("/tasks/" + taskId + "/events")).toList();
    assertTrue(streams.size() >= 2, "a reconnect: " + streams);
    assertTrue(streams.get(0).dropped, streams.toString());
    assertEquals(streams.size(), state.getInteger("opens"), "every connection the client opened: " + streams);
    assertTrue(state.getInteger("reconnects") >= 1, view);
    List<String> firstConnection = events.stream().filter(e -> e.getInteger("conn") == 1)
        .map(e -> e.getString("id")).toList();
    assertFalse(firstConnection.isEmpty(), view);
    assertEquals(firstConnection.get(firstConnection.size() - 1), streams.get(1).lastEventId,
        "the reconnect carries the Last-Event-ID of the last event received: " + streams);
    assertTrue(events.stream().anyMatch(e -> e.getInteger("conn") >= 2 && "index".equals(e.getString("phase"))),
        "phases after the reconnect were counted: " + view);
    for (Exchange stream : streams) {
      assertEquals(200, stream.status, "an EventSource gives up on anything but 200: " + stream);
    }
  }

  /**
   * The requests are the extension's: each with the session cookie; each fetch with
   * {@code Content-Type: application/json} (GETs included), none with identity headers of its own; the create is
   * one POST with exactly name, slug and visibility; every answer a success except the slug check of
   * {@code 1wiki} (400); SSE answers carry SPEC §5's headers.
   */
  static void assertRequestsAreTheExtensions(List<Exchange> exchanges, String slug, String taskId) {
    String all = exchanges.stream().map(Exchange::toString).collect(Collectors.joining("\n"));
    for (Exchange e : exchanges) {
      assertTrue(e.cookie != null && e.cookie.contains(proxy.sessionCookie()), "cookies on every request: " + e);
      assertEquals(List.of(), e.clientIdentity, "the page sends no identity of its own: " + e);
      if (e.path().endsWith("/events")) {
        assertTrue(e.accept != null && e.accept.contains("text/event-stream"), e.toString());
        // SPEC §5's headers, which keep proxies from buffering the stream
        assertTrue(String.valueOf(e.responseHeaders.get("Content-Type")).startsWith("text/event-stream"), e.toString());
        assertEquals("no-cache", e.responseHeaders.get("Cache-Control"), e.toString());
        assertEquals("no", e.responseHeaders.get("X-Accel-Buffering"), e.toString());
      } else {
        assertEquals("application/json", e.contentType, "Content-Type on every request, GET included: " + e);
      }
      // "1wiki" passes the client's looser check; a debounce that fires mid-typing may also ask for "1wi"
      boolean expectedError = e.path().matches("/provisioner/v1/wikis/slug/1[a-z]*/exists");
      assertEquals(expectedError ? 400 : (e.method.equals("POST") ? 202 : 200), e.status, e + "\n" + all);
    }
    List<Exchange> posts = exchanges.stream().filter(e -> e.method.equals("POST")).toList();
    assertEquals(1, posts.size(), all);
    assertEquals("/provisioner/v1/wikis", posts.get(0).path());
    JsonObject body = new JsonObject(posts.get(0).body);
    assertEquals(Set.of("name", "slug", "visibility"), body.fieldNames(), "only name, slug and visibility: " + body);
    assertEquals(slug, body.getString("slug"));
    assertTrue(exchanges.stream().anyMatch(e -> e.method.equals("GET") && e.path().equals("/provisioner/v1/wikis/public")), all);
    assertTrue(exchanges.stream().anyMatch(e -> e.path().equals("/provisioner/v1/users/" + USER_ID + "/wikis")), all);
    assertTrue(exchanges.stream().anyMatch(e -> e.path().equals("/provisioner/v1/wikis/slug/" + slug + "/exists")), all);
    assertTrue(exchanges.stream().anyMatch(e -> e.path().equals("/provisioner/v1/tasks/" + taskId + "/events")), all);
  }

  /**
   * The client's two lists are what the farm holds right now: every ready public wiki (the first page, newest
   * first) and every wiki of user 42 in any status and visibility; nobody else's private or unlisted wiki. Links
   * follow §4.5 (the wiki's domain with the page's scheme).
   */
  static void assertListsAreTheFarms(JsonObject state, String when) throws Exception {
    List<String> expectedPublic = column("SELECT slug FROM wikifarm_wikis WHERE status = 'ready' AND visibility = 'public' "
        + "ORDER BY created_at DESC, id DESC LIMIT 20");
    List<String> expectedMine = column("SELECT slug FROM wikifarm_wikis WHERE owner_user_id = ? "
        + "ORDER BY created_at DESC, id DESC", USER_ID);
    String view = when + ": " + state.encodePrettily();
    assertEquals(List.of(), strings(state.getJsonArray("errors")), view);
    assertEquals(expectedPublic, strings(state.getJsonArray("publicSlugs")), view);
    assertEquals(expectedMine, strings(state.getJsonArray("mySlugs")), view);
    assertTrue(strings(state.getJsonArray("publicSlugs")).containsAll(List.of(MINE_PUBLIC, OTHER_PUBLIC)), view);
    assertTrue(strings(state.getJsonArray("mySlugs")).containsAll(List.of(MINE_PUBLIC, MINE_PRIVATE, MINE_PENDING)),
        view);
    for (JsonObject w : objects(state.getJsonArray("myWikis"))) {
      assertEquals(USER_ID, ((Number) w.getValue("owner_user_id")).longValue(), view);
      assertEquals(USER_NAME, w.getString("owner_username"), "the Chinese user name, decoded: " + view);
    }
    assertEquals("http://" + MINE_PRIVATE + "." + BASE_DOMAIN + "/",
        state.getJsonObject("links").getString(MINE_PRIVATE), view);
  }

  /** The rows say what the proxy injected: user 42 named 张三 Zoë (as UTF-8 bytes), and the default language. */
  static void assertStoredAsTheProxySaid(String slug, String taskId, String visibility) throws Exception {
    Row wiki = db.query("SELECT owner_user_id, owner_username, language, visibility, status FROM wikifarm_wikis "
        + "WHERE slug = ?", slug).iterator().next();
    assertEquals(USER_ID, wiki.getLong("owner_user_id"));
    assertEquals(USER_NAME, new String(wiki.getBuffer("owner_username").getBytes(), StandardCharsets.UTF_8));
    assertEquals("en", wiki.getString("language"), "the client sends no language: the default");
    assertEquals(visibility, wiki.getString("visibility"));
    assertEquals("ready", wiki.getString("status"));
    Row task = db.query("SELECT created_by_user_id, created_by_username FROM wikifarm_tasks WHERE id = ?", taskId)
        .iterator().next();
    assertEquals(USER_ID, task.getLong("created_by_user_id"));
    assertEquals(USER_NAME, new String(task.getBuffer("created_by_username").getBytes(), StandardCharsets.UTF_8));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static void awaitState(Client client, String what, java.util.function.Predicate<JsonObject> condition)
      throws Exception {
    long deadline = System.nanoTime() + TASK_TIMEOUT.toNanos();
    JsonObject state = client.state();
    while (!condition.test(state)) {
      if (System.nanoTime() > deadline || !state.getJsonArray("errors").isEmpty()) {
        throw new AssertionError("no " + what + ": " + state.encodePrettily());
      }
      Thread.sleep(50);
      state = client.state();
    }
  }

  /** The next connection of the stream after {@code dropped}, once the service has answered it. */
  private static Exchange awaitAnswer(Exchange dropped, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Exchange e : proxy.log()) {
        if (e.seq > dropped.seq && e.path().equals(dropped.path()) && e.status != 0) {
          return e;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no reconnect within " + timeout + ": " + proxy.log());
  }

  private static void seed(String slug, long owner, String ownerName, String visibility, String status)
      throws Exception {
    db.query("INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, owner_username, visibility, "
            + "status) VALUES (?, ?, ?, 'en', ?, ?, ?, ?)", "Seed " + slug, slug, slug + "." + BASE_DOMAIN, owner,
        Buffer.buffer(ownerName.getBytes(StandardCharsets.UTF_8)), visibility, status);
  }

  private static JsonObject myWiki(JsonObject state, String slug) {
    return objects(state.getJsonArray("myWikis")).stream().filter(w -> slug.equals(w.getString("slug"))).findFirst()
        .orElseThrow(() -> new AssertionError(slug + " not in my list: " + state.encode()));
  }

  private static JsonObject state(Client client) {
    try {
      return client.state();
    } catch (Exception e) {
      return new JsonObject().put("unreadable", e.toString());
    }
  }

  private static List<String> column(String sql, Object... params) throws Exception {
    List<String> out = new ArrayList<>();
    for (Row row : db.query(sql, params)) {
      out.add(row.getString(0));
    }
    return out;
  }

  static List<String> slugs(JsonArray wikis) {
    return objects(wikis).stream().map(w -> w.getString("slug")).toList();
  }

  static List<String> strings(JsonArray array) {
    return array == null ? null : array.stream().map(o -> o == null ? null : String.valueOf(o)).toList();
  }

  static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    array.forEach(o -> out.add((JsonObject) o));
    return out;
  }

  private static io.vertx.core.json.JsonArray sh(String script) {
    return new JsonArray().add(new JsonArray().add("sh").add("-c").add(script));
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.SEVERE);
    return logger;
  }
}

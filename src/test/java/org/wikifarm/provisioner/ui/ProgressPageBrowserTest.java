package org.wikifarm.provisioner.ui;

import org.wikifarm.provisioner.embedded.HostTools;
import org.wikifarm.provisioner.embedded.HostTools.Tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.Prerequisites;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * The progress page at {@code /} in a real headless Chromium (Debian's {@code chromium} + {@code chromedriver},
 * driven by Selenium) against the real service: embedded MariaDB + Redis, the {@code local} executor running
 * slow-ish shell commands so the progress is visible. A user fills the form, sees the live availability check,
 * submits, watches the bar and the phase labels move to 100 %, gets the link, finds the wiki in "my wikis" as
 * ready, and a reload re-attaches to the task from the URL hash. Failures and API errors land where they should.
 * At a laptop's 1280×900 and a phone's 375×812 the progress card comes into view right after the click and the
 * form is locked while the task runs; a failure stays red at the progress it reached. The owner deletes a wiki
 * from the list after typing its slug and watches the deletion like a creation. Screenshots of each go to
 * {@code target/screenshots/}.
 */
@HostTools.Required({Tool.CHROMIUM})
class ProgressPageBrowserTest {
  private static final Duration TASK_TIMEOUT = Duration.ofSeconds(90);
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private static RunningService service;
  private static ChromeDriverService driverService;
  private static ChromeDriver browser;
  private static Path profile;
  private static String page;
  private static final long OWNER_ID = 700_000_000L + ThreadLocalRandom.current().nextInt(1_000_000);
  private static final String RUN = Long.toString(System.nanoTime() % 100_000, 36);

  // Selenium warns that it has no CDP bindings for this Chromium version; the test uses WebDriver only
  private static final Logger QUIET_CDP = quiet("org.openqa.selenium.devtools");
  private static final Logger QUIET_CHROMIUM = quiet("org.openqa.selenium.chromium.ChromiumDriver");

  @RegisterExtension
  final TestWatcher screenshotOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      screenshot("failed-" + context.getRequiredTestMethod().getName());
    }
  };

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata(); // no leftover queued tasks of other classes for this node's worker
    String chromium = Prerequisites.command("chromium");
    String chromedriver = Prerequisites.command("chromedriver");
    // slugs starting with "fail" fail in docker_install (the local executor runs in the wiki dir <farm>/<slug>)
    service = RunningService.start(json -> json.getJsonObject("executor")
        .put("install-commands", new JsonArray()
            .add(new JsonArray().add("sh").add("-c").add(
                "case \"$(basename \"$PWD\")\" in fail*) echo 'fatal: cannot install the demo' >&2; exit 3;; esac; "
                    + "for i in 1 2 3; do echo step $i of 3; sleep 0.5; done")))
        .put("index-commands", new JsonArray()
            .add(new JsonArray().add("sh").add("-c").add("echo indexing; sleep 0.4; echo indexed"))));
    page = "http://127.0.0.1:" + service.app.httpPort() + "/";

    profile = Files.createTempDirectory(TestInfra.scratch(), "chromium-profile");
    Files.createDirectories(SCREENSHOTS);
    driverService = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(chromedriver))
        .usingAnyFreePort()
        .withLogFile(Path.of("target", "chromedriver.log").toAbsolutePath().toFile())
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-proxy-server", "--window-size=1280,900", "--user-data-dir=" + profile.toAbsolutePath());
    browser = new ChromeDriver(driverService, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      if (driverService != null) {
        driverService.stop();
      }
      if (service != null) {
        service.close();
      }
    }
  }

  /** A fresh page acting as this run's user (typed into the dev identity fields, as a person would). */
  @BeforeEach
  void openPage() {
    openPage("1280x900");
  }

  private static void openPage(String size) {
    viewport(size);
    browser.get(page);
    type("owner-id", Long.toString(OWNER_ID));
    type("owner-name", "Browser Tester");
    byId("name").click(); // blur: the identity is saved and the list reloads
    waitFor("the identity is stored", () -> String.valueOf(js("return localStorage.getItem(arguments[0])",
        "wikifarm.provisioner.actingAs")).contains("\"id\":" + OWNER_ID));
  }

  @Test
  void slugAvailabilityIsCheckedAsYouType() throws Exception {
    ApiClient.Response taken = service.client.postJson("/provisioner/v1/wikis", new JsonObject()
        .put("name", "Someone Else's").put("slug", "taken-" + RUN)
        .put("owner", new JsonObject().put("id", 2).put("username", "Other")).encode());
    assertEquals(202, taken.status(), taken.body());

    type("slug", "admin");
    waitForSlugState("reserved");
    assertTrue(text("slug-status").startsWith("reserved"), text("slug-status"));

    type("slug", "taken-" + RUN);
    waitForSlugState("taken");
    assertTrue(text("slug-status").startsWith("taken"), text("slug-status"));

    type("slug", "x");
    waitForSlugState("invalid");
    assertFalse(text("slug-status").isBlank(), "the API's 400 message is shown");

    type("slug", "free-" + RUN);
    waitForSlugState("available");
    assertEquals("available", text("slug-status"));
  }

  @Test
  void createWatchProgressSucceedAndFindTheWikiInTheList() throws Exception {
    String slug = "ui-" + RUN;
    type("name", "Browser Wiki " + RUN);
    type("slug", slug);
    waitForSlugState("available");
    type("language", "de");
    byId("visibility").findElement(By.cssSelector("option[value=unlisted]")).click();
    byId("submit").click();

    waitFor("the progress section after the 202", () -> byId("task").isDisplayed()
        || !text("form-error").isEmpty() || !text("slug-error").isEmpty());
    assertTrue(byId("task").isDisplayed(), "form error=" + text("form-error") + " slug error=" + text("slug-error"));
    // while it runs, the form is cleared and locked: the same values again would only be refused
    assertEquals("", byId("name").getDomProperty("value"));
    assertEquals("", byId("slug").getDomProperty("value"));
    assertFalse(byId("submit").isEnabled(), "the submit button is locked while the task runs");

    // follow the live progress: the bar moves through intermediate values and the phases get human labels
    Set<Integer> values = new LinkedHashSet<>();
    Set<String> phases = new LinkedHashSet<>();
    long deadline = System.nanoTime() + TASK_TIMEOUT.toNanos();
    while (!"succeeded".equals(byId("result").getAttribute("class"))) {
      if (System.nanoTime() > deadline || "failed".equals(byId("result").getAttribute("class"))) {
        fail("the task did not succeed in the page: result=" + text("result") + " log=" + text("log"));
      }
      values.add(Integer.parseInt(byId("bar").getDomProperty("value")));
      if (phases.add(text("phase")) && text("phase").equals("Installing MediaWiki")) {
        screenshot("progress-page-running");
      }
      sleep(40);
    }
    assertTrue(values.stream().anyMatch(v -> v > 0 && v < 100), "the bar showed intermediate progress: " + values);
    assertTrue(phases.contains("Installing MediaWiki"), "phase labels were shown: " + phases);
    List<Integer> ordered = new ArrayList<>(values);
    for (int i = 1; i < ordered.size(); i++) {
      assertTrue(ordered.get(i) >= ordered.get(i - 1), "the bar never goes back: " + ordered);
    }

    assertEquals("100", byId("bar").getDomProperty("value"));
    assertEquals("100 %", text("percent"));
    assertEquals("Done", text("phase"));
    assertTrue(byId("submit").isEnabled() && byId("name").isEnabled(), "the form is free again");
    assertTrue(currentHash().startsWith("#task="), "the task id is in the URL: " + currentHash());
    WebElement link = waitForElement("wiki-link");
    assertEquals("https://" + slug + ".wiki.test/", link.getAttribute("href"));
    String log = text("log");
    assertTrue(log.contains("step 3 of 3") && log.contains("indexed"), "command output is logged: " + log);

    WebElement row = waitForRow(slug, "ready");
    assertEquals("de", row.findElements(By.tagName("td")).get(2).getText());
    assertTrue(row.getText().contains("Browser Wiki " + RUN), row.getText());
    screenshot("progress-page");

    // a reload re-attaches to the task from the hash and replays it to the end
    String hash = currentHash();
    browser.navigate().refresh();
    waitFor("the reloaded page shows the finished task", () -> "succeeded".equals(byId("result").getAttribute("class")));
    assertEquals(hash, currentHash());
    assertEquals("100", byId("bar").getDomProperty("value"));
    assertEquals(hash.substring("#task=".length()), text("task-id"));
    assertTrue(text("log").contains("step 3 of 3"), text("log"));
    assertEquals("https://" + slug + ".wiki.test/", waitForElement("wiki-link").getAttribute("href"));
  }

  /** The click, then within a second the progress card is where the eye is, at a laptop's and a phone's size. */
  @ParameterizedTest
  @ValueSource(strings = {"1280x900", "375x812"})
  void theProgressCardComesIntoViewAndTheFormIsLocked(String size) {
    openPage(size);
    String slug = "view-" + size.replace('x', '-') + "-" + RUN;
    type("name", "In View " + RUN);
    type("slug", slug);
    waitForSlugState("available");
    assertFalse(inViewport("task") && byId("task").isDisplayed(), "the card starts out of sight or hidden");
    byId("submit").click();
    long clicked = System.nanoTime();
    while (!(byId("task").isDisplayed() && inViewport("bar"))) {
      if (System.nanoTime() - clicked > 1_000_000_000L) {
        screenshot("not-in-view-" + size);
        fail("the progress bar is not in the " + size + " viewport 1 s after the click: " + js(
            "const r = document.getElementById('bar').getBoundingClientRect(); return [r.top, r.bottom, innerHeight]"));
      }
      sleep(20);
    }
    assertFalse(byId("name").isEnabled() || byId("submit").isEnabled(), "the form is locked while the task runs");
    assertEquals("", byId("slug").getDomProperty("value"), "the form was cleared");
    assertNoHorizontalScroll(size);
    screenshot("progress-" + size + "-running");
    waitFor("the task ends", () -> "succeeded".equals(byId("result").getAttribute("class")));
    assertTrue(byId("name").isEnabled() && byId("submit").isEnabled(), "the form is free again");
    screenshot("progress-" + size + "-done");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1280x900", "375x812"})
  void aFailedTaskStaysRedAtTheProgressItReachedWithItsMessageOnce(String size) {
    openPage(size);
    String slug = "fail-" + size.replace('x', '-') + "-" + RUN;
    type("name", "Doomed " + RUN);
    type("slug", slug);
    waitForSlugState("available");
    byId("submit").click();
    waitFor("the task fails", () -> "failed".equals(byId("result").getAttribute("class")));
    String result = text("result");
    assertTrue(result.contains("fatal: cannot install the demo"), result);
    assertEquals("Failed", text("phase"));
    assertTrue(byId("result").getCssValue("color").startsWith("rgba(207, 34, 46"), byId("result").getCssValue("color"));
    // the bar: red, at the real progress of the failed phase (the terminal event carries it), not 100
    int value = Integer.parseInt(byId("bar").getDomProperty("value"));
    assertTrue(value > 0 && value < 100, "the bar shows the progress reached, not " + value);
    assertEquals(value + " %", text("percent"));
    assertEquals("rgb(207, 34, 46)", byId("bar").getCssValue("accent-color"), "the bar is red");
    assertTrue(byId("percent").getCssValue("color").startsWith("rgba(207, 34, 46"), "so is its number");
    // the message once: in the result, not again as the current step or in the log
    String message = result.substring("Failed: ".length());
    String page = byId("task").getText();
    assertEquals(page.indexOf(message), page.lastIndexOf(message), "the failure message appears once:\n" + page);
    assertTrue(byId("submit").isEnabled(), "the form is free again");
    assertNoHorizontalScroll(size);
    screenshot("progress-" + size + "-failed");
    // the pending row is rolled back: the slug is free again and the wiki is not in the list
    waitForSlugStateAfterTyping(slug, "available");
    assertTrue(browser.findElements(By.cssSelector("#wikis tr[data-slug='" + slug + "']")).isEmpty());
  }

  /**
   * The owner deletes a wiki from "my wikis": the confirmation wants the slug exactly, then the deletion's phases
   * run in the same progress card as a creation, and the wiki is gone from the list, the database and the farm.
   */
  @ParameterizedTest
  @ValueSource(strings = {"1280x900", "375x812"})
  void theOwnerDeletesAWikiAfterTypingItsSlugAndWatchesItGo(String size) throws Exception {
    openPage(size);
    String slug = "del-" + size.replace('x', '-') + "-" + RUN;
    type("name", "Short-lived " + RUN);
    type("slug", slug);
    waitForSlugState("available");
    byId("submit").click();
    waitFor("the creation succeeds", () -> "succeeded".equals(byId("result").getAttribute("class")));
    WebElement row = waitForRow(slug, "ready");
    assertTrue(Files.isDirectory(service.farm.resolve("wikis").resolve(slug)), "the wiki's directory exists before");

    // the confirmation: focused on the field, the confirm button disabled until the slug is typed exactly
    row.findElement(By.cssSelector("button.delete")).click();
    waitFor("the confirmation", () -> byId("delete-dialog").isDisplayed());
    assertEquals(byId("delete-confirm"), browser.switchTo().activeElement(), "the slug field has the focus");
    assertTrue(text("delete-title").contains("Short-lived " + RUN), text("delete-title"));
    assertFalse(byId("delete-submit").isEnabled(), "disabled before anything is typed");
    type("delete-confirm", slug + "x");
    assertFalse(byId("delete-submit").isEnabled(), "disabled for a wrong slug");
    assertEquals("true", byId("delete-confirm").getAttribute("aria-invalid"));
    type("delete-confirm", slug.toUpperCase());
    assertFalse(byId("delete-submit").isEnabled(), "the match is exact");
    byId("delete-confirm").sendKeys(Keys.ENTER); // Enter does not get past a disabled confirm button
    assertTrue(byId("delete-dialog").isDisplayed(), "still asking");
    assertNoHorizontalScroll(size);
    assertEquals(Boolean.TRUE, js("const t = document.querySelector('.table-scroll');"
        + " return t.scrollWidth <= t.clientWidth"), "the list with its Delete buttons fits " + size);
    screenshot("delete-" + size + "-confirm-wrong");
    type("delete-confirm", slug);
    assertTrue(byId("delete-submit").isEnabled(), "enabled for the exact slug");
    screenshot("delete-" + size + "-confirm");

    // a refusal (409: made busy behind the page's back) is shown once, in the dialog, which stays open
    String setStatus = "UPDATE wikifarm_wikis SET status = '%s' WHERE slug = '" + slug + "'";
    TestInfra.mariaDb().run(setStatus.formatted("pending"), EmbeddedMariaDb.METADATA_DB);
    byId("delete-submit").click();
    waitFor("the refusal", () -> !text("delete-error").isEmpty());
    String refusal = text("delete-error");
    assertTrue(refusal.contains("still being created"), refusal);
    assertTrue(byId("delete-dialog").isDisplayed(), "the dialog stays open");
    String body = browser.findElement(By.tagName("body")).getText();
    assertEquals(body.indexOf(refusal), body.lastIndexOf(refusal), "the refusal appears once:\n" + body);
    assertEquals("Creating a wiki", text("task-what"), "no deletion is followed");
    assertTrue(byId("delete-submit").isEnabled(), "the slug still matches: it can be tried again");
    screenshot("delete-" + size + "-refused");
    TestInfra.mariaDb().run(setStatus.formatted("ready"), EmbeddedMariaDb.METADATA_DB);
    // the deletion's phases are quick here: the page itself records every label and bar value it shows
    js("window.shown = {phases: [], bars: []}; new MutationObserver(() => {"
        + " const p = document.getElementById('phase').textContent;"
        + " if (shown.phases[shown.phases.length - 1] !== p) shown.phases.push(p);"
        + " const v = document.getElementById('bar').getAttribute('aria-valuetext');"
        + " if (shown.bars[shown.bars.length - 1] !== v) shown.bars.push(v);"
        + "}).observe(document.getElementById('task'), {subtree: true, childList: true, characterData: true,"
        + " attributes: true})");
    byId("delete-submit").click();

    // the live progress, in the progress card, brought into view
    waitFor("the deletion's progress card", () -> !byId("delete-dialog").isDisplayed()
        && text("task-what").startsWith("Deleting"));
    assertTrue(text("delete-error").isEmpty(), text("delete-error"));
    assertEquals("Deleting " + slug, text("task-what"));
    assertTrue(currentHash().startsWith("#delete="), currentHash());
    Set<String> phases = new LinkedHashSet<>();
    Set<Integer> values = new LinkedHashSet<>();
    boolean screenshotTaken = false;
    long deadline = System.nanoTime() + TASK_TIMEOUT.toNanos();
    while (!"succeeded".equals(byId("result").getAttribute("class"))) {
      if (System.nanoTime() > deadline || "failed".equals(byId("result").getAttribute("class"))) {
        fail("the deletion did not succeed in the page: result=" + text("result") + " log=" + text("log"));
      }
      phases.add(text("phase"));
      values.add(Integer.parseInt(byId("bar").getDomProperty("value")));
      if (!screenshotTaken && inViewport("bar")) {
        screenshot("delete-" + size + "-progress");
        screenshotTaken = true;
      }
      sleep(20);
    }
    assertTrue(inViewport("task-title") || inViewport("bar"), "the progress card is in view");
    @SuppressWarnings("unchecked")
    List<String> shownPhases = (List<String>) js("return shown.phases");
    assertTrue(shownPhases.containsAll(List.of("Archiving", "Dropping the database", "Removing keys",
        "Removing files")), "the deletion's phases were shown live with their labels: " + shownPhases + " / " + phases);
    @SuppressWarnings("unchecked")
    List<String> shownBars = (List<String>) js("return shown.bars");
    assertTrue(shownBars.stream().anyMatch(v -> !v.equals("0 %") && !v.equals("100 %")),
        "the bar showed intermediate progress: " + shownBars + " / " + values);
    assertEquals("100", byId("bar").getDomProperty("value"));
    assertEquals("Done", text("phase"));
    assertEquals("The wiki " + slug + " was deleted.", text("result"));
    String log = text("log");
    assertTrue(log.indexOf("drop database") >= 0 && log.indexOf("remove wiki directory") > log.indexOf(
        "drop database"), "the deletion's steps are logged in order: " + log);
    List<Integer> ordered = new ArrayList<>(values);
    for (int i = 1; i < ordered.size(); i++) {
      assertTrue(ordered.get(i) >= ordered.get(i - 1), "the bar never goes back: " + ordered);
    }

    // gone: from the list (refreshed by the page), from the database, from the farm
    By rowOf = By.cssSelector("#wikis tr[data-slug='" + slug + "']");
    waitFor("the wiki leaves 'my wikis'", () -> browser.findElements(rowOf).isEmpty());
    byId("refresh").click();
    sleep(300);
    assertTrue(browser.findElements(rowOf).isEmpty(), "still gone after a refresh");
    assertEquals(List.of(), TestInfra.mariaDb().queryColumn("SELECT id FROM wikifarm_wikis WHERE slug = '" + slug
        + "'", EmbeddedMariaDb.METADATA_DB), "the wiki row is deleted");
    assertFalse(Files.exists(service.farm.resolve("wikis").resolve(slug)), "the wiki's directory is removed");
    assertTrue(byId("submit").isEnabled(), "the form is free again");
    assertNoHorizontalScroll(size);
    screenshot("delete-" + size + "-done");
    waitForSlugStateAfterTyping(slug, "available");
  }

  @Test
  void theIconIsServed() throws Exception {
    ApiClient.Response ico = service.client.get("/favicon.ico");
    assertEquals(200, ico.status());
    assertTrue(ico.headers().firstValue("content-type").orElse("").startsWith("image/"), ico.headers().toString());
    assertEquals(200, service.client.get("/favicon.svg").status());
    assertEquals("favicon.svg", String.valueOf(js(
        "return document.querySelector('link[rel=icon]').getAttribute('href')")));
  }

  /** Behind a forward-auth proxy the page does not offer owner fields the service would ignore. */
  @Test
  void inHeadersModeThePageSaysTheProxySuppliesTheUser() throws Exception {
    try (RunningService proxied = RunningService.startApiOnly(
        json -> json.getJsonObject("http").put("identity", "headers"))) {
      ApiClient.Response ui = proxied.client.get("/ui.json", "X-Auth-User-Id", "42", "X-Auth-User", "Zo%C3%AB");
      assertEquals(new JsonObject().put("identity", "headers").put("user",
          new JsonObject().put("id", 42).put("username", "Zoë")), ui.json());
      browser.get("http://127.0.0.1:" + proxied.app.httpPort() + "/"); // no proxy here: no user supplied
      waitFor("the proxy notice", () -> byId("proxy-identity").isDisplayed());
      assertFalse(byId("body-identity").isDisplayed(), "no owner fields");
      assertTrue(text("proxy-user").contains("supplied no user"), text("proxy-user"));
      assertTrue(text("identity-title").contains("proxy"), text("identity-title"));
      screenshot("progress-page-headers-mode");
    }
    assertEquals(new JsonObject().put("identity", "body"), service.client.get("/ui.json").json());
  }

  @Test
  void apiErrorsAppearNextToTheirField() throws Exception {
    type("name", "Bad [name]");
    type("slug", "ok-" + RUN);
    byId("submit").click();
    waitFor("a name error", () -> !text("name-error").isEmpty());
    assertEquals("true", byId("name").getAttribute("aria-invalid"));
    assertTrue(byId("form-error").getAttribute("hidden") != null, "not shown at the top");
    assertTrue(byId("task").getAttribute("hidden") != null, "no task was started");

    ApiClient.Response other = service.client.postJson("/provisioner/v1/wikis", new JsonObject()
        .put("name", "Theirs").put("slug", "dup-" + RUN)
        .put("owner", new JsonObject().put("id", 2).put("username", "Other")).encode());
    assertEquals(202, other.status(), other.body());
    type("name", "Good name");
    type("slug", "dup-" + RUN);
    type("language", "xx-not-a-language");
    byId("submit").click();
    waitFor("a language error", () -> !text("language-error").isEmpty());
    assertTrue(text("name-error").isEmpty(), "the old error was cleared");
    type("language", "fr");
    byId("submit").click();
    waitFor("a slug error (409)", () -> text("slug-error").contains("already taken"));
    assertEquals("true", byId("slug").getAttribute("aria-invalid"));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** Sets the page's viewport (not the window) to "WIDTHxHEIGHT" CSS pixels. */
  private static void viewport(String size) {
    int width = Integer.parseInt(size.substring(0, size.indexOf('x')));
    int height = Integer.parseInt(size.substring(size.indexOf('x') + 1));
    browser.manage().window().setSize(new Dimension(width, height));
    long innerWidth = (Long) js("return innerWidth");
    long innerHeight = (Long) js("return innerHeight");
    if (innerWidth != width || innerHeight != height) { // a window frame: grow the window by it
      browser.manage().window().setSize(new Dimension(2 * width - (int) innerWidth, 2 * height - (int) innerHeight));
    }
    assertEquals(List.of((long) width, (long) height), List.of((Long) js("return innerWidth"),
        (Long) js("return innerHeight")), "viewport " + size);
  }

  /** The element is entirely inside the viewport (scrolling finished or not). */
  private static boolean inViewport(String id) {
    return Boolean.TRUE.equals(js("const r = document.getElementById(arguments[0]).getBoundingClientRect(); "
        + "return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth", id));
  }

  private static void assertNoHorizontalScroll(String size) {
    assertEquals(Boolean.TRUE, js("return document.documentElement.scrollWidth <= innerWidth"),
        "nothing is wider than the " + size + " viewport");
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.SEVERE);
    return logger;
  }

  private static WebElement byId(String id) {
    return browser.findElement(By.id(id));
  }

  private static String text(String id) {
    return byId(id).getText().strip();
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  private static String currentHash() {
    return String.valueOf(js("return location.hash"));
  }

  /** Replaces a field's content with real key presses (so input/change events fire as for a person). */
  private static void type(String id, String value) {
    WebElement field = byId(id);
    field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
    field.sendKeys(value);
  }

  private static void waitForSlugState(String state) {
    waitFor("slug status '" + state + "'", () -> state.equals(byId("slug-status").getAttribute("data-state")));
  }

  private static void waitForSlugStateAfterTyping(String slug, String state) {
    type("slug", slug + "x");
    type("slug", slug);
    waitForSlugState(state);
  }

  private static WebElement waitForElement(String id) {
    waitFor("#" + id, () -> !browser.findElements(By.id(id)).isEmpty());
    return byId(id);
  }

  private static WebElement waitForRow(String slug, String status) {
    By row = By.cssSelector("#wikis tr[data-slug='" + slug + "']");
    waitFor("'" + slug + "' listed as " + status, () -> browser.findElements(row).stream()
        .anyMatch(r -> r.findElement(By.cssSelector(".badge")).getText().equals(status)));
    return browser.findElement(row);
  }

  private static void waitFor(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TASK_TIMEOUT.toNanos();
    WebDriverException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (WebDriverException e) { // e.g. a stale element while the page re-renders
        last = e;
      }
      sleep(50);
    }
    fail("timed out waiting for " + what + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void screenshot(String name) {
    if (browser == null) {
      return;
    }
    try {
      Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    } catch (Exception e) {
      System.err.println("screenshot " + name + " failed: " + e);
    }
  }
}

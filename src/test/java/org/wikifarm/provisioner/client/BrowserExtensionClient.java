package org.wikifarm.provisioner.client;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The test page in a real headless Chromium: loads it through the proxy, types into the form as a person does
 * (so the debounced check runs on real input events) and reads back {@code window.clientState}.
 */
final class BrowserExtensionClient implements ExtensionClientTest.Client {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

  private final ChromeDriver browser;
  private final String url;
  private int loadsBeforeTheTask;

  BrowserExtensionClient(ChromeDriver browser, String url) {
    this.browser = browser;
    this.url = url;
  }

  @Override
  public void open() {
    browser.get(url);
    waitFor("the two lists", STEP_TIMEOUT, () -> state().getInteger("listLoads") >= 1
        || !state().getJsonArray("errors").isEmpty());
  }

  @Override
  public JsonObject checkSlug(String slug) {
    int before = state().getJsonArray("slugChecks").size();
    type("slug", slug);
    JsonObject[] found = new JsonObject[1];
    waitFor("the availability check of " + slug, STEP_TIMEOUT, () -> {
      JsonArray checks = state().getJsonArray("slugChecks");
      for (int i = before; i < checks.size(); i++) {
        if (slug.equals(checks.getJsonObject(i).getString("slug"))) {
          found[0] = checks.getJsonObject(i);
          return true;
        }
      }
      return false;
    });
    // what the user sees next to the field once the answer for the current input is in
    waitFor("the check shown for " + slug, STEP_TIMEOUT, () -> !text("slug-check").isEmpty());
    return found[0].put("shown", text("slug-check"));
  }

  @Override
  public String createAndFollow(String name, String slug, String visibility) {
    type("name", name);
    if (!slug.equals(browser.findElement(By.id("slug")).getDomProperty("value"))) {
      type("slug", slug);
    }
    browser.findElement(By.cssSelector("#visibility option[value='" + visibility + "']")).click();
    loadsBeforeTheTask = state().getInteger("listLoads");
    browser.findElement(By.id("submit")).click();
    waitFor("the answer to the POST", STEP_TIMEOUT, () -> state().getValue("created") != null);
    JsonObject created = state().getJsonObject("created");
    return created.getInteger("status") == 202 ? created.getString("taskId") : null;
  }

  @Override
  public JsonObject awaitEnd(Duration timeout) {
    waitFor("the status event (or a fatal EventSource error)", timeout,
        () -> state().getBoolean("closed") || !state().getJsonArray("errors").isEmpty());
    // the page reloads its lists after the end; wait for that too
    waitFor("the lists reloaded", STEP_TIMEOUT, () -> state().getInteger("listLoads") > loadsBeforeTheTask
        || !state().getJsonArray("errors").isEmpty());
    return state();
  }

  @Override
  public JsonObject state() {
    Object json = ((JavascriptExecutor) browser).executeScript(
        "return window.clientState ? JSON.stringify(window.clientState) : null");
    if (json == null) {
      return new JsonObject().put("listLoads", 0).put("errors", new JsonArray()).put("slugChecks", new JsonArray())
          .put("closed", false).putNull("created");
    }
    return new JsonObject((String) json);
  }

  String text(String id) {
    return browser.findElement(By.id(id)).getText().strip();
  }

  /** Replaces a field's content with real key presses (input events fire as for a person). */
  private void type(String id, String value) {
    WebElement field = browser.findElement(By.id(id));
    field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
    field.sendKeys(value);
  }

  static void waitFor(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    WebDriverException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (WebDriverException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    fail("timed out waiting for " + what + (last == null ? "" : " (last error: " + last.getMessage() + ")"));
  }

  @Override
  public void close() {
    // the browser belongs to the test class
  }
}

package org.wikifarm.provisioner.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code client.js} replayed with {@code java.net.http}, call for call, deriving the same state (the same JSON
 * shape as {@code window.clientState}): the page load (which sets the session cookie), the two lists, the slug
 * check, the create with only name/slug/visibility, and an EventSource that follows the HTML standard's rules —
 * {@code retry:}, {@code id:} kept across events and connections, a reconnect with {@code Last-Event-ID} after a
 * network error, and giving up for good on any non-200 answer or wrong content type.
 */
final class JavaExtensionClient implements ExtensionClientTest.Client {
  private static final String API = "/provisioner/v1";
  private static final Pattern MW_CONFIG = Pattern.compile(
      "<script id=\"mw-config\" type=\"application/json\">(.*?)</script>", Pattern.DOTALL);
  private static final Pattern SLUG_CHECK = Pattern.compile("^[a-z0-9-]{3,120}$");

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final JsonObject state = new JsonObject();
  private JsonObject mw;
  private volatile InputStream currentStream;
  private volatile boolean aborted;
  private final ExecutorService eventSourceThread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "java-event-source");
    t.setDaemon(true);
    return t;
  });
  private Future<?> following;

  JavaExtensionClient(String pageUrl) {
    this.base = pageUrl.replaceAll("/$", "");
  }

  record Answer(int status, JsonObject json, String text) {
    String errorMessage() {
      return json != null && json.getJsonObject("error") != null
          ? json.getJsonObject("error").getString("message") : "HTTP " + status + " " + text;
    }
  }

  @Override
  public synchronized JsonObject state() {
    return state.copy();
  }

  /** Loads the page: the session cookie, and mw.config as MediaWiki rendered it; then the two lists. */
  @Override
  public void open() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).GET()
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (page.statusCode() != 200) {
      throw new IllegalStateException("page: HTTP " + page.statusCode());
    }
    Matcher m = MW_CONFIG.matcher(page.body());
    if (!m.find()) {
      throw new IllegalStateException("no mw-config in the page");
    }
    mw = new JsonObject(m.group(1));
    synchronized (this) {
      state.put("userId", mw.getValue("wgUserId")).put("userName", mw.getString("wgUserName"))
          .putNull("publicSlugs").putNull("mySlugs").putNull("myWikis").put("links", new JsonObject())
          .put("listLoads", 0).put("slugChecks", new JsonArray()).putNull("created").putNull("taskId")
          .put("opens", 0).put("reconnects", 0).put("phasesSeen", new JsonArray()).put("completed", 0)
          .put("progress", 0).put("events", new JsonArray()).put("eventIds", new JsonArray()).putNull("status")
          .putNull("message").put("closed", false).put("errors", new JsonArray());
    }
    loadLists();
  }

  /** Every request, GET included, with the JSON content type; cookies come from the cookie manager. */
  Answer api(String method, String path, JsonObject body, String... extraHeaders) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + API + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8));
    for (int i = 0; i < extraHeaders.length; i += 2) {
      request.header(extraHeaders[i], extraHeaders[i + 1]);
    }
    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    JsonObject json = null;
    try {
      json = r.body().isEmpty() ? null : new JsonObject(r.body());
    } catch (RuntimeException e) {
      json = null;
    }
    return new Answer(r.statusCode(), json, r.body());
  }

  private String link(JsonObject wiki) {
    String domain = wiki.getString("domain");
    return "http://" + (domain != null && !domain.isEmpty() ? domain : wiki.getString("slug") + "."
        + mw.getString("baseDomain")) + "/";
  }

  void loadLists() throws Exception {
    Answer pub = api("GET", "/wikis/public", null);
    Answer mine = api("GET", "/users/" + URLEncoder.encode(String.valueOf(mw.getValue("wgUserId")),
        StandardCharsets.UTF_8) + "/wikis", null);
    synchronized (this) {
      if (pub.status() != 200) {
        fail("public list: " + pub.errorMessage());
        return;
      }
      if (mine.status() != 200) {
        fail("my list: " + mine.errorMessage());
        return;
      }
      JsonObject links = state.getJsonObject("links");
      JsonArray publicSlugs = new JsonArray();
      for (Object o : pub.json().getJsonArray("wikis")) {
        JsonObject w = (JsonObject) o;
        publicSlugs.add(w.getString("slug"));
        links.put(w.getString("slug"), link(w));
      }
      JsonArray mySlugs = new JsonArray();
      JsonArray myWikis = new JsonArray();
      for (Object o : mine.json().getJsonArray("wikis")) {
        JsonObject w = (JsonObject) o;
        mySlugs.add(w.getString("slug"));
        links.put(w.getString("slug"), link(w));
        myWikis.add(new JsonObject().put("slug", w.getString("slug")).put("name", w.getString("name"))
            .put("status", w.getString("status")).put("visibility", w.getString("visibility"))
            .put("owner_user_id", w.getValue("owner_user_id")).put("owner_username", w.getString("owner_username"))
            .put("language", w.getString("language")));
      }
      state.put("publicSlugs", publicSlugs).put("mySlugs", mySlugs).put("myWikis", myWikis)
          .put("listLoads", state.getInteger("listLoads") + 1);
    }
  }

  /** The check the form runs once typing pauses (the debounce is the browser variant's concern). */
  @Override
  public JsonObject checkSlug(String slug) throws Exception {
    if (!SLUG_CHECK.matcher(slug).matches()) {
      throw new IllegalArgumentException("the client's own check rejects " + slug + "; it would not ask");
    }
    Answer r = api("GET", "/wikis/slug/" + URLEncoder.encode(slug, StandardCharsets.UTF_8) + "/exists", null);
    JsonObject check = new JsonObject().put("slug", slug).put("status", r.status());
    if (r.status() == 200) {
      check.put("exists", r.json().getBoolean("exists")).put("reason", r.json().getString("reason"));
    } else {
      check.put("message", r.errorMessage());
    }
    synchronized (this) {
      state.getJsonArray("slugChecks").add(check);
    }
    return check;
  }

  /** The form's submit: the POST, then the EventSource (on its own thread, as the browser's is). */
  @Override
  public String createAndFollow(String name, String slug, String visibility) throws Exception {
    String taskId = create(name, slug, visibility);
    if (taskId != null) {
      following = eventSourceThread.submit(() -> {
        follow(taskId);
        return null;
      });
    }
    return taskId;
  }

  @Override
  public JsonObject awaitEnd(Duration timeout) throws Exception {
    if (following != null) {
      try {
        following.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        abort();
        fail("no end within " + timeout);
      }
    }
    return state();
  }

  String create(String name, String slug, String visibility) throws Exception {
    Answer r = api("POST", "/wikis", new JsonObject().put("name", name).put("slug", slug).put("visibility", visibility));
    synchronized (this) {
      JsonObject created = new JsonObject().put("status", r.status())
          .put("taskId", r.json() == null ? null : r.json().getString("task_id"));
      if (r.status() != 202) {
        created.put("error", r.errorMessage());
      }
      state.put("created", created);
    }
    return r.status() == 202 ? r.json().getString("task_id") : null;
  }

  /** {@code new EventSource(url)} until the {@code status} event closes it, it fails for good, or abort(). */
  void follow(String taskId) throws Exception {
    synchronized (this) {
      state.put("taskId", taskId);
    }
    URI url = URI.create(base + API + "/tasks/" + URLEncoder.encode(taskId, StandardCharsets.UTF_8) + "/events");
    long retryMillis = 3000;
    String lastEventId = "";
    while (!aborted) {
      HttpRequest.Builder request = HttpRequest.newBuilder(url).GET()
          .header("Accept", "text/event-stream").header("Cache-Control", "no-cache");
      if (!lastEventId.isEmpty()) {
        request.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        reconnecting(); // a network error before any answer: try again
        Thread.sleep(retryMillis);
        continue;
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (response.statusCode() != 200 || !type.startsWith("text/event-stream")) {
        String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        fail("EventSource closed by the browser: HTTP " + response.statusCode() + " " + type + " " + body);
        return;
      }
      synchronized (this) {
        state.put("opens", state.getInteger("opens") + 1);
      }
      currentStream = response.body();
      String eventType = "";
      StringBuilder data = new StringBuilder();
      String idBuffer = lastEventId;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.isEmpty()) {
            lastEventId = idBuffer;
            if (data.length() > 0) {
              data.setLength(data.length() - 1); // the last newline
              String typeName = eventType.isEmpty() ? "message" : eventType;
              if (dispatch(typeName, data.toString(), lastEventId)) {
                return; // the status listener closed the source
              }
            }
            eventType = "";
            data.setLength(0);
            continue;
          }
          if (line.startsWith(":")) {
            continue;
          }
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (value.startsWith(" ")) {
            value = value.substring(1);
          }
          switch (field) {
            case "event" -> eventType = value;
            case "data" -> data.append(value).append('\n');
            case "id" -> {
              if (value.indexOf('\0') < 0) {
                idBuffer = value;
              }
            }
            case "retry" -> {
              if (value.matches("\\d+")) {
                retryMillis = Long.parseLong(value);
              }
            }
            default -> { }
          }
        }
      } catch (IOException e) {
        // the connection broke mid-stream: like the end of the stream, a reason to reconnect
      }
      if (aborted) {
        return;
      }
      reconnecting();
      Thread.sleep(retryMillis);
    }
  }

  private synchronized void reconnecting() {
    state.put("reconnects", state.getInteger("reconnects") + 1);
  }

  /** The page's listeners; true once the source is closed. */
  private boolean dispatch(String type, String raw, String lastEventId) throws Exception {
    JsonObject data;
    try {
      data = new JsonObject(raw);
    } catch (RuntimeException e) {
      fail("event data is not JSON: " + raw);
      data = null;
    }
    synchronized (this) {
      state.getJsonArray("eventIds").add(lastEventId);
      state.getJsonArray("events").add(new JsonObject().put("type", type).put("id", lastEventId)
          .put("conn", state.getInteger("opens"))
          .put("phase", data == null ? null : data.getValue("phase"))
          .put("status", data == null ? null : data.getValue("status"))
          .put("progress", data == null ? null : data.getValue("progress")));
    }
    if (type.equals("progress") || type.equals("message")) {
      if (data != null) {
        synchronized (this) {
          String phase = data.getString("phase");
          JsonArray seen = state.getJsonArray("phasesSeen");
          if (phase != null && ExtensionClientTest.PHASES.contains(phase) && !seen.contains(phase)) {
            seen.add(phase);
            state.put("completed", seen.size());
          }
          if (data.getValue("progress") instanceof Number n) {
            state.put("progress", n.intValue());
          }
        }
      }
      return false;
    }
    if (type.equals("status")) {
      synchronized (this) {
        state.put("closed", true);
        if (data != null) {
          state.put("status", data.getString("status")).put("message", data.getString("message"));
          if (data.getValue("progress") instanceof Number n) {
            state.put("progress", n.intValue());
          }
        }
      }
      if (data != null) {
        loadLists();
      }
      return true;
    }
    return false;
  }

  private synchronized void fail(String what) {
    state.getJsonArray("errors").add(what);
  }

  /** Ends a follow() that is still reading (the test's deadline). */
  void abort() {
    aborted = true;
    InputStream stream = currentStream;
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  @Override
  public void close() {
    abort();
    eventSourceThread.shutdownNow();
  }
}

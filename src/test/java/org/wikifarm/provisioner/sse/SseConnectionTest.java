package org.wikifarm.provisioner.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.support.TaskMetrics;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskId;
import org.wikifarm.provisioner.task.TaskStatus;

/**
 * One {@link SseConnection} per request on a real HTTP server (127.0.0.1, ephemeral port), with an in-memory
 * journal and task table and a real {@link TaskEventHub}: replay after {@code Last-Event-ID}, live events without
 * duplicates, the snapshot from the task row, closing after the terminal event, an unknown task, and a client
 * that stops reading while thousands of large events are published.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class SseConnectionTest {
  private static final Duration HEARTBEAT = Duration.ofHours(1); // out of the way

  private final String taskId = TaskId.newId();
  private final InMemoryJournal journal = new InMemoryJournal();
  private final Map<String, Task> tasks = new ConcurrentHashMap<>();
  /** Replaced by tests that need to hold the replay back. */
  private volatile JournalReader reader = journal;
  /** Replaced by tests that need the lookup to fail. */
  private volatile TaskLookup lookup = id -> Future.succeededFuture(tasks.get(id));
  /** What each connection's start() answered, and whether anything had been written when it did. */
  private final List<String> starts = new CopyOnWriteArrayList<>();
  private volatile Context serverContext;

  private TaskEventHub hub;
  private HttpServer server;
  private HttpClientAgent client;
  private Vertx vertx;

  @BeforeEach
  void startServer(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    hub = new TaskEventHub(vertx, (task, last) -> reader.after(task, last));
    // a small socket send buffer so a client that stops reading fills the connection's write queue quickly
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSendBufferSize(8192);
    vertx.createHttpServer(options).requestHandler(request -> {
      serverContext = Vertx.currentContext();
      String id = request.path().replaceFirst("^/tasks/", "").replaceFirst("/events$", "");
      new SseConnection(vertx, request.response(), id, request.getHeader("Last-Event-ID"), HEARTBEAT,
          task -> lookup.find(task), (task, last) -> reader.after(task, last), hub,
          new TaskMetrics(new SimpleMeterRegistry(), List.of()))
          .start()
          .onComplete(ar -> {
            starts.add((ar.succeeded() ? String.valueOf(ar.result()) : "failed")
                + (request.response().headWritten() ? " after writing" : ""));
            if (ar.failed() || !ar.result()) {
              request.response().setStatusCode(ar.failed() ? 500 : 404).end("no stream");
            }
          });
    }).listen().onComplete(ctx.succeeding(s -> {
      server = s;
      client = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(8192));
      ctx.completeNow();
    }));
  }

  @Test
  void replaysExactlyTheTailAfterLastEventIdThenLiveEventsWithoutDuplicatesAndClosesAfterTheTerminal(Vertx vertx,
      VertxTestContext ctx) {
    tasks.put(taskId, task(TaskStatus.RUNNING, 30, "db_provision"));
    List<String> ids = new ArrayList<>();
    ids.add(journal.append(taskId, TaskEvent.queued()).result());
    for (int i = 1; i <= 4; i++) {
      ids.add(journal.append(taskId, progress(10 * i, "phase " + i)).result());
    }
    Stream stream = new Stream();
    stream.onFrame = frame -> {
      if (ids.get(4).equals(frame.id())) { // the replay is done: live events now
        publishLive(vertx, ids.get(3), progress(40, "phase 3")); // already sent: dropped
        publishLive(vertx, ids.get(4), progress(40, "phase 4")); // already sent: dropped
        ids.add(publishLive(vertx, null, progress(50, "phase 5")));
        ids.add(publishLive(vertx, null, TaskEvent.finished(true, 100, 9L, "wiki created")));
        publishLive(vertx, null, progress(100, "after the end")); // the stream is closed by now
      }
    };
    open(ids.get(2), stream).onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertEquals(200, response.statusCode());
      assertTrue(response.getHeader("Content-Type").startsWith("text/event-stream"), response.getHeader("Content-Type"));
      assertEquals("no-cache", response.getHeader("Cache-Control"));
      assertEquals("no", response.getHeader("X-Accel-Buffering"));
    })));

    stream.ended.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertTrue(stream.raw.toString().startsWith("retry: 3000\n\n"), stream.raw.toString());
      assertEquals(ids.subList(3, 7), stream.frames.stream().map(Frame::id).toList(),
          "exactly the journal's tail, then the new live events, once each");
      assertEquals(List.of("progress", "progress", "progress", "status"),
          stream.frames.stream().map(Frame::event).toList());
      Frame last = stream.frames.get(stream.frames.size() - 1);
      assertEquals("succeeded", last.data().getString("status"));
      assertEquals(9L, last.data().getLong("wiki_id"));
      assertEquals(List.of("true after writing"), starts);
      ctx.completeNow();
    })));
  }

  @Test
  void withoutLastEventIdTheWholeJournalIsReplayed(Vertx vertx, VertxTestContext ctx) {
    tasks.put(taskId, task(TaskStatus.SUCCEEDED, 100, "wiki created"));
    journal.append(taskId, TaskEvent.queued());
    journal.append(taskId, progress(10, "copy"));
    journal.append(taskId, TaskEvent.finished(true, 100, 9L, "wiki created"));
    Stream stream = new Stream();
    open(null, stream).onComplete(ctx.succeeding(r -> {}));

    stream.ended.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(journal.entries(taskId).stream().map(TaskEvent.Journaled::id).toList(),
          stream.frames.stream().map(Frame::id).toList());
      ctx.completeNow();
    })));
  }

  @Test
  void liveEventsArrivingDuringTheReplayFollowItWithoutDuplicates(Vertx vertx, VertxTestContext ctx) {
    tasks.put(taskId, task(TaskStatus.RUNNING, 10, "copy"));
    List<String> ids = new CopyOnWriteArrayList<>();
    ids.add(journal.append(taskId, TaskEvent.queued()).result());
    ids.add(journal.append(taskId, progress(10, "copy")).result());
    reader = (task, last) -> {
      // the journal is read, then two live events reach the hub before the read's answer does: one of them is
      // in that answer, the other is not
      List<TaskEvent.Journaled> read = journal.after(task, last).result();
      publishLive(vertx, ids.get(1), progress(10, "copy"));
      ids.add(publishLive(vertx, null, progress(20, "render")));
      Promise<List<TaskEvent.Journaled>> answer = Promise.promise();
      vertx.setTimer(200, t -> answer.complete(read));
      return answer.future();
    };
    Stream stream = new Stream();
    stream.onFrame = frame -> {
      if (ids.size() == 3 && ids.get(2).equals(frame.id())) {
        ids.add(publishLive(vertx, null, TaskEvent.finished(false, 20, null, "render_ini failed")));
      }
    };
    open(null, stream).onComplete(ctx.succeeding(r -> {}));

    stream.ended.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(ids, stream.frames.stream().map(Frame::id).toList());
      ctx.completeNow();
    })));
  }

  @Test
  void aClientThatAlreadyHasTheJournaledEndGetsTheEndFromTheRowAtOnce(VertxTestContext ctx) {
    Instant ended = Instant.now().minusSeconds(60);
    tasks.put(taskId, new Task("unused", TaskStatus.SUCCEEDED, 100, "wiki created", 9L, ended, ended, ended));
    journal.append(taskId, TaskEvent.queued());
    String end = journal.append(taskId, TaskEvent.finished(true, 100, 9L, "wiki created")).result();
    Stream stream = new Stream();
    open(end, stream).onComplete(ctx.succeeding(r -> {}));

    stream.ended.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(1, stream.frames.size(), stream.raw.toString());
      assertNull(stream.frames.get(0).id(), "synthesized from the row, not replayed");
      assertEquals("succeeded", stream.frames.get(0).data().getString("status"));
      ctx.completeNow();
    })));
  }

  @Test
  void withNothingJournaledTheTaskRowStandsInAndATerminalRowClosesTheStream(VertxTestContext ctx) {
    tasks.put(taskId, task(TaskStatus.FAILED, 40, "oauth failed: the key directory is not writable"));
    Stream stream = new Stream();
    open(null, stream).onComplete(ctx.succeeding(r -> {}));

    stream.ended.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(1, stream.frames.size(), stream.raw.toString());
      Frame only = stream.frames.get(0);
      assertNull(only.id(), "a synthesized event has no journal id");
      assertEquals("status", only.event());
      assertEquals("failed", only.data().getString("status"));
      assertEquals("oauth failed: the key directory is not writable", only.data().getString("message"));
      ctx.completeNow();
    })));
  }

  @Test
  void anUnknownTaskStartsFalseBeforeWritingAnything(Vertx vertx, VertxTestContext ctx) {
    fetchWhole().onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
      assertEquals(List.of("false"), starts, "false, and no header written yet");
      assertEquals(404, answer.status(), "so the caller could still answer with an error");
      assertFalse(answer.body().contains("retry:"), answer.body());
      ctx.completeNow();
    })));
  }

  @Test
  void aFailingLookupFailsStartBeforeWritingAnything(Vertx vertx, VertxTestContext ctx) {
    lookup = id -> Future.failedFuture(new IllegalStateException("the metadata database is unavailable"));
    fetchWhole().onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
      assertEquals(500, answer.status());
      assertEquals(List.of("failed"), starts);
      ctx.completeNow();
    })));
  }

  @Test
  void eventsPublishedInOneTickReachTheClientInOneWrite(Vertx vertx, VertxTestContext ctx) {
    tasks.put(taskId, task(TaskStatus.RUNNING, 80, "docker_install"));
    journal.append(taskId, TaskEvent.queued());
    List<String> phases = List.of("docker_install", "docker_index_cfg", "docker_index", "verify", "done");
    Stream stream = new Stream();
    stream.onFrame = frame -> {
      if ("queued".equals(frame.data().getString("message"))) { // the replay is done: a task's end, at once
        for (String phase : phases) {
          publishLive(vertx, null, TaskEvent.progress(TaskStatus.RUNNING, 90, phase, phase));
        }
        publishLive(vertx, null, TaskEvent.finished(true, 100, 9L, "wiki created"));
      }
    };
    open(null, stream).onComplete(ctx.succeeding(r -> {}));

    stream.ended.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(7, stream.frames.size(), stream.raw.toString());
      String last = stream.chunks.get(stream.chunks.size() - 1);
      assertEquals(6, last.split("\n\n").length, "the six events came as one HTTP chunk (one write): " + stream.chunks);
      ctx.completeNow();
    })));
  }

  /**
   * A client stops reading while 2 000 events of 8 KB each (16 MB) are published. The connection must not queue
   * them: once its write queue is full it keeps only the latest, so after the client reads again it receives a
   * small fraction of them, then the latest, then the terminal event.
   */
  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS) // 16 MB through the bus: allow for a slow, shared machine
  void aClientThatStopsReadingGetsTheLatestStateWhenItDrainsNotABacklog(Vertx vertx, VertxTestContext ctx) {
    int published = 2_000;
    String padding = "x".repeat(8_000);
    tasks.put(taskId, task(TaskStatus.RUNNING, 0, "queued"));
    journal.append(taskId, TaskEvent.queued());
    Promise<Void> allHandled = Promise.promise();
    Stream stream = new Stream();
    stream.onFrame = frame -> {
      String message = frame.data().getString("message");
      if ("queued".equals(message)) { // replay done: stop reading, then flood
        stream.response.pause();
        AtomicInteger handled = new AtomicInteger();
        TaskEventHub.Subscription[] watcher = new TaskEventHub.Subscription[1];
        // on the connection's context, after it: when this has seen every event, so has the connection
        watcher[0] = hub.subscribe(taskId, serverContext, batch -> {
          if (handled.addAndGet(batch.entries().size()) == published) {
            watcher[0].cancel();
            allHandled.complete();
          }
        });
        for (int i = 0; i < published; i++) {
          publishLive(vertx, null, progress(Math.min(99, i / 20), "step " + i + " " + padding));
        }
      } else if (message.startsWith("step " + (published - 1) + " ")) {
        publishLive(vertx, null, TaskEvent.finished(true, 100, 5L, "wiki created"));
      }
    };
    allHandled.future().onComplete(ctx.succeeding(v -> stream.response.resume()));
    open(null, stream).onComplete(ctx.succeeding(r -> {}));

    stream.ended.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      List<Frame> progress = stream.frames.stream().filter(f -> f.event().equals("progress")).toList();
      int received = progress.size() - 1; // the replayed "queued" is not one of them
      assertTrue(received < published / 10, received + " of " + published + " progress events reached the client: "
          + "the connection queued them instead of keeping only the latest");
      assertTrue(received >= 1);
      Frame latest = progress.get(progress.size() - 1);
      assertTrue(latest.data().getString("message").startsWith("step " + (published - 1) + " "),
          "the latest state arrives when the client drains");
      assertEquals(99, latest.data().getInteger("progress"));
      for (int i = 1; i < progress.size(); i++) {
        assertTrue(progress.get(i).data().getInteger("progress") >= progress.get(i - 1).data().getInteger("progress"));
      }
      Frame terminal = stream.frames.get(stream.frames.size() - 1);
      assertEquals("status", terminal.event());
      assertEquals("succeeded", terminal.data().getString("status"));
      ctx.completeNow();
    })));
  }

  // --- helpers

  private static Task task(TaskStatus status, int progress, String message) {
    Instant now = Instant.now();
    return new Task("unused", status, progress, message, status == TaskStatus.SUCCEEDED ? 9L : null, now, now,
        status.terminal() ? now : null);
  }

  private static TaskEvent progress(int progress, String message) {
    return TaskEvent.progress(TaskStatus.RUNNING, progress, "docker_install", message);
  }

  /**
   * As the bridge does: journal the event (unless {@code id} is given: an event journaled before) and publish it
   * with its id. Returns the id.
   */
  private String publishLive(Vertx vertx, String id, TaskEvent event) {
    if (id == null) {
      return journal.journalAndPublish(vertx, taskId, event);
    }
    vertx.eventBus().publish(EventBusAddresses.task(taskId), new TaskEvent.Journaled(id, event).toJson());
    return id;
  }

  private Future<HttpClientResponse> request(String lastEventId) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(server.actualPort()).setURI("/tasks/" + taskId + "/events");
    if (lastEventId != null) {
      options.addHeader("Last-Event-ID", lastEventId);
    }
    return client.request(options).compose(HttpClientRequest::send);
  }

  /**
   * The whole answer to a request that gets no stream, asked and read on one event loop (see {@link OnEventLoop}):
   * a short answer could arrive complete before the body was asked for (seen as a 15 s timeout once the connect
   * path no longer waited for MariaDB).
   */
  private Future<Answer> fetchWhole() {
    return OnEventLoop.chain(vertx, () -> request(null)
        .compose(response -> response.body().map(body -> new Answer(response.statusCode(), body.toString()))));
  }

  private record Answer(int status, String body) {}

  /** Opens the stream and feeds it into {@code stream} as it arrives, from the start (see {@link OnEventLoop}). */
  private Future<HttpClientResponse> open(String lastEventId, Stream stream) {
    return OnEventLoop.chain(vertx, () -> request(lastEventId).onSuccess(stream::attach));
  }

  private record Frame(String id, String event, JsonObject data) {}

  /** The client side of one SSE stream: its raw text and frames as they arrive, and when the server ended it. */
  private static final class Stream {
    final StringBuilder raw = new StringBuilder();
    /** What each read handed over: one HTTP chunk, so one write of the server. */
    final List<String> chunks = new CopyOnWriteArrayList<>();
    final List<Frame> frames = new CopyOnWriteArrayList<>();
    final Promise<Void> ended = Promise.promise();
    private final StringBuilder unparsed = new StringBuilder();
    volatile HttpClientResponse response;
    volatile Consumer<Frame> onFrame = frame -> {};

    void attach(HttpClientResponse r) {
      response = r;
      r.handler(this::feed);
      r.endHandler(v -> ended.tryComplete());
      r.exceptionHandler(ended::tryFail);
    }

    private void feed(Buffer buffer) {
      String text = buffer.toString(StandardCharsets.UTF_8); // the events are ASCII: no split characters
      if (chunks.size() < 100) {
        chunks.add(text);
      }
      if (raw.length() < 4096) {
        raw.append(text, 0, Math.min(text.length(), 4096));
      }
      unparsed.append(text);
      for (int end = unparsed.indexOf("\n\n"); end >= 0; end = unparsed.indexOf("\n\n")) {
        String block = unparsed.substring(0, end);
        unparsed.delete(0, end + 2);
        String id = null;
        String event = null;
        String data = null;
        for (String line : block.split("\n")) {
          if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ")) {
            data = line.substring(6);
          }
        }
        if (data != null) {
          Frame frame = new Frame(id, event, new JsonObject(data));
          frames.add(frame);
          onFrame.accept(frame);
        }
      }
    }
  }
}

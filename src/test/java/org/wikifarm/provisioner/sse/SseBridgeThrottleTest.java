package org.wikifarm.provisioner.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskId;
import org.wikifarm.provisioner.task.TaskStatus;
import org.wikifarm.provisioner.worker.TaskEvents;

/**
 * The bridge's throttling rules (SPEC §5) with an in-memory journal: raw events go in through the worker's own
 * {@link TaskEvents} sender, published events are read from {@code wikifarm.task.<id>}. Progress is coalesced to
 * one event per throttle window, the latest value survives, phase changes and the terminal event are never
 * dropped, progress never goes back, and journal ids follow publication order.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class SseBridgeThrottleTest {
  private static final Duration THROTTLE = Duration.ofMillis(200);

  private final String taskId = TaskId.newId();
  private final InMemoryJournal journal = new InMemoryJournal();
  private final List<TaskEvent.Journaled> published = new CopyOnWriteArrayList<>();
  /** When each published event arrived (ms since the test's first send), for failure messages. */
  private final List<Long> publishedAt = new CopyOnWriteArrayList<>();
  private volatile long t0 = System.nanoTime();
  /** Completes with the time the terminal event was published. */
  private final Promise<Long> terminalPublished = Promise.promise();
  /** A message a test waits for, and the promise completed once an event carrying it is published. */
  private volatile String awaitedMessage;
  private final Promise<Void> awaitedPublished = Promise.promise();
  /** A Vert.x instance a test made itself (with one event loop), closed after it. */
  private Vertx ownVertx;

  @AfterEach
  void closeOwnVertx(VertxTestContext ctx) {
    if (ownVertx == null) {
      ctx.completeNow();
    } else {
      ownVertx.close().onComplete(ctx.succeedingThenComplete());
    }
  }

  @Test
  void aBurstWithinOnePhaseIsCoalescedToOneEventPerWindowKeepingTheLatest(Vertx vertx, VertxTestContext ctx) {
    int burst = 300;
    AtomicLong firstSentAt = new AtomicLong();
    start(vertx, journal).onComplete(ctx.succeeding(v -> {
      TaskEvents events = new TaskEvents(vertx.eventBus());
      AtomicInteger sent = new AtomicInteger();
      firstSentAt.set(System.nanoTime());
      t0 = firstSentAt.get();
      // one event every 2 ms: the burst spans several throttle windows
      vertx.setPeriodic(2, timer -> {
        int i = sent.getAndIncrement();
        events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 40 + i * 19 / (burst - 1), "docker_install",
            "output line " + i));
        if (i == burst - 1) {
          vertx.cancelTimer(timer);
          events.send(taskId, TaskEvent.finished(true, 100, 7L, "wiki created"));
        }
      });
    }));

    terminalPublished.future().onComplete(ctx.succeeding(terminalAt -> ctx.verify(() -> {
      assertStreamInvariants();
      List<TaskEvent.Journaled> progress = published.subList(0, published.size() - 1);
      long elapsedMs = (terminalAt - firstSentAt.get()) / 1_000_000;
      long bound = elapsedMs / THROTTLE.toMillis() + 2;
      assertTrue(progress.size() <= bound, progress.size() + " progress events published for " + burst
          + " raw ones over " + elapsedMs + " ms; at most " + bound + " expected. Published at (ms): " + publishedAt
          + ": " + progress.stream().map(j -> j.event().message()).toList());
      assertTrue(progress.size() >= 2, "the first and the latest progress are both published: " + progress.size());
      assertEquals("output line 0", progress.get(0).event().message(), "the phase's first event goes out at once");
      TaskEvent last = progress.get(progress.size() - 1).event();
      assertEquals("output line " + (burst - 1), last.message(), "the latest progress is flushed before the end");
      assertEquals(59, last.progress());
      TaskEvent terminal = published.get(published.size() - 1).event();
      assertEquals(TaskStatus.SUCCEEDED, terminal.status());
      assertEquals(7L, terminal.wikiId());
      ctx.completeNow();
    })));
  }

  /**
   * The window ends while an event is pending and a newer one arrives before the window's timer has run (a busy
   * event loop): only the newer one goes out, not both at once. One event loop makes the order certain: the
   * test holds it past the window, so the newer event's delivery is queued ahead of the timer.
   */
  @Test
  void aNewerEventArrivingAsTheWindowEndsReplacesThePendingOneInsteadOfJoiningIt(VertxTestContext ctx) {
    Vertx vertx = ownVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    TaskEvents events = new TaskEvents(vertx.eventBus());
    awaitedMessage = "first";
    // registered before anything is sent, so this runs on the event loop as "first" is collected; "first" is
    // published while the bridge handles it, so "pending" has been handled by then
    awaitedPublished.future().onComplete(ctx.succeeding(v -> {
      ctx.verify(() -> assertTrue(Context.isOnEventLoopThread(), "the premise: this holds the event loop"));
      try {
        Thread.sleep(THROTTLE.toMillis() + 50); // the event loop is busy past the end of the window
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 62, "docker_install", "newer"));
      events.send(taskId, TaskEvent.finished(true, 100, 3L, "wiki created"));
    }));

    start(vertx, journal).onComplete(ctx.succeeding(v -> vertx.runOnContext(x -> {
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 60, "docker_install", "first")); // out at once
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 61, "docker_install", "pending")); // waits
    })));

    terminalPublished.future().onComplete(ctx.succeeding(t -> ctx.verify(() -> {
      assertStreamInvariants();
      assertEquals(List.of("first", "newer", "wiki created"), published.stream().map(j -> j.event().message()).toList(),
          "published at (ms) " + publishedAt);
      ctx.completeNow();
    })));
  }

  @Test
  void theLatestProgressIsDeliveredWhenTheWindowEndsEvenIfNothingFollows(Vertx vertx, VertxTestContext ctx) {
    awaitedMessage = "output line 99";
    start(vertx, journal).onComplete(ctx.succeeding(v -> vertx.runOnContext(x -> {
      TaskEvents events = new TaskEvents(vertx.eventBus());
      for (int i = 0; i < 100; i++) {
        events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, i, "index", "output line " + i));
      }
    })));

    awaitedPublished.future().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertTrue(published.size() < 100 / 2, "a burst sent at once is coalesced: " + published.size() + " published");
      assertEquals("output line 99", published.get(published.size() - 1).event().message());
      assertEquals(99, published.get(published.size() - 1).event().progress());
      ctx.completeNow();
    })));
  }

  @Test
  void phaseChangesAreNeverDroppedAndEachPhaseEndsOnItsLastValue(Vertx vertx, VertxTestContext ctx) {
    List<String> phases = List.of("dir_copy", "render_ini", "db_provision", "oauth", "docker_install",
        "docker_index_cfg", "flip_bootstrap", "index");
    start(vertx, journal).onComplete(ctx.succeeding(v -> vertx.runOnContext(x -> {
      TaskEvents events = new TaskEvents(vertx.eventBus());
      events.send(taskId, TaskEvent.queued());
      int progress = 0;
      for (String phase : phases) {
        for (int i = 0; i < 5; i++) { // all well within one throttle window
          events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, progress++, phase, phase + " " + i));
        }
      }
      events.send(taskId, TaskEvent.finished(false, progress, null, "index failed: the search server refused"));
    })));

    terminalPublished.future().onComplete(ctx.succeeding(t -> ctx.verify(() -> {
      assertStreamInvariants();
      List<String> seenPhases = new ArrayList<>();
      for (TaskEvent.Journaled j : published) {
        String phase = j.event().phase();
        if (phase != null && (seenPhases.isEmpty() || !seenPhases.get(seenPhases.size() - 1).equals(phase))) {
          seenPhases.add(phase);
        }
      }
      assertEquals(phases, seenPhases, "every phase is published, in order");
      List<String> messages = published.stream().map(j -> j.event().message()).toList();
      assertEquals("queued", messages.get(0));
      for (String phase : phases) {
        assertTrue(messages.contains(phase + " 0"), "the phase change to " + phase + " was dropped: " + messages);
        assertTrue(messages.contains(phase + " 4"), "the last value of " + phase + " was dropped: " + messages);
      }
      TaskEvent terminal = published.get(published.size() - 1).event();
      assertEquals(TaskStatus.FAILED, terminal.status());
      assertEquals("index failed: the search server refused", terminal.message());
      ctx.completeNow();
    })));
  }

  @Test
  void progressNeverGoesBackEvenWhenARawEventCarriesALowerValue(Vertx vertx, VertxTestContext ctx) {
    start(vertx, journal).onComplete(ctx.succeeding(v -> vertx.runOnContext(x -> {
      TaskEvents events = new TaskEvents(vertx.eventBus());
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 50, "docker_install", "a"));
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 45, "docker_install", "b"));
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 40, "docker_index_cfg", "c")); // a late, lower one
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 65, "docker_index_cfg", "d"));
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 60, "flip_bootstrap", "e"));
      events.send(taskId, TaskEvent.finished(false, 30, null, "failed"));
    })));

    terminalPublished.future().onComplete(ctx.succeeding(t -> ctx.verify(() -> {
      assertStreamInvariants();
      for (TaskEvent.Journaled j : published) {
        assertTrue(j.event().progress() >= 50, "progress went below 50: " + j.event());
      }
      TaskEvent phaseChange = byMessage("c");
      assertEquals("docker_index_cfg", phaseChange.phase(), "the phase change itself is kept");
      assertEquals(50, phaseChange.progress(), "with the progress already reached");
      assertEquals(65, byMessage("e").progress());
      assertEquals(65, published.get(published.size() - 1).event().progress(), "a failure keeps what was reached");
      ctx.completeNow();
    })));
  }

  @Test
  void journalIdsFollowPublicationOrderEvenWhenWritesFinishOutOfOrder(Vertx vertx, VertxTestContext ctx) {
    // the first writes are the slowest: without chaining, later events would overtake earlier ones
    AtomicInteger calls = new AtomicInteger();
    JournalWriter slowFirst = (task, event) -> {
      String id = journal.append(task, event).result();
      Promise<String> written = Promise.promise();
      vertx.setTimer(Math.max(1, 40 - 8L * calls.getAndIncrement()), t -> written.complete(id));
      return written.future();
    };
    List<String> phases = List.of("dir_copy", "render_ini", "db_provision", "oauth", "docker_install");
    start(vertx, slowFirst).onComplete(ctx.succeeding(v -> vertx.runOnContext(x -> {
      TaskEvents events = new TaskEvents(vertx.eventBus());
      for (int i = 0; i < phases.size(); i++) {
        events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 10 * i, phases.get(i), phases.get(i)));
      }
      events.send(taskId, TaskEvent.finished(true, 100, 3L, "wiki created"));
    })));

    terminalPublished.future().onComplete(ctx.succeeding(t -> ctx.verify(() -> {
      assertStreamInvariants();
      assertEquals(phases.size() + 1, published.size());
      assertEquals(phases, published.subList(0, phases.size()).stream().map(j -> j.event().phase()).toList());
      ctx.completeNow();
    })));
  }

  @Test
  void anEventTheJournalCouldNotTakeIsStillPublishedWithoutAnId(Vertx vertx, VertxTestContext ctx) {
    JournalWriter failingOnce = (task, event) -> "render_ini".equals(event.phase())
        ? Future.failedFuture(new IllegalStateException("journal unavailable"))
        : journal.append(task, event);
    start(vertx, failingOnce).onComplete(ctx.succeeding(v -> vertx.runOnContext(x -> {
      TaskEvents events = new TaskEvents(vertx.eventBus());
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 0, "dir_copy", "copy"));
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 10, "render_ini", "render"));
      events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 20, "db_provision", "database"));
      events.send(taskId, TaskEvent.finished(true, 100, 3L, "wiki created"));
    })));

    terminalPublished.future().onComplete(ctx.succeeding(t -> ctx.verify(() -> {
      assertEquals(List.of("copy", "render", "database", "wiki created"),
          published.stream().map(j -> j.event().message()).toList());
      assertNull(published.get(1).id(), "published without an id");
      assertEquals(3, journal.entries(taskId).size());
      assertEquals(journal.entries(taskId), List.of(published.get(0), published.get(2), published.get(3)));
      ctx.completeNow();
    })));
  }

  @Test
  void eventsEmittedWhileAWriteIsOutAreJournaledTogetherInOneWrite(Vertx vertx, VertxTestContext ctx) {
    // a writer whose every call is one round trip: events that pile up meanwhile must go in the next one
    List<Integer> writes = new CopyOnWriteArrayList<>();
    JournalWriter batching = JournalWriter.pipelined((task, events) -> {
      writes.add(events.size());
      List<String> ids = events.stream().map(e -> journal.append(task, e).result()).toList();
      Promise<List<String>> written = Promise.promise();
      vertx.setTimer(50, t -> written.complete(ids));
      return written.future();
    });
    List<String> phases = List.of("docker_install", "docker_index_cfg", "docker_index", "verify", "done");
    start(vertx, batching).onComplete(ctx.succeeding(v -> vertx.runOnContext(x -> {
      TaskEvents events = new TaskEvents(vertx.eventBus());
      for (int i = 0; i < phases.size(); i++) {
        events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, 90 + i, phases.get(i), phases.get(i)));
      }
      events.send(taskId, TaskEvent.finished(true, 100, 3L, "wiki created"));
    })));

    terminalPublished.future().onComplete(ctx.succeeding(t -> ctx.verify(() -> {
      assertStreamInvariants();
      assertEquals(6, writes.stream().mapToInt(Integer::intValue).sum());
      assertTrue(writes.size() <= 2, "six events in " + writes.size() + " round trips " + writes
          + ": the ones emitted during a write must share the next one");
      ctx.completeNow();
    })));
  }

  // --- helpers

  /** Listens on the task's address, then deploys a bridge writing to {@code writer}. */
  private Future<String> start(Vertx vertx, JournalWriter writer) {
    return vertx.eventBus().<JsonObject>consumer(EventBusAddresses.task(taskId), m -> {
          TaskEvent.Journaled event = TaskEvent.Journaled.fromJson(m.body());
          published.add(event);
          publishedAt.add((System.nanoTime() - t0) / 1_000_000);
          if (event.event().message() != null && event.event().message().equals(awaitedMessage)) {
            awaitedPublished.tryComplete();
          }
          if (event.event().terminal()) {
            terminalPublished.tryComplete(System.nanoTime());
          }
        })
        .completion()
        .compose(v -> vertx.deployVerticle(
            new SseBridgeVerticle(new AppConfig.Sse(Duration.ofMinutes(1), THROTTLE), writer)));
  }

  /**
   * What holds for every stream: one terminal event and it is last, progress never decreases, and the published
   * events are exactly the journal's entries in the journal's order (so SSE ids only grow).
   */
  private void assertStreamInvariants() {
    for (int i = 0; i < published.size(); i++) {
      assertEquals(i == published.size() - 1, published.get(i).event().terminal(), "terminal at " + i);
      if (i > 0) {
        assertTrue(published.get(i).event().progress() >= published.get(i - 1).event().progress(),
            "progress went back at " + i + ": " + published);
        assertTrue(EventJournal.compare(published.get(i).id(), published.get(i - 1).id()) > 0,
            "ids out of order at " + i + ": " + published);
      }
      assertNotNull(published.get(i).id());
    }
    assertEquals(journal.entries(taskId), published, "published = journaled, same order");
  }

  private TaskEvent byMessage(String message) {
    return published.stream().map(TaskEvent.Journaled::event).filter(e -> message.equals(e.message())).findFirst()
        .orElseThrow(() -> new AssertionError("no published event '" + message + "': " + published));
  }
}

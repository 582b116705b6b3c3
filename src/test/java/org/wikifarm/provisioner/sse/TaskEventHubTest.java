package org.wikifarm.provisioner.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import io.vertx.junit5.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskId;
import org.wikifarm.provisioner.task.TaskStatus;

/**
 * Issue 15: one encoding per event for every client of a task, the events of one tick delivered as one batch
 * (one write per client), the journal read once per task however many clients join, and task-row reads shared
 * by the clients of a task.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class TaskEventHubTest {
  private final String taskId = TaskId.newId();
  private final InMemoryJournal journal = new InMemoryJournal();
  private final AtomicInteger journalReads = new AtomicInteger();

  @Test
  void eventsOfOneTickReachEveryClientAsOneBatchOfFramesEncodedOnce(Vertx vertx, VertxTestContext ctx) {
    TaskEventHub hub = new TaskEventHub(vertx, this::countedRead);
    journal.append(taskId, TaskEvent.queued());
    Context loop = vertx.getOrCreateContext();
    List<TaskEventHub.Batch> first = new CopyOnWriteArrayList<>();
    List<TaskEventHub.Batch> second = new CopyOnWriteArrayList<>();
    loop.runOnContext(v -> {
      TaskEventHub.Subscription a = hub.subscribe(taskId, loop, first::add);
      TaskEventHub.Subscription b = hub.subscribe(taskId, loop, second::add);
      Future.all(a.history(), b.history()).onComplete(ctx.succeeding(histories -> {
        // a task's last phases and its end, published together as the bridge does
        for (String phase : List.of("docker_install", "docker_index_cfg", "docker_index", "verify", "done")) {
          publish(vertx, TaskEvent.progress(TaskStatus.RUNNING, 90, phase, phase));
        }
        publish(vertx, TaskEvent.finished(true, 100, 4L, "wiki created"));
        vertx.setTimer(300, t -> ctx.verify(() -> {
          assertEquals(1, first.size(), "one batch for the tick: " + first);
          assertEquals(1, second.size());
          assertEquals(6, first.get(0).entries().size());
          assertSame(first.get(0), second.get(0), "the same batch, frames encoded once, for both clients");
          assertEquals(frames(first.get(0).entries()), first.get(0).frames().toString());
          assertEquals(1, journalReads.get(), "the journal was read once for both clients");
          ctx.completeNow();
        }));
      }));
    });
  }

  /**
   * HTTP requests run on duplicates of their connection's context: 500 clients on one event loop are still one
   * group, given each batch in one hand-over (before, each request's duplicate was a group of its own, and a
   * batch became one queued task per client — 300 ms of delivery lag at 10,000 subscribers).
   */
  @Test
  void clientsOnDuplicatesOfOneEventLoopGetABatchInOneHandOver(Vertx vertx, VertxTestContext ctx) {
    TaskEventHub hub = new TaskEventHub(vertx, this::countedRead);
    ContextInternal loop = (ContextInternal) vertx.getOrCreateContext();
    List<Context> deliveredOn = new CopyOnWriteArrayList<>();
    List<Future<List<TaskEventHub.Entry>>> histories = new ArrayList<>();
    loop.runOnContext(v -> {
      for (int i = 0; i < 500; i++) {
        ContextInternal request = loop.duplicate();
        histories.add(hub.subscribe(taskId, request, batch -> deliveredOn.add(Vertx.currentContext())).history());
      }
      Future.all(histories).onComplete(ctx.succeeding(all -> {
        publish(vertx, TaskEvent.progress(TaskStatus.RUNNING, 10, "dir_copy", "copy"));
        vertx.setTimer(300, t -> ctx.verify(() -> {
          assertEquals(500, deliveredOn.size());
          assertEquals(1, deliveredOn.stream().distinct().count(), "one hand-over for the event loop's clients");
          assertSame(loop.unwrap(), deliveredOn.get(0), "on the event loop's own context");
          ctx.completeNow();
        }));
      }));
    });
  }

  @Test
  void aLaterClientGetsTheViewWithoutReadingTheJournalAndNothingTwice(Vertx vertx, VertxTestContext ctx) {
    TaskEventHub hub = new TaskEventHub(vertx, this::countedRead);
    journal.append(taskId, TaskEvent.queued());
    Context loop = vertx.getOrCreateContext();
    loop.runOnContext(v -> {
      TaskEventHub.Subscription early = hub.subscribe(taskId, loop, batch -> {});
      early.history().onComplete(ctx.succeeding(history -> {
        publish(vertx, TaskEvent.progress(TaskStatus.RUNNING, 10, "dir_copy", "copy"));
        vertx.setTimer(100, t -> {
          List<TaskEvent> live = new ArrayList<>();
          TaskEventHub.Subscription late = hub.subscribe(taskId, loop, batch ->
              batch.entries().forEach(e -> live.add(e.event())));
          late.history().onComplete(ctx.succeeding(view -> {
            publish(vertx, TaskEvent.finished(true, 100, 4L, "wiki created"));
            vertx.setTimer(200, t2 -> ctx.verify(() -> {
              assertEquals(List.of("queued", "copy"), view.stream().map(e -> e.event().message()).toList());
              assertSame(history.get(0).frame(), view.get(0).frame(), "the view's frames are shared");
              assertEquals(List.of("wiki created"), live.stream().map(TaskEvent::message).toList());
              assertEquals(1, journalReads.get(), "the later client did not read the journal");
              ctx.completeNow();
            }));
          }));
        });
      }));
    });
  }

  /**
   * A journal id the view already holds (the same event published twice, or read from the journal while it was
   * on its way) enters the view once, so clients' fan-outs need not compare ids per client: a client following
   * live gets it once, a later one's history holds it once.
   */
  @Test
  void anEventPublishedTwiceEntersTheViewOnce(Vertx vertx, VertxTestContext ctx) {
    TaskEventHub hub = new TaskEventHub(vertx, this::countedRead);
    journal.append(taskId, TaskEvent.queued());
    Context loop = vertx.getOrCreateContext();
    List<String> live = new CopyOnWriteArrayList<>();
    loop.runOnContext(v -> {
      TaskEventHub.Subscription early = hub.subscribe(taskId, loop,
          batch -> batch.entries().forEach(e -> live.add(e.journaled().id())));
      early.history().onComplete(ctx.succeeding(history -> {
        TaskEvent copy = TaskEvent.progress(TaskStatus.RUNNING, 10, "dir_copy", "copy");
        String id = journal.append(taskId, copy).result();
        JsonObject twice = new TaskEvent.Journaled(id, copy).toJson();
        vertx.eventBus().publish(EventBusAddresses.task(taskId), twice);
        vertx.eventBus().publish(EventBusAddresses.task(taskId), twice);
        vertx.setTimer(200, t -> {
          TaskEventHub.Subscription late = hub.subscribe(taskId, loop, batch -> {});
          late.history().onComplete(ctx.succeeding(view -> ctx.verify(() -> {
            assertEquals(List.of(id), live, "the live client got it once");
            assertEquals(List.of("queued", "copy"), view.stream().map(e -> e.event().message()).toList());
            ctx.completeNow();
          })));
        });
      }));
    });
  }

  /**
   * A task's end makes all its clients leave at once, from every event loop, without the hub's lock (but the
   * last of each loop's group). Round after round, 100 clients leave from two event loops while, on one of them,
   * another joins as the other loop's clients are still leaving: the joiner gets live events, and once it has
   * left too the task's consumer is unregistered and its view gone (the next round's clients read the journal
   * again) — neither kept by a lost count nor dropped under a client still there.
   */
  @Test
  void clientsLeavingFromTwoEventLoopsAtOnceLeaveNoViewBehindAndDropNoOneWhoJoined(Vertx vertx,
      VertxTestContext ctx) {
    TaskEventHub hub = new TaskEventHub(vertx, this::countedRead);
    ContextInternal[] loops = {((VertxInternal) vertx).createEventLoopContext(),
        ((VertxInternal) vertx).createEventLoopContext()};
    assertNotSame(loops[0].nettyEventLoop(), loops[1].nettyEventLoop(), "two event loops, two threads");
    round(vertx, hub, loops, 0, 100, ctx);
  }

  private void round(Vertx vertx, TaskEventHub hub, Context[] loops, int done, int rounds, VertxTestContext ctx) {
    if (done == rounds) {
      ctx.completeNow();
      return;
    }
    int readsBefore = journalReads.get();
    List<List<TaskEventHub.Subscription>> perLoop = List.of(new ArrayList<>(), new ArrayList<>());
    List<Future<Void>> subscribed = new ArrayList<>();
    for (int l = 0; l < 2; l++) {
      int loop = l;
      Promise<Void> on = Promise.promise();
      subscribed.add(on.future());
      loops[loop].runOnContext(v -> {
        List<Future<List<TaskEventHub.Entry>>> histories = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          TaskEventHub.Subscription s = hub.subscribe(taskId, loops[loop], batch -> {});
          perLoop.get(loop).add(s);
          histories.add(s.history());
        }
        Future.all(histories).onComplete(all -> on.complete());
      });
    }
    Promise<TaskEventHub.Batch> joinerGotLive = Promise.promise();
    Future.all(subscribed).onComplete(ctx.succeeding(all -> {
      // the last round's clients all left: these 100 make a new view, read once
      ctx.verify(() -> assertEquals(readsBefore + 1, journalReads.get(), "round " + done + ": nothing kept"));
      Promise<Void> firstLeft = Promise.promise();
      loops[0].runOnContext(v -> {
        perLoop.get(0).forEach(TaskEventHub.Subscription::cancel);
        firstLeft.complete();
      });
      Promise<TaskEventHub.Subscription> joiner = Promise.promise();
      loops[1].runOnContext(v -> {
        perLoop.get(1).forEach(TaskEventHub.Subscription::cancel);
        // races the other loop's last leaver: the view is either kept for it or made anew
        joiner.complete(hub.subscribe(taskId, loops[1], joinerGotLive::tryComplete));
      });
      Future.all(firstLeft.future(), joiner.future())
          .compose(both -> joiner.future().result().history().map(h -> joiner.future().result()))
          .onComplete(ctx.succeeding(s -> {
            publish(vertx, TaskEvent.progress(TaskStatus.RUNNING, 10, "dir_copy", "round " + done));
            joinerGotLive.future().onComplete(ctx.succeeding(batch -> loops[1].runOnContext(v -> {
              ctx.verify(() -> assertEquals("round " + done, batch.entries().get(batch.entries().size() - 1)
                  .event().message()));
              s.cancel();
              // nobody is left: the task's consumer must be gone (a request finds no handler)
              vertx.eventBus().request(EventBusAddresses.task(taskId), new JsonObject(),
                  new DeliveryOptions().setSendTimeout(2_000)).onComplete(ctx.failing(e -> ctx.verify(() -> {
                    assertEquals(ReplyFailure.NO_HANDLERS, ((ReplyException) e).failureType(), "round " + done);
                    round(vertx, hub, loops, done + 1, rounds, ctx);
                  })));
            })));
          }));
    }));
  }

  @Test
  void clientsOfOneTaskShareRowReadsAndGetTheAnswerOnTheirOwnContext(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger reads = new AtomicInteger();
    Promise<Task> slowRow = Promise.promise();
    SharedTaskLookup lookup = new SharedTaskLookup(id -> {
      reads.incrementAndGet();
      return reads.get() == 1 ? slowRow.future() : Future.succeededFuture(null);
    });
    // two event loops (getOrCreateContext() from this thread would put both on one sticky loop)
    ContextInternal[] loops = {((VertxInternal) vertx).createEventLoopContext(),
        ((VertxInternal) vertx).createEventLoopContext()};
    assertNotSame(loops[0].nettyEventLoop(), loops[1].nettyEventLoop());
    List<Future<Boolean>> answers = new ArrayList<>();
    Promise<Void> asked = Promise.promise();
    AtomicInteger pending = new AtomicInteger(1_000);
    for (int i = 0; i < 1_000; i++) {
      Context loop = loops[i % 2];
      Promise<Boolean> onOwnContext = Promise.promise();
      answers.add(onOwnContext.future());
      loop.runOnContext(v -> {
        lookup.find(taskId).onComplete(r -> onOwnContext.complete(Vertx.currentContext() == loop));
        if (pending.decrementAndGet() == 0) {
          asked.complete();
        }
      });
    }
    asked.future().onComplete(v -> slowRow.complete(null));
    Future.all(answers).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertEquals(2, reads.get(), "one read in flight, one for all who asked while it was");
      assertEquals(1_000, answers.stream().filter(Future::result).count(), "each answered on its own context");
      ctx.completeNow();
    })));
  }

  private Future<List<TaskEvent.Journaled>> countedRead(String task, String lastId) {
    journalReads.incrementAndGet();
    return journal.after(task, lastId);
  }

  private void publish(Vertx vertx, TaskEvent event) {
    journal.journalAndPublish(vertx, taskId, event);
  }

  private static String frames(List<TaskEventHub.Entry> entries) {
    StringBuilder all = new StringBuilder();
    for (TaskEventHub.Entry entry : entries) {
      all.append("id: ").append(entry.journaled().id()).append("\nevent: ").append(entry.event().type().wire())
          .append("\ndata: ").append(entry.event().toJson().encode()).append("\n\n");
    }
    return all.toString();
  }
}

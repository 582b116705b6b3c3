package org.wikifarm.provisioner.sse;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * One event-bus consumer and one in-memory view per watched task per node, however many SSE clients watch it.
 * The view is the task's journal, read once when the first client arrives, plus every live event since; a later
 * client gets it without asking Redis. Each event is decoded and encoded as an SSE frame once, and the events
 * that arrive in the same event-loop tick go out as one batch (one buffer, one write per client). Clients may
 * live on different event loops (several HTTP verticle instances): a batch is handed to each event loop once and
 * delivered there. The consumer and the view go with the last subscriber.
 */
public final class TaskEventHub {
  private final Vertx vertx;
  private final JournalReader journal;
  private final Map<String, Topic> topics = new HashMap<>();

  public TaskEventHub(Vertx vertx, JournalReader journal) {
    this.vertx = vertx;
    this.journal = journal;
  }

  /** One event of a task's view: its place in the view, the event and its encoded frame. */
  public record Entry(long seq, TaskEvent.Journaled journaled, Buffer frame) {
    public TaskEvent event() {
      return journaled.event();
    }
  }

  /** The live events of one tick, oldest first, and their frames as one buffer. */
  public record Batch(List<Entry> entries, Buffer frames) {}

  /** A client's registration. */
  public interface Subscription {
    /**
     * What the task's view held when this client joined (journal, then live events), completed on the
     * client's context; every later event reaches the handler, none twice.
     */
    Future<List<Entry>> history();

    void cancel();
  }

  public Subscription subscribe(String taskId, Context context, Handler<Batch> handler) {
    Subscriber subscriber = new Subscriber(rootOf(context), handler);
    Topic topic;
    boolean load = false;
    synchronized (topics) {
      topic = topics.get(taskId);
      if (topic == null) {
        topic = new Topic(taskId);
        topics.put(taskId, topic);
        load = true;
      }
      topic.add(subscriber);
    }
    if (load) {
      topic.load();
    }
    Topic joined = topic;
    return new Subscription() {
      @Override
      public Future<List<Entry>> history() {
        return subscriber.history.future();
      }

      @Override
      public void cancel() {
        joined.remove(subscriber);
      }
    };
  }

  /**
   * The event loop's own context behind a request's: Vert.x runs every HTTP request on a duplicate of its
   * connection's context, so keyed by the request's context each client would be a group of its own and a batch
   * would be handed over once per client instead of once per event loop (10,000 tasks queued per event at 10k
   * subscribers). The clients' handlers only write to their responses, which needs no request-local state.
   */
  private static Context rootOf(Context context) {
    return context instanceof ContextInternal internal ? internal.unwrap() : context;
  }

  /** A client: its context, what it has been given, and from which event on it gets live batches. */
  private static final class Subscriber {
    final Context context;
    final Handler<Batch> handler;
    final Promise<List<Entry>> history = Promise.promise();
    /** Set (under the hub's lock) when the client's history is fixed; it gets live events from there on. */
    volatile long fromSeq = Long.MAX_VALUE;
    /** Its event loop's group of the task (set under the hub's lock when it joins, read when it leaves). */
    volatile Group group;

    Subscriber(Context context, Handler<Batch> handler) {
      this.context = context;
      this.handler = handler;
    }

    void receive(Batch batch) {
      List<Entry> entries = batch.entries();
      if (entries.get(0).seq() >= fromSeq) {
        handler.handle(batch);
        return;
      }
      // it joined while this batch was on its way: it has the older entries in its history already
      List<Entry> newer = entries.stream().filter(e -> e.seq() >= fromSeq).toList();
      if (!newer.isEmpty()) {
        handler.handle(new Batch(newer, SseFrames.concat(newer)));
      }
    }
  }

  /**
   * The subscribers of one task on one event loop; a batch is handed over to that loop once. A fan-out walks an
   * array of them, rebuilt only when someone joined or left since the last one: walking the concurrent set
   * itself touched one more object per client on every batch (its node), 4 % of a fan-out's samples at 10,000
   * clients, and the members change far less often than batches arrive.
   */
  private static final class Group {
    final Context context;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    /** Bumped after every change of {@link #subscribers}; the array is rebuilt when it moved. */
    private final AtomicInteger version = new AtomicInteger();
    /** Touched only by {@link #deliver}, which runs on this group's event loop. */
    private Subscriber[] members = new Subscriber[0];
    private int membersVersion;

    Group(Context context) {
      this.context = context;
    }

    void add(Subscriber subscriber) {
      subscribers.add(subscriber);
      version.incrementAndGet();
    }

    boolean remove(Subscriber subscriber) {
      boolean removed = subscribers.remove(subscriber);
      if (removed) {
        version.incrementAndGet();
      }
      return removed;
    }

    boolean isEmpty() {
      return subscribers.isEmpty();
    }

    /**
     * A client that joined before the batch's events entered the view did so under the hub's lock, before the
     * batch was handed here, so the version read below sees it; one that joins during the walk has the batch's
     * events in its history and skips them anyway ({@link Subscriber#receive}). One that left meanwhile is closed
     * and ignores the batch.
     */
    void deliver(Batch batch) {
      int now = version.get();
      if (now != membersVersion) {
        members = subscribers.toArray(new Subscriber[0]);
        membersVersion = now;
      }
      for (Subscriber subscriber : members) {
        subscriber.receive(batch);
      }
    }
  }

  /**
   * State of one task; everything but {@link Group#deliver} and a client's usual leaving runs under the hub's
   * lock. A task's end makes every client leave at once, from every event loop: each leaves its group's
   * concurrent set without the lock, which only the last of a group (or one still waiting for the journal)
   * takes, so thousands of leaving clients do not queue on one lock between their writes.
   */
  private final class Topic {
    final String taskId;
    final Map<Context, Group> groups = new HashMap<>();
    final MessageConsumer<JsonObject> consumer;
    final List<Entry> view = new ArrayList<>();
    /** Live events that arrived while the journal was being read (they are merged into the view). */
    List<TaskEvent.Journaled> arrivedWhileLoading = new ArrayList<>();
    final List<Subscriber> waiting = new ArrayList<>();
    List<Entry> tick = new ArrayList<>();
    /** The newest journal id in the view (null while it has none). */
    String newestId;

    Topic(String taskId) {
      this.taskId = taskId;
      this.consumer = vertx.eventBus().consumer(EventBusAddresses.task(taskId),
          message -> onEvent(TaskEvent.Journaled.fromJson(message.body()))); // decoded once per node
    }

    void add(Subscriber subscriber) {
      subscriber.group = groups.computeIfAbsent(subscriber.context, Group::new);
      subscriber.group.add(subscriber);
      if (arrivedWhileLoading != null) {
        waiting.add(subscriber);
      } else {
        admit(subscriber);
      }
    }

    /** Fixes the subscriber's history as the view is now; it gets what is added after it live. */
    private void admit(Subscriber subscriber) {
      subscriber.fromSeq = view.size();
      List<Entry> history = List.copyOf(view);
      subscriber.context.runOnContext(v -> subscriber.history.complete(history));
    }

    /** Reads the journal once the consumer listens (so nothing falls between the two). */
    void load() {
      consumer.completion()
          .compose(v -> journal.after(taskId, null))
          .onComplete(read -> {
            synchronized (topics) {
              List<TaskEvent.Journaled> journaled = read.succeeded() ? read.result() : List.of();
              journaled.forEach(this::append);
              for (TaskEvent.Journaled live : arrivedWhileLoading) {
                if (isNew(live)) {
                  append(live); // not in what the journal returned
                }
              }
              arrivedWhileLoading = null;
              if (read.failed() && topics.get(taskId) == this) {
                // Redis did not answer: the clients here stream what there is; the next one reads it again
                topics.remove(taskId);
              }
              waiting.forEach(this::admit);
              waiting.clear();
            }
          });
    }

    private Entry append(TaskEvent.Journaled journaled) {
      Entry entry = new Entry(view.size(), journaled, SseFrames.encode(journaled.id(), journaled.event()));
      view.add(entry);
      if (journaled.id() != null) {
        newestId = journaled.id();
      }
      return entry;
    }

    /**
     * Whether an event is newer than the view's newest: journal ids rise in journal order, so one at or below
     * it is already in the view (published twice, or read from the journal while it was on its way). Dropped
     * here, once per node, so the view's ids rise too, and a client that got the view up to some place gets only
     * new events after it. Events without an id (Redis refused the write) are always new.
     */
    private boolean isNew(TaskEvent.Journaled event) {
      return event.id() == null || newestId == null || EventJournal.compare(event.id(), newestId) > 0;
    }

    /** On the consumer's context: into the view, and into this tick's batch. */
    private void onEvent(TaskEvent.Journaled event) {
      synchronized (topics) {
        if (arrivedWhileLoading != null) {
          arrivedWhileLoading.add(event);
          return;
        }
        if (!isNew(event)) {
          return;
        }
        tick.add(append(event));
        if (tick.size() > 1) {
          return; // the flush is scheduled: it takes this one too
        }
      }
      // runs after the events already queued on this loop, so a burst of them leaves as one batch
      Vertx.currentContext().runOnContext(v -> flushTick());
    }

    private void flushTick() {
      List<Group> targets;
      List<Entry> entries;
      synchronized (topics) {
        entries = tick;
        tick = new ArrayList<>();
        targets = new ArrayList<>(groups.values());
      }
      Batch batch = new Batch(entries, SseFrames.concat(entries));
      for (Group group : targets) {
        group.context.runOnContext(v -> group.deliver(batch));
      }
    }

    void remove(Subscriber subscriber) {
      Group group = subscriber.group;
      if (!group.remove(subscriber)) {
        return; // cancelled before
      }
      if (subscriber.fromSeq != Long.MAX_VALUE && !group.isEmpty()) {
        return; // admitted, so not in the waiting list, and not the last of its group: nothing else to undo
      }
      synchronized (topics) {
        waiting.remove(subscriber);
        // rechecked under the lock: a client may have joined the group since (joining takes the lock)
        if (group.isEmpty() && groups.remove(subscriber.context, group) && groups.isEmpty()) {
          if (topics.get(taskId) == this) {
            topics.remove(taskId);
          }
          consumer.unregister();
        }
      }
    }
  }
}

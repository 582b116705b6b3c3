package org.wikifarm.provisioner.app;

import org.wikifarm.provisioner.worker.CreateWikiKind;
import org.wikifarm.provisioner.worker.DeleteWikiKind;
import org.wikifarm.provisioner.provision.phases.DeleteWikiPhases;
import org.wikifarm.provisioner.store.WikiLocks;
import java.util.Map;
import org.wikifarm.provisioner.task.TaskType;
import org.wikifarm.provisioner.support.TaskMetrics;
import java.util.Arrays;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.function.Consumer;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.exec.CommandExecutor;
import org.wikifarm.provisioner.exec.CommandExecutors;
import org.wikifarm.provisioner.http.ApiException;
import org.wikifarm.provisioner.http.Caller;
import org.wikifarm.provisioner.http.CreateWikiRequest;
import org.wikifarm.provisioner.http.WikiRules;
import org.wikifarm.provisioner.provision.Cancellation;
import org.wikifarm.provisioner.provision.phases.CreateWikiPhases;
import org.wikifarm.provisioner.provision.phases.SpareKeyPairs;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.store.NewWiki;
import org.wikifarm.provisioner.store.SchemaVerifier;
import org.wikifarm.provisioner.store.Pools;
import org.wikifarm.provisioner.store.RedisKeys;
import org.wikifarm.provisioner.store.Redises;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.store.TaskQueue;
import org.wikifarm.provisioner.store.TaskSpecs;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.store.WikiStore;
import org.wikifarm.provisioner.support.Blocking;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskId;
import org.wikifarm.provisioner.worker.Checkpoints;
import org.wikifarm.provisioner.worker.DirectRun;
import org.wikifarm.provisioner.worker.TaskEvents;
import org.wikifarm.provisioner.worker.TaskRunner;

/**
 * One wiki created from the terminal (the CLI's {@code provision}) through the service's own code: the API's
 * validation ({@link CreateWikiRequest}), the same enqueue ({@link TaskQueue}), and the worker's
 * {@link TaskRunner} run on the caller's thread for exactly that task ({@link DirectRun}) — not a worker
 * verticle, which would also claim other clients' queued tasks. The SSE bridge journals the events as on a
 * node, so the API's replay shows the task as well. No HTTP server, no rate limit (the operator is not a user).
 * The CLI's {@code wikis delete} queues and runs a {@code delete_wiki} task the same way.
 */
public final class OneOffProvision implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** What {@code provision} was asked for; null optional values take the API's defaults. */
  public record Request(String name, String slug, long ownerId, String ownerName, String language, String template,
      String visibility) {}

  private final Vertx vertx;
  private final AppConfig config;
  private final Pool pool;
  private final Redis redis;
  private final CommandExecutor executor;
  private final TaskStore tasks;
  private final TaskQueue queue;
  private final DirectRun direct;
  private String bridge;

  private OneOffProvision(Vertx vertx, AppConfig config) throws Exception {
    this.vertx = vertx;
    this.config = config;
    this.pool = Pools.metadata(vertx, config.database());
    this.redis = Redises.client(vertx, config.redis());
    this.executor = CommandExecutors.create(config);
    RedisAPI redisApi = RedisAPI.api(redis);
    RedisKeys keys = new RedisKeys(config.redis().keyPrefix());
    TaskSpecs specs = new TaskSpecs(redisApi, keys);
    this.tasks = new TaskStore(pool);
    EventJournal journal = new EventJournal(redisApi, keys, config.redis());
    boolean v2Schema = Blocking.await(SchemaVerifier.v2MigrationApplied(pool).otherwise(false), WAIT);
    this.queue = new TaskQueue(new WikiStore(pool), new WikiLocks(pool), journal, vertx.eventBus(), v2Schema);
    TaskRunner runner = new TaskRunner(config, tasks, specs, redisApi, keys, Map.of(
            // one wiki and the process exits: no key pairs are kept ahead
            TaskType.CREATE_WIKI, new CreateWikiKind(config.farm(),
                CreateWikiPhases.create(config, vertx, executor, SpareKeyPairs.none())),
            TaskType.DELETE_WIKI, new DeleteWikiKind(DeleteWikiPhases.create(config, vertx))),
        new TaskEvents(vertx.eventBus()), Checkpoints.NONE,
        // a one-off run has no /metrics to serve: its meters are counted and dropped with the process
        new TaskMetrics(new SimpleMeterRegistry(), Arrays.stream(TaskType.values()).map(TaskType::wire).toList()));
    this.direct = new DirectRun(vertx, config.worker(), tasks, redisApi, keys, runner);
  }

  /** Opens the clients and deploys the SSE bridge (the journal's writer). */
  public static OneOffProvision open(Vertx vertx, AppConfig config) throws Exception {
    OneOffProvision p = new OneOffProvision(vertx, config);
    try {
      p.bridge = Blocking.await(vertx.deployVerticle(Application.sseBridge(config, p.redis)), WAIT);
      return p;
    } catch (Exception e) {
      p.close();
      throw e;
    }
  }

  /**
   * Validates the request with the API's rules and queues it; returns the task id.
   *
   * @throws IllegalArgumentException naming the field and what is wrong with it
   * @throws org.wikifarm.provisioner.store.SlugTakenException the slug is held by another wiki
   */
  public String enqueue(Request r) throws Exception {
    JsonObject body = new JsonObject().put("name", r.name()).put("slug", r.slug())
        .put("owner", new JsonObject().put("id", r.ownerId()).put("username", r.ownerName()));
    putIfSet(body, "language", r.language());
    putIfSet(body, "template", r.template());
    putIfSet(body, "visibility", r.visibility());
    // in headers mode the API takes the owner from the proxy's headers: give it the same owner there
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add(Caller.ID_HEADER, Long.toString(r.ownerId()))
        .add(Caller.NAME_HEADER, r.ownerName());
    CreateWikiRequest valid;
    try {
      valid = CreateWikiRequest.parse(body, headers, config, new WikiRules(config));
    } catch (ApiException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    NewWiki wiki = new NewWiki(valid.name(), valid.slug(), valid.slug() + "." + config.farm().rootHost(),
        valid.language(), valid.visibility(), valid.ownerId(), valid.ownerUsername(), valid.template());
    return Blocking.await(queue.enqueue(TaskId.newId(), wiki, Future::succeededFuture), WAIT);
  }

  /**
   * Queues the delete of {@code slug}'s wiki as the operator (any owner's; SPEC §6.2) and returns the task id.
   *
   * @throws org.wikifarm.provisioner.store.DeleteRefusedException unknown, or busy (pending, deleting, a task
   *     queued or running)
   * @throws org.wikifarm.provisioner.store.MigrationRequiredException the v2 migration is not applied
   */
  public String enqueueDeletion(String slug) throws Exception {
    return Blocking.await(queue.enqueueDeletionByOperator(TaskId.newId(), slug), WAIT);
  }

  /** Delivers the task's events (as SSE clients get them: throttled, journaled) on an event-loop thread. */
  public MessageConsumer<Object> watch(String taskId, Consumer<TaskEvent> listener) {
    return vertx.eventBus().consumer(EventBusAddresses.task(taskId),
        m -> listener.accept(TaskEvent.Journaled.fromJson((JsonObject) m.body()).event()));
  }

  /**
   * Runs the queued task to its end on this thread; a requested {@code cancellation} interrupts it and rolls it
   * back. False when a worker of the service claimed it first (it runs there; follow it with {@link #task}).
   */
  public boolean run(String taskId, Cancellation cancellation) throws Exception {
    return run(taskId, TaskType.CREATE_WIKI, cancellation);
  }

  /**
   * As {@link #run(String, Cancellation)} for a task of {@code type}; a delete is forward-only: a cancellation
   * stops it after its current step and leaves the wiki {@code failed}, listing what is still in place.
   */
  public boolean run(String taskId, TaskType type, Cancellation cancellation) throws Exception {
    return direct.run(taskId, type, cancellation);
  }

  /** The task's row as it is now. */
  public Task task(String taskId) throws Exception {
    return Blocking.retrying("reading task " + taskId, WAIT, () -> tasks.find(taskId));
  }

  private static void putIfSet(JsonObject body, String field, String value) {
    if (value != null) {
      body.put(field, value);
    }
  }

  /** Undeploys the bridge (it flushes its journal writes), then closes the clients. */
  @Override
  public void close() {
    try {
      Future<Void> undeploy = bridge == null ? Future.succeededFuture() : vertx.undeploy(bridge);
      Blocking.await(undeploy.eventually(() -> {
        executor.close();
        redis.close();
        return pool.close();
      }), WAIT);
    } catch (Exception e) {
      // closing at exit: nothing is left to release
    }
  }
}

package org.wikifarm.provisioner.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.wikifarm.provisioner.cluster.ClusterMembership;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.exec.CommandExecutor;
import org.wikifarm.provisioner.exec.CommandExecutors;
import org.wikifarm.provisioner.http.ProgressPage;
import java.util.Map;
import org.wikifarm.provisioner.provision.phases.CreateWikiPhases;
import org.wikifarm.provisioner.provision.phases.SpareKeyPairs;
import org.wikifarm.provisioner.provision.phases.DeleteWikiPhases;
import org.wikifarm.provisioner.task.TaskType;
import org.wikifarm.provisioner.worker.CreateWikiKind;
import org.wikifarm.provisioner.worker.DeleteWikiKind;
import org.wikifarm.provisioner.worker.TaskKind;
import org.wikifarm.provisioner.http.WikiDeleteEndpoint;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.store.JournalBatch;
import org.wikifarm.provisioner.sse.JournalWriter;
import org.wikifarm.provisioner.sse.SseBridgeVerticle;
import org.wikifarm.provisioner.sse.TaskEventHub;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.worker.ProvisionWorkerVerticle;
import org.wikifarm.provisioner.worker.TaskEvents;
import org.wikifarm.provisioner.worker.TaskRunner;
import org.wikifarm.provisioner.worker.Checkpoints;
import io.vertx.core.ThreadingModel;
import org.wikifarm.provisioner.http.HealthEndpoint;
import org.wikifarm.provisioner.http.MetricsEndpoint;
import org.wikifarm.provisioner.http.OpenApiEndpoint;
import org.wikifarm.provisioner.http.HttpVerticle;
import org.wikifarm.provisioner.http.ReadinessCheck;
import org.wikifarm.provisioner.http.CreateWikiEndpoint;
import org.wikifarm.provisioner.http.WikiReadCache;
import org.wikifarm.provisioner.http.WikiReadEndpoint;
import org.wikifarm.provisioner.http.ManageEndpoint;
import org.wikifarm.provisioner.http.WikiPatchEndpoint;
import org.wikifarm.provisioner.manage.ManageApi;
import org.wikifarm.provisioner.store.PermissionStore;
import org.wikifarm.provisioner.store.WikiLocks;
import org.wikifarm.provisioner.http.TaskEventsEndpoint;
import org.wikifarm.provisioner.store.TaskQueue;
import org.wikifarm.provisioner.store.Idempotency;
import org.wikifarm.provisioner.store.Pools;
import org.wikifarm.provisioner.store.RateLimiter;
import org.wikifarm.provisioner.store.RedisKeys;
import org.wikifarm.provisioner.store.Redises;
import org.wikifarm.provisioner.store.SchemaVerifier;
import org.wikifarm.provisioner.store.TaskSpecs;
import org.wikifarm.provisioner.store.WikiStore;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.support.TaskMetrics;
import org.wikifarm.provisioner.task.TaskType;

/**
 * Wires one node: shared clients (MariaDB pool, Redis), the schema check, and the verticles. Used by the
 * fat jar's {@code Main}, the embedded dev mode and the tests, so all three run the same assembly.
 */
public final class Application {
  private static final Logger LOG = Logger.getLogger(Application.class.getName());

  private final Vertx vertx;
  private final AppConfig config;
  private final Pool pool;
  private final Redis redis;
  private final List<String> deployments = new ArrayList<>();
  private final CommandExecutor executor;
  private final ClusterMembership membership;
  private final Checkpoints checkpoints;
  /** How often the dependencies a task needs are checked before claiming (see {@link ClaimGate}). */
  private static final Duration CLAIM_GATE_PERIOD = Duration.ofSeconds(2);
  private ClaimGate claimGate;
  private final PrometheusMeterRegistry registry;
  private final TaskMetrics metrics;
  private Closeable auditFile;
  private Runnable queueDepth;
  private int httpPort;
  private boolean v2Schema;
  private WikiReadCache readCache;

  private Application(Vertx vertx, AppConfig config, ClusterMembership membership, Checkpoints checkpoints) {
    this.vertx = vertx;
    this.config = config;
    this.membership = membership;
    this.checkpoints = checkpoints;
    this.pool = Pools.metadata(vertx, config.database());
    this.redis = Redises.client(vertx, config.redis());
    this.executor = CommandExecutors.create(config);
    this.registry = Metrics.registryOf(vertx);
    this.metrics = new TaskMetrics(registry, Arrays.stream(TaskType.values()).map(TaskType::wire).toList());
  }

  /** Verifies the schema, then deploys everything. Fails (and releases what it opened) on any problem. */
  public static Future<Application> start(Vertx vertx, AppConfig config) {
    return start(vertx, config, ClusterMembership.standalone(), Checkpoints.NONE);
  }

  /**
   * As {@link #start(Vertx, AppConfig)} on a clustered Vert.x: {@code /ready} reports the membership and the
   * worker claims only while the node is a healthy member. {@code checkpoints} observes every task's run
   * ({@link Checkpoints#NONE} in the service).
   */
  public static Future<Application> start(Vertx vertx, AppConfig config, ClusterMembership membership,
      Checkpoints checkpoints) {
    Application app = new Application(vertx, config, membership, checkpoints);
    return app.openAuditFile()
        .compose(v -> app.verifySchema())
        .compose(v -> app.detectV2Schema())
        .compose(v -> WikiReadCache.start(vertx, config.http().readCacheTtl()).map(cache -> app.readCache = cache))
        .compose(v -> app.deploy())
        .map(app)
        .recover(e -> app.closeClients().transform(ignored -> Future.failedFuture(e)));
  }

  /** {@code audit.file}: the audit lines go there from the start; a file that cannot be written stops start-up. */
  private Future<Void> openAuditFile() {
    if (config.audit().file() == null) {
      return Future.succeededFuture();
    }
    try {
      auditFile = Audit.toFile(config.audit().file());
      return Future.succeededFuture();
    } catch (IOException e) {
      return Future.failedFuture(new ConfigException(List.of("audit.file (WIKIFARM_AUDIT_FILE): cannot append to "
          + config.audit().file() + ": " + e)));
    }
  }

  private Future<Void> verifySchema() {
    if (!config.database().verifySchema()) {
      return Future.succeededFuture();
    }
    // a database that does not answer yet is waited for (not a configuration error); see DatabaseAtStartup
    return DatabaseAtStartup.await(vertx, config.database(), () -> SchemaVerifier.missing(pool))
        .compose(missing -> missing.isEmpty() ? Future.succeededFuture()
            : Future.failedFuture(new ConfigException(List.of("the metadata database "
                + config.database().name() + " lacks " + String.join(", ", missing)
                + ". The MediaWiki extension creates these tables; for a manual set-up apply sql/tables.sql "
                + "and sql/migrations/*.sql"))));
  }

  /** Whether the v2 migration is applied decides what may be queued; an old schema still serves the rest. */
  private Future<Void> detectV2Schema() {
    return SchemaVerifier.v2MigrationApplied(pool).otherwise(false).map(applied -> {
      v2Schema = applied;
      if (!applied) {
        LOG.warning("the database migration " + SchemaVerifier.V2_MIGRATION + " is not applied: creates with a "
            + "named template and deletes are refused (501 migration_required) until it is");
      }
      return null;
    });
  }

  /**
   * The SSE bridge of a node, or of a one-off run ({@link OneOffProvision}): what piles up while a journal write
   * is in flight goes to Redis as one pipelined batch.
   */
  static SseBridgeVerticle sseBridge(AppConfig config, Redis redis) {
    return new SseBridgeVerticle(config.sse(), JournalWriter.pipelined(
        new JournalBatch(redis, new RedisKeys(config.redis().keyPrefix()), config.redis())::appendAll));
  }

  private Future<Void> deploy() {
    RedisAPI redisApi = RedisAPI.api(redis);
    RedisKeys keys = new RedisKeys(config.redis().keyPrefix());
    WikiStore wikiStore = new WikiStore(pool);
    TaskStore taskStore = new TaskStore(pool);
    TaskSpecs specs = new TaskSpecs(redisApi, keys);
    EventJournal journal = new EventJournal(redisApi, keys, config.redis());
    TaskEventHub hub = new TaskEventHub(vertx, journal::after);

    WikiLocks locks = new WikiLocks(pool);
    TaskQueue queue = new TaskQueue(wikiStore, locks, journal, vertx.eventBus(), v2Schema);
    CreateWikiEndpoint create = new CreateWikiEndpoint(config, queue,
        new Idempotency(redisApi, keys, config.redis().idempotencyTtl()),
        new RateLimiter(redisApi, keys, config.http().createRateLimit(), config.http().createRateWindow()));
    WikiReadEndpoint reads = new WikiReadEndpoint(config, wikiStore, readCache);
    TaskEventsEndpoint events = new TaskEventsEndpoint(config.sse(), taskStore::find, journal::after, hub, metrics);
    List<ReadinessCheck> dependencies =
        ReadinessProbes.of(vertx, config.farm(), config.wikiDb(), wikiStore, redis, executor, membership);
    HealthEndpoint health = new HealthEndpoint(dependencies);
    claimGate = new ClaimGate(vertx, ReadinessProbes.forClaims(vertx, dependencies, config.farm()));
    ManageApi manage = ManageApi.create(vertx, config.farm(), wikiStore, new PermissionStore(pool), locks);
    WikiPatchEndpoint patch = new WikiPatchEndpoint(config, manage.settings());
    WikiDeleteEndpoint delete = new WikiDeleteEndpoint(queue);
    List<Consumer<Router>> manageApi = List.of(new ManageEndpoint(config, manage)::register);
    List<Consumer<Router>> api = List.of(create::register, reads::register, patch::register, delete::register,
        events::register, health::register, OpenApiEndpoint::register);
    MetricsEndpoint metricsEndpoint = new MetricsEndpoint(registry);
    Consumer<Router> root = router -> {
      health.register(router);
      metricsEndpoint.register(router);
      ProgressPage.register(router, config.http());
    };

    SpareKeyPairs spares = SpareKeyPairs.keep(config.oauth(), () -> metrics.running() == 0);
    metrics.spareKeyPairs(spares::ready);
    // one entry per task type: its phases and how it ends; the runner and the worker are shared
    Map<TaskType, TaskKind> kinds = Map.of(
        TaskType.CREATE_WIKI, new CreateWikiKind(config.farm(),
            CreateWikiPhases.create(config, vertx, executor, spares)),
        TaskType.DELETE_WIKI, new DeleteWikiKind(DeleteWikiPhases.create(config, vertx)));
    TaskRunner runner = new TaskRunner(config, taskStore, specs, redisApi, keys, kinds,
        new TaskEvents(vertx.eventBus()), checkpoints, metrics);
    // membership is asked at every claim (leaving the cluster must stop claims at once); the rest on a timer
    ProvisionWorkerVerticle worker = new ProvisionWorkerVerticle(config.worker(), taskStore, redisApi, keys, runner,
        () -> membership.canClaim() && claimGate.isOpen(), metrics);
    // every node reports the farm's queue (API-only ones too), as often as a worker looks at it
    queueDepth = Metrics.refreshQueueDepth(vertx, taskStore::countQueued, metrics, config.worker().pollInterval());

    int instances = httpInstances(config.http());
    List<HttpVerticle> created = new ArrayList<>();
    // the bridge first (it must hear the worker's first event), the worker next, HTTP last (nothing is
    // accepted before the node can run it)
    return vertx.deployVerticle(sseBridge(config, redis))
        .compose(id -> {
          deployments.add(0, id);
          if (!config.worker().enabled()) {
            LOG.info("worker disabled (worker.enabled=false): this node accepts and streams, others provision");
            return Future.succeededFuture((String) null);
          }
          return claimGate.start(CLAIM_GATE_PERIOD).compose(v ->
              vertx.deployVerticle(worker, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
        })
        .compose(id -> {
          if (id != null) {
            deployments.add(0, id);
          }
          return vertx.deployVerticle(() -> {
            HttpVerticle verticle = new HttpVerticle(config.http(), api, manageApi, root);
            synchronized (created) {
              created.add(verticle);
            }
            return verticle;
          }, new DeploymentOptions().setInstances(instances));
        })
        .map(id -> {
          deployments.add(0, id);
          httpPort = created.get(0).actualPort();
          LOG.info("listening on http://" + config.http().host() + ":" + httpPort + HttpVerticle.API_BASE
              + " with executor: " + executor.describe());
          HttpVerticle.warnIfOpenToAnyone(config.http());
          return null;
        });
  }

  public int httpPort() {
    return httpPort;
  }

  public AppConfig config() {
    return config;
  }

  /**
   * Undeploys in reverse order of deployment (HTTP stops accepting and drains first, then the worker stops
   * claiming, then the bridge flushes), then closes the shared clients.
   */
  public Future<Void> stop() {
    if (claimGate != null) {
      claimGate.stop();
    }
    Future<Void> chain = Future.succeededFuture();
    for (String id : List.copyOf(deployments)) {
      chain = chain.transform(ignored -> vertx.undeploy(id));
    }
    return chain.transform(ignored -> closeClients());
  }

  private Future<Void> closeClients() {
    if (queueDepth != null) {
      queueDepth.run();
    }
    if (auditFile != null) {
      try {
        auditFile.close();
      } catch (IOException e) {
        LOG.warning("audit file not closed cleanly: " + e);
      }
    }
    if (readCache != null) {
      readCache.close();
    }
    executor.close();
    redis.close();
    return pool.close();
  }

  /**
   * HTTP verticle instances, one event loop each: one per core, at most four (SSE fan-out and JSON are CPU work;
   * more loops than cores only compete). One when the port is picked at random, since instances can only share
   * a port they all know.
   */
  public static int httpInstances(AppConfig.Http http) {
    return http.port() == 0 ? 1 : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  }
}

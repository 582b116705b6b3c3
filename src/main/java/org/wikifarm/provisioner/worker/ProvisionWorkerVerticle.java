package org.wikifarm.provisioner.worker;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.store.ClaimedTask;
import org.wikifarm.provisioner.store.RedisKeys;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.support.TaskMetrics;

/**
 * Claims tasks and runs them, up to {@code worker.concurrency} at a time on this node. Wakes on
 * {@code wikifarm.tasks.enqueued} and also polls, so a lost wake-up only delays work. Each running task holds
 * a Redis lease renewed by heartbeat; a task whose lease has expired (its node died) is claimed again here
 * and resumed from its ledger. While Redis does not answer, or the node is not a healthy cluster member
 * or it cannot run a task ({@code canRun}: dependencies or cluster membership), nothing new is claimed. Claims
 * and takeovers go to the audit log with this node's id as the actor; the running count and takeovers to the
 * metrics.
 */
public final class ProvisionWorkerVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ProvisionWorkerVerticle.class.getName());

  private final AppConfig.Worker config;
  private final TaskStore tasks;
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final TaskRunner runner;
  private final BooleanSupplier canRun;
  private final TaskMetrics metrics;
  private volatile boolean gateOpen = true;
  private final String nodeId = UUID.randomUUID().toString();
  private final Map<String, Lease> running = new ConcurrentHashMap<>();
  private final AtomicBoolean polling = new AtomicBoolean();
  /** A claim was asked for while one was in flight: claim again when it ends, instead of at the next poll tick. */
  private final AtomicBoolean pollAgain = new AtomicBoolean();
  private volatile boolean stopping;
  private WorkerExecutor threads;
  private MessageConsumer<Object> wakeUps;
  private long pollTimer;

  public ProvisionWorkerVerticle(AppConfig.Worker config, TaskStore tasks, RedisAPI redis, RedisKeys keys,
      TaskRunner runner, BooleanSupplier canRun, TaskMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.canRun = canRun;
    this.tasks = tasks;
    this.redis = redis;
    this.keys = keys;
    this.runner = runner;
  }

  @Override
  public Future<?> start() {
    int concurrency = config.concurrency();
    // one thread per concurrent task; a task may legitimately block for the length of its commands
    threads = vertx.createSharedWorkerExecutor("wikifarm-provision-" + nodeId.substring(0, 8), concurrency,
        24, TimeUnit.HOURS);
    wakeUps = vertx.eventBus().consumer(EventBusAddresses.TASKS_ENQUEUED, message -> poll());
    pollTimer = vertx.setPeriodic(10, config.pollInterval().toMillis(), id -> {
      poll();
      recoverAbandoned();
    });
    LOG.info("worker " + nodeId + " runs up to " + concurrency + " tasks at once");
    return wakeUps.completion();
  }

  /**
   * Claims queued tasks while there is capacity. Only one claim loop runs at a time; a wake-up or a finished
   * task arriving while a claim is in flight makes the loop claim once more when it ends, so a task enqueued
   * meanwhile never waits for the next poll tick.
   */
  private void poll() {
    if (stopping || running.size() >= config.concurrency() || !gate()) {
      return;
    }
    if (!polling.compareAndSet(false, true)) {
      pollAgain.set(true);
      return;
    }
    pollAgain.set(false);
    redis.ping(java.util.List.of())
        .compose(pong -> tasks.claimQueued())
        .onComplete(ar -> {
          polling.set(false);
          if (ar.failed()) {
            LOG.fine("not claiming: " + ar.cause().getMessage());
            return;
          }
          ClaimedTask claimed = ar.result();
          if (claimed == null) {
            if (pollAgain.getAndSet(false)) {
              poll();
            }
          } else {
            Lease lease = new Lease(redis, keys.taskLease(claimed.id()), nodeId, config.leaseTtl());
            lease.acquire().onComplete(acquired -> {
              // a fresh claim normally gets the lease; if Redis failed just now, the task stays 'running'
              // without a lease and the recovery pass picks it up after the grace period
              if (acquired.succeeded() && acquired.result()) {
                Audit.record(nodeId, "task.claim", claimed.id(), "ok", null);
                launch(claimed, lease, true);
              }
              poll();
            });
          }
        });
  }

  /** Resumes running tasks whose lease is gone: their worker died or lost Redis for longer than the TTL. */
  private void recoverAbandoned() {
    if (stopping || running.size() >= config.concurrency() || !gate()) {
      return;
    }
    tasks.runningStartedBefore(config.leaseTtl(), 20).onSuccess(found -> {
      for (ClaimedTask claimed : found) {
        String taskId = claimed.id();
        if (running.containsKey(taskId) || running.size() >= config.concurrency()) {
          continue;
        }
        Lease lease = new Lease(redis, keys.taskLease(taskId), nodeId, config.leaseTtl());
        lease.acquire().onSuccess(acquired -> {
          if (acquired && !running.containsKey(taskId)) {
            LOG.info("task " + taskId + ": its lease expired; recovering it on this node");
            metrics.leaseTakenOver();
            Audit.record(nodeId, "task.resume", claimed.id(), "ok", new JsonObject().put("reason", "lease expired"));
            launch(claimed, lease, false);
          }
        });
      }
    });
  }

  /** Whether this node may claim now; logs when that changes (the gate itself logs the reasons). */
  private boolean gate() {
    boolean open = canRun.getAsBoolean();
    if (open != gateOpen) {
      gateOpen = open;
      if (open) {
        LOG.info("claiming tasks again");
      } else {
        LOG.warning("this node cannot run tasks now (see /ready: a dependency is down, or it is not a healthy "
            + "cluster member); queued tasks wait for a node that can");
      }
    }
    return open;
  }

  /** {@code fromQueue}: a fresh claim of a queued task, not a takeover (see {@link TaskRunner#run}). */
  private void launch(ClaimedTask claimed, Lease lease, boolean fromQueue) {
    String taskId = claimed.id();
    running.put(taskId, lease);
    metrics.taskStarted();
    AtomicBoolean owner = new AtomicBoolean(true);
    long heartbeat = vertx.setPeriodic(Math.max(100, config.leaseTtl().toMillis() / 3), id ->
        lease.renew().onSuccess(stillOurs -> {
          if (!stillOurs && owner.getAndSet(false)) {
            LOG.warning("task " + taskId + ": lease taken by another worker; stopping after the current phase");
          }
        }));
    threads.executeBlocking(() -> {
      runner.run(claimed, nodeId, owner::get, fromQueue);
      return null;
    }, false).onComplete(ar -> {
      vertx.cancelTimer(heartbeat);
      if (ar.failed()) {
        // the runner only throws when MariaDB/Redis stayed away beyond its patience; the lease expires and
        // the task is recovered later
        LOG.log(Level.SEVERE, "task " + taskId + " interrupted: " + ar.cause().getMessage());
      } else if (owner.get()) {
        lease.release();
      }
      running.remove(taskId);
      metrics.taskStopped();
      poll();
    });
  }

  /** Stops claiming; running tasks keep their threads until the process exits, then their leases expire. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    if (!running.isEmpty()) {
      LOG.warning("stopping with " + running.size() + " task(s) in progress; another worker resumes them");
    }
    return wakeUps == null ? Future.succeededFuture() : wakeUps.unregister();
  }
}

package org.wikifarm.provisioner.worker;

import org.wikifarm.provisioner.task.TaskType;
import org.wikifarm.provisioner.store.ClaimedTask;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.Cancellation;
import org.wikifarm.provisioner.store.RedisKeys;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.support.Blocking;

/**
 * Runs one given task on the calling thread the way {@link ProvisionWorkerVerticle} runs a claimed one: claimed
 * by id, under a Redis lease renewed by heartbeat (so no node takes it over while it runs, and one does if this
 * process dies), then released. For the CLI's {@code provision} and
 * {@code wikis delete}, which must run the task they queued and no other
 * client's, as the worker verticle would.
 */
public final class DirectRun {
  private static final Logger LOG = Logger.getLogger(DirectRun.class.getName());
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final AppConfig.Worker config;
  private final TaskStore tasks;
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final TaskRunner runner;

  public DirectRun(Vertx vertx, AppConfig.Worker config, TaskStore tasks, RedisAPI redis, RedisKeys keys,
      TaskRunner runner) {
    this.vertx = vertx;
    this.config = config;
    this.tasks = tasks;
    this.redis = redis;
    this.keys = keys;
    this.runner = runner;
  }

  /**
   * Claims the queued task of {@code type} and runs it to its end. Returns false, running nothing, when the task
   * is no longer queued (a worker of the service claimed it first).
   */
  public boolean run(String taskId, TaskType type, Cancellation cancellation) throws Exception {
    if (!Blocking.retrying("claiming task " + taskId, WAIT, () -> tasks.claim(taskId))) {
      return false;
    }
    Lease lease = new Lease(redis, keys.taskLease(taskId), "cli-" + UUID.randomUUID(), config.leaseTtl());
    // a fresh claim gets the lease; without one the task is left 'running' for the service's recovery pass
    if (!Blocking.retrying("taking the lease of task " + taskId, WAIT, lease::acquire)) {
      throw new IllegalStateException("task " + taskId + " is claimed but its lease is held elsewhere");
    }
    AtomicBoolean owner = new AtomicBoolean(true);
    long heartbeat = vertx.setPeriodic(Math.max(100, config.leaseTtl().toMillis() / 3), id ->
        lease.renew().onSuccess(stillOurs -> {
          if (!stillOurs && owner.getAndSet(false)) {
            LOG.warning("task " + taskId + ": lease taken by another worker; stopping after the current phase");
          }
        }));
    try {
      runner.run(new ClaimedTask(taskId, type), "operator", owner::get, cancellation, true);
    } finally {
      vertx.cancelTimer(heartbeat);
      if (owner.get()) {
        lease.release();
      }
    }
    return true;
  }
}

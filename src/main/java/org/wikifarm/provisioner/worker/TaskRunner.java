package org.wikifarm.provisioner.worker;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProgressListener;
import org.wikifarm.provisioner.provision.Redactor;
import org.wikifarm.provisioner.provision.WikiRequest;
import org.wikifarm.provisioner.store.RedisKeys;
import org.wikifarm.provisioner.store.TaskSpecs;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.store.Wiki;

/**
 * Runs one claimed task to its end on a provisioning thread: loads the wiki row, the extras and the ledger,
 * drives the orchestrator, streams progress to events and the task row, and persists the outcome. Blocking
 * code; every wait on MariaDB or Redis retries through short outages.
 */
final class TaskRunner {
  private static final Logger LOG = Logger.getLogger(TaskRunner.class.getName());
  private static final Duration PATIENCE = Duration.ofMinutes(10);

  private final AppConfig config;
  private final TaskStore tasks;
  private final TaskSpecs specs;
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final Orchestrator orchestrator;
  private final TaskEvents events;

  TaskRunner(AppConfig config, TaskStore tasks, TaskSpecs specs, RedisAPI redis, RedisKeys keys,
      Orchestrator orchestrator, TaskEvents events) {
    this.config = config;
    this.tasks = tasks;
    this.specs = specs;
    this.redis = redis;
    this.keys = keys;
    this.orchestrator = orchestrator;
    this.events = events;
  }

  /** Runs (or resumes) the task. Returns normally in every case; failures end as a failed task. */
  void run(String taskId, BooleanSupplier stillOwner) throws Exception {
    Wiki wiki = Blocking.retrying("loading task " + taskId, PATIENCE, () -> tasks.wikiOf(taskId));
    if (wiki == null) {
      finish(taskId, null, false, true, "the task's wiki row is missing; nothing was created");
      return;
    }
    JsonObject spec = Blocking.retrying("loading task extras", PATIENCE, () -> specs.get(taskId));
    String templateName = spec.getString("template");
    Path template = config.farm().templateFor(templateName);
    if (template == null) {
      finish(taskId, wiki.id(), false, true, "template '" + templateName + "' is no longer configured; "
          + "add it to farm.templates or create the wiki with another template");
      return;
    }
    RedisLedger ledger = RedisLedger.load(redis, keys, taskId);
    boolean resuming = !ledger.entries().isEmpty() || !ledger.donePhases().isEmpty();
    Redactor redactor = Redactor.forConfig(config);
    Progress progress = new Progress(taskId);
    if (resuming) {
      // another node (or this one before a crash) already reported progress: never go below it, so observers
      // see a monotonic stream across the takeover
      org.wikifarm.provisioner.store.Task row = Blocking.retrying("loading task " + taskId, PATIENCE,
          () -> tasks.find(taskId));
      progress.floor = row == null ? 0 : row.progress();
    }
    PhaseContext ctx = new PhaseContext(
        new WikiRequest(taskId, wiki.id(), wiki.name(), wiki.slug(), wiki.language(), template),
        config, ledger, redactor, progress::output);
    LOG.info("task " + taskId + (resuming ? ": resuming " : ": starting ") + "wiki " + wiki.slug());
    progress.progress(null, progress.floor, resuming ? "resuming after an interruption" : "started");

    Orchestrator.Outcome outcome = orchestrator.run(ctx, progress, stillOwner);
    if (outcome.abandoned()) {
      LOG.warning("task " + taskId + ": lost its lease; another worker continues it");
      return;
    }
    if (outcome.succeeded()) {
      ledger.clear();
    }
    finish(taskId, wiki.id(), outcome.succeeded(), outcome.cleanedUp(), redactor.redact(outcome.message()));
  }

  /** Persists the end state (retrying through outages), then announces it and drops the extras. */
  private void finish(String taskId, Long wikiId, boolean succeeded, boolean cleanedUp, String message)
      throws Exception {
    if (succeeded) {
      Blocking.retrying("recording success of task " + taskId, PATIENCE, () -> tasks.succeed(taskId, wikiId, message));
    } else {
      Blocking.retrying("recording failure of task " + taskId, PATIENCE,
          () -> tasks.fail(taskId, wikiId, message, cleanedUp));
    }
    LOG.info("task " + taskId + (succeeded ? " succeeded" : " failed: " + message));
    events.finished(taskId, succeeded, succeeded ? wikiId : null, message);
    specs.delete(taskId).onFailure(e -> LOG.log(Level.FINE, "could not delete extras of " + taskId, e));
  }

  /** Forwards the orchestrator's progress and command output to events and the task row. */
  private final class Progress implements ProgressListener {
    private final String taskId;
    private volatile String phase;
    private volatile int percent;
    private volatile int floor;

    Progress(String taskId) {
      this.taskId = taskId;
    }

    @Override
    public void progress(String phase, int reported, String message) {
      int progress = Math.max(floor, reported);
      this.phase = phase;
      this.percent = progress;
      events.progress(taskId, "running", progress, phase, message);
      tasks.progress(taskId, progress, message)
          .onFailure(e -> LOG.fine("progress of " + taskId + " not persisted: " + e.getMessage()));
    }

    /** A line of command output: already redacted by the context; shown as the current phase's message. */
    void output(String line) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty()) {
        String shown = trimmed.length() > 300 ? trimmed.substring(0, 300) + "…" : trimmed;
        events.progress(taskId, "running", percent, phase, shown);
      }
    }
  }
}

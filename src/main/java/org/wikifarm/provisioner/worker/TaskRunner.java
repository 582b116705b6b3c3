package org.wikifarm.provisioner.worker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.Cancellation;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.support.Blocking;
import org.wikifarm.provisioner.support.TaskMetrics;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.Redactor;
import org.wikifarm.provisioner.provision.RollbackLedger;
import org.wikifarm.provisioner.provision.WikiRequest;
import org.wikifarm.provisioner.store.ClaimedTask;
import org.wikifarm.provisioner.store.PhaseTimings;
import org.wikifarm.provisioner.store.RedisKeys;
import org.wikifarm.provisioner.store.TaskSpecs;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskType;

/**
 * Runs one claimed task to its end on a provisioning thread, whatever its type: loads the wiki row, the stored
 * request and the ledger, drives the type's orchestrator, streams progress to events and the task row, and
 * persists the outcome the type's way ({@link TaskKind}). Blocking code; every wait on MariaDB or Redis retries
 * through short outages.
 */
public final class TaskRunner {
  private static final Logger LOG = Logger.getLogger(TaskRunner.class.getName());
  private static final Duration PATIENCE = Duration.ofMinutes(10);

  private final AppConfig config;
  private final TaskStore tasks;
  private final TaskSpecs specs;
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final Map<TaskType, TaskKind> kinds;
  private final TaskEvents events;
  private final Checkpoints checkpoints;
  private final PhaseTimings timings;
  private final TaskMetrics metrics;

  public TaskRunner(AppConfig config, TaskStore tasks, TaskSpecs specs, RedisAPI redis, RedisKeys keys,
      Map<TaskType, TaskKind> kinds, TaskEvents events, Checkpoints checkpoints, TaskMetrics metrics) {
    this.config = config;
    this.tasks = tasks;
    this.specs = specs;
    this.redis = redis;
    this.keys = keys;
    this.kinds = Map.copyOf(kinds);
    this.events = events;
    this.checkpoints = checkpoints;
    this.timings = new PhaseTimings(redis, keys);
    this.metrics = metrics;
  }

  /**
   * Runs (or resumes) the task on {@code node} (the audit log's actor). Returns normally in every case; failures
   * end as a failed task.
   */
  void run(ClaimedTask claimed, String node, BooleanSupplier stillOwner, boolean fromQueue) throws Exception {
    run(claimed, node, stillOwner, Cancellation.none(), fromQueue);
  }

  /**
   * As {@link #run(ClaimedTask, String, BooleanSupplier, boolean)}; a requested {@code cancellation} ends it as a
   * failure. {@code fromQueue}: the task was claimed from {@code queued} (never ran before), not taken over
   * from a node whose lease expired.
   */
  void run(ClaimedTask claimed, String node, BooleanSupplier stillOwner, Cancellation cancellation,
      boolean fromQueue) throws Exception {
    String taskId = claimed.id();
    TaskKind kind = kinds.get(claimed.type());
    StartReads start = Blocking.retrying("loading task " + taskId, PATIENCE, () -> readStart(taskId));
    Wiki wiki = start.wiki();
    WikiRequest request;
    try {
      request = kind.request(taskId, wiki, start.spec());
    } catch (TaskKind.CannotRun e) {
      cannotRun(kind, claimed, node, wiki, start.ledger(), start.row(), e.getMessage());
      return;
    }
    Orchestrator orchestrator = kind.orchestrator();
    RollbackLedger ledger = ObservedLedger.wrap(start.ledger(), checkpoints, wiki.slug());
    Redactor redactor = Redactor.forConfig(config);
    // A resumed task continues from where the crashed run got to, never from 0: SSE replays the crashed
    // run's events before ours, and progress must stay monotonic across the takeover (SPEC §5). The row says
    // how far it got even when Redis lost the ledger.
    Task row = start.row();
    int reached = Math.max(orchestrator.progressAfter(ledger.donePhases()), row == null ? 0 : row.progress());
    boolean resuming = reached > 0 || !ledger.entries().isEmpty();
    TaskProgress progress = new TaskProgress(taskId, wiki.slug(), reached, tasks, events, timings, checkpoints,
        metrics, orchestrator::progressOf);
    PhaseContext ctx = new PhaseContext(request, config, ledger, redactor, progress::output);
    if (fromQueue && !resuming) {
      ctx.firstRun(); // only a queued task is claimed this way: no earlier run can have left processes
    }
    // the tests (and operators' log searches) rely on "task <id>: starting wiki <slug>"; the type comes after
    LOG.info("task " + taskId + (resuming ? ": resuming " : ": starting ") + "wiki " + wiki.slug() + " ("
        + claimed.type().wire() + ")");
    progress.progress(null, reached, resuming ? "resuming after an interruption" : "started");

    Orchestrator.Outcome outcome;
    try {
      outcome = orchestrator.run(ctx, progress, stillOwner, cancellation);
    } finally {
      progress.close();
    }
    if (outcome.result() == Orchestrator.Result.ABANDONED) {
      LOG.warning("task " + taskId + ": lost its lease; another worker continues it");
      return;
    }
    if (outcome.succeeded()) {
      checkpoints.reached(wiki.slug(), "finish", "before", null);
    } else if (claimed.type() == TaskType.CREATE_WIKI) { // a delete goes forward only: nothing is rolled back
      metrics.rolledBack(outcome.cleanedUp() ? TaskMetrics.CLEAN : TaskMetrics.LEFTOVERS);
    }
    finish(kind, claimed, node, wiki, outcome.succeeded(), outcome.cleanedUp(), progress.percent(),
        redactor.redact(outcome.message()));
    if (outcome.succeeded()) {
      // Only now: clearing the ledger before success is persisted made a crash in between restart the task
      // from scratch, find "its" directory unattributed, fail, and delete the wiki row over a complete wiki.
      try {
        ledger.clear();
      } catch (RuntimeException e) {
        LOG.warning("task " + taskId + ": ledger not cleared (" + e.getMessage() + "); its keys expire by themselves");
      }
    }
  }

  /** What a run starts from: the wiki row, the request's stored extras, the task row and the ledger. */
  private record StartReads(Wiki wiki, JsonObject spec, Task row, RedisLedger ledger) {}

  /**
   * The start's reads, asked together: none depends on another, so they cost one wait instead of five round
   * trips in a row (every task pays them before its first phase).
   */
  private Future<StartReads> readStart(String taskId) {
    Future<Wiki> wiki = tasks.wikiOf(taskId);
    Future<JsonObject> spec = tasks.specOf(taskId)
        // no spec column (migration not applied): only a task queued by an older version keeps extras in Redis
        .compose(row -> row != null ? Future.succeededFuture(row) : specs.get(taskId));
    Future<Task> row = tasks.find(taskId);
    Future<RedisLedger> ledger = RedisLedger.read(redis, keys, taskId);
    return Future.all(wiki, spec, row, ledger)
        .map(all -> new StartReads(wiki.result(), spec.result(), row.result(), ledger.result()));
  }

  /**
   * The task cannot run (its wiki row or its template is gone). A crashed earlier run may have created things:
   * the orchestrator undoes whatever the ledger holds (a delete undoes nothing and names what remains) before
   * the task fails, so nothing is left behind unnamed (SPEC §8).
   */
  private void cannotRun(TaskKind kind, ClaimedTask claimed, String node, Wiki wiki, RedisLedger ledger, Task row,
      String reason) throws Exception {
    String taskId = claimed.id();
    Redactor redactor = Redactor.forConfig(config);
    // how far the crashed run got: the done-set is written before a phase is reported finished, while the
    // row's progress is written asynchronously and may miss the last value when the node died right after it
    int doneUpTo = kind.orchestrator().progressAfter(ledger.donePhases());
    String problem = null;
    if (!ledger.entries().isEmpty()) {
      // undo only needs the task id and the ledger's references, not the template
      WikiRequest request = wiki == null ? new WikiRequest(taskId, 0, "", "", "", null)
          : new WikiRequest(taskId, wiki.id(), wiki.name(), wiki.slug(), wiki.language(), null);
      PhaseContext ctx = new PhaseContext(request, config, ledger, redactor, line -> { });
      LOG.info("task " + taskId + ": cannot resume (" + reason + "); rolling back what an earlier run created");
      problem = kind.orchestrator().rollback(ctx);
      if (claimed.type() == TaskType.CREATE_WIKI) {
        metrics.rolledBack(problem == null ? TaskMetrics.CLEAN : TaskMetrics.LEFTOVERS);
      }
    } else {
      ledger.clear(); // a done-set without entries
    }
    String message = reason + (problem == null ? "; nothing was left behind" : ". " + problem);
    // the row as the start read it: under our lease nothing else writes it, and a rollback writes no progress
    finish(kind, claimed, node, wiki, false, problem == null, Math.max(doneUpTo, row == null ? 0 : row.progress()),
        redactor.redact(message));
  }

  /**
   * Persists the end state (retrying through outages), then counts, audits and announces it, and drops the
   * extras.
   */
  private void finish(TaskKind kind, ClaimedTask claimed, String node, Wiki wiki, boolean succeeded,
      boolean cleanedUp, int reached, String message) throws Exception {
    String taskId = claimed.id();
    Long wikiId = wiki == null ? null : wiki.id();
    if (succeeded) {
      Blocking.retrying("recording success of task " + taskId, PATIENCE,
          () -> kind.succeed(tasks, taskId, wikiId, message));
    } else {
      Blocking.retrying("recording failure of task " + taskId, PATIENCE,
          () -> kind.fail(tasks, taskId, wikiId, message, cleanedUp));
    }
    events.wikiChanged(wiki);
    LOG.info("task " + taskId + (succeeded ? " succeeded" : " failed: " + message));
    String outcome = succeeded ? TaskMetrics.SUCCEEDED : TaskMetrics.FAILED;
    metrics.taskFinished(claimed.type().wire(), outcome);
    // no message: the task row and the SSE stream carry it; an audit line holds only facts that cannot leak
    JsonObject details = new JsonObject().put("type", claimed.type().wire());
    if (wiki != null) {
      details.put("wiki", wiki.slug());
    }
    if (!succeeded) {
      details.put("cleaned_up", cleanedUp);
    }
    Audit.record(node, "task.finish", taskId, outcome, details);
    // a failure keeps the progress it reached (the row keeps it too); only success is 100
    events.send(taskId, TaskEvent.finished(succeeded, succeeded ? 100 : reached, wikiId, message));
    specs.delete(taskId).onFailure(e -> LOG.log(Level.FINE, "could not delete extras of " + taskId, e));
  }
}

package org.wikifarm.provisioner.provision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.wikifarm.provisioner.support.Failures;

/**
 * Runs the phases of one task in order and owns everything around them: progress percentages, skipping phases
 * the ledger says are done (resume after a crash), bounded retries of transient failures, and rollback in
 * reverse ledger order when a phase fails for good. Plain blocking code: callers run it on a worker thread.
 */
public final class Orchestrator {
  private static final Logger LOG = Logger.getLogger(Orchestrator.class.getName());

  /** A phase, the progress reached when it completes, and the short label users see. */
  public record Step(Phase phase, int progressAfter, String label) {}

  /** How a run ended. */
  public enum Result {
    SUCCEEDED,
    /** A phase failed and rollback removed everything the task had created. */
    FAILED_CLEAN,
    /** A phase failed and rollback could not remove everything; the message names what is left. */
    FAILED_WITH_LEFTOVERS,
    /** This worker lost the task (its lease went to another worker, which carries on). */
    ABANDONED
  }

  /** The result and its user-facing, redacted message. */
  public record Outcome(Result result, String message) {
    public boolean succeeded() {
      return result == Result.SUCCEEDED;
    }

    /** After a failure: nothing the task created is left. */
    public boolean cleanedUp() {
      return result == Result.FAILED_CLEAN;
    }
  }

  private final List<Step> steps;
  private final int maxAttempts;
  private final Duration firstBackoff;

  public Orchestrator(List<Step> steps, int maxAttempts, Duration firstBackoff) {
    this.steps = List.copyOf(steps);
    this.maxAttempts = maxAttempts;
    this.firstBackoff = firstBackoff;
  }

  public List<Step> steps() {
    return steps;
  }

  /**
   * Runs (or resumes) every phase. Returns a failed outcome, after rolling back, when a phase fails; the
   * message is actionable and redacted. Never throws for a phase failure.
   */
  public Outcome run(PhaseContext ctx, ProgressListener listener) {
    return run(ctx, listener, () -> true);
  }

  /** As {@link #run(PhaseContext, ProgressListener)}, stopping between phases once {@code stillOwner} is false. */
  public Outcome run(PhaseContext ctx, ProgressListener listener, BooleanSupplier stillOwner) {
    return run(ctx, listener, stillOwner, Cancellation.none());
  }

  /**
   * As {@link #run(PhaseContext, ProgressListener, BooleanSupplier)}; once {@code cancellation} is requested the
   * running phase is interrupted (or the next one not started) and everything is rolled back as after a failure.
   */
  public Outcome run(PhaseContext ctx, ProgressListener listener, BooleanSupplier stillOwner,
      Cancellation cancellation) {
    Set<String> done = ctx.ledger().donePhases();
    int progress = 0;
    for (Step step : steps) {
      String name = step.phase().name();
      if (done.contains(name)) {
        progress = step.progressAfter();
        continue;
      }
      if (!stillOwner.getAsBoolean()) {
        return new Outcome(Result.ABANDONED, "abandoned: another worker took over the task");
      }
      if (cancellation.requested()) {
        return cancelled(ctx, cancellation, "before " + name);
      }
      listener.progress(name, progress, step.label());
      listener.phaseStarted(name);
      long started = System.nanoTime();
      try {
        cancellation.interruptibly(() -> runWithRetries(step, ctx, cancellation));
      } catch (Exception e) {
        if (cancellation.requested()) {
          return cancelled(ctx, cancellation, "during " + name);
        }
        String message = ctx.redactor().redact(failureMessage(step, e));
        LOG.log(Level.WARNING, "task " + ctx.request().taskId() + ": " + message);
        String rollbackProblem = rollback(ctx);
        return rollbackProblem == null ? new Outcome(Result.FAILED_CLEAN, message)
            : new Outcome(Result.FAILED_WITH_LEFTOVERS, message + " " + rollbackProblem);
      }
      ctx.ledger().markDone(name);
      progress = step.progressAfter();
      listener.progress(name, progress, step.label() + ": done");
      listener.phaseFinished(name, Duration.ofNanos(System.nanoTime() - started));
    }
    return new Outcome(Result.SUCCEEDED, "wiki created");
  }

  /** The progress reached when {@code phase} completes (0 for a phase this task type does not have). */
  public int progressOf(String phase) {
    return steps.stream().filter(s -> s.phase().name().equals(phase)).mapToInt(Step::progressAfter).findFirst()
        .orElse(0);
  }

  /** The progress a task has reached once {@code done} phases are complete (0 when none is). */
  public int progressAfter(Set<String> done) {
    int progress = 0;
    for (Step step : steps) {
      if (done.contains(step.phase().name())) {
        progress = Math.max(progress, step.progressAfter());
      }
    }
    return progress;
  }

  /** The task was cancelled {@code when} ("during db_provision"): everything is undone as after a failure. */
  private Outcome cancelled(PhaseContext ctx, Cancellation cancellation, String when) {
    String message = "cancelled " + when + " (" + cancellation.reason() + ")";
    LOG.warning("task " + ctx.request().taskId() + ": " + message + "; rolling back");
    String rollbackProblem = rollback(ctx);
    return rollbackProblem == null ? new Outcome(Result.FAILED_CLEAN, message + "; nothing was left behind")
        : new Outcome(Result.FAILED_WITH_LEFTOVERS, message + ". " + rollbackProblem);
  }

  private void runWithRetries(Step step, PhaseContext ctx, Cancellation cancellation) throws Exception {
    Duration backoff = firstBackoff;
    for (int attempt = 1; ; attempt++) {
      try {
        step.phase().run(ctx);
        return;
      } catch (Exception e) {
        if (!Failures.isTransient(e) || attempt >= maxAttempts || cancellation.requested()) {
          throw e;
        }
        LOG.info("task " + ctx.request().taskId() + ": " + step.phase().name()
            + " hit a transient error, retrying in " + backoff.toMillis() + " ms");
        ctx.output("transient error, retrying (" + (attempt + 1) + "/" + maxAttempts + ")");
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2);
      }
    }
  }

  /**
   * Undoes everything in the ledger, newest first. Each undo is attempted even when an earlier one failed;
   * returns null when all went, or a sentence naming what is left for the operator.
   */
  public String rollback(PhaseContext ctx) {
    List<LedgerEntry> entries = new ArrayList<>(ctx.ledger().entries());
    List<String> left = new ArrayList<>();
    for (int i = entries.size() - 1; i >= 0; i--) {
      LedgerEntry entry = entries.get(i);
      Phase owner = steps.stream().map(Step::phase).filter(p -> p.name().equals(entry.phase()))
          .findFirst().orElse(null);
      if (owner == null) {
        left.add(entry.kind() + " " + entry.ref());
        continue;
      }
      try {
        owner.undo(entry, ctx);
      } catch (Exception e) {
        LOG.log(Level.WARNING, "task " + ctx.request().taskId() + ": could not undo " + entry.kind() + " "
            + entry.ref() + ": " + ctx.redactor().redact(String.valueOf(e.getMessage())));
        left.add(entry.kind() + " " + entry.ref());
      }
    }
    if (left.isEmpty()) {
      ctx.ledger().clear();
      return null;
    }
    return "Rollback could not remove: " + String.join(", ", left) + "; remove them by hand.";
  }

  private static String failureMessage(Step step, Exception e) {
    if (e instanceof ProvisionException) {
      return step.phase().name() + " failed: " + e.getMessage();
    }
    return step.phase().name() + " failed: " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage())
        + ". Check the service log and the farm's state, then retry with a new request.";
  }
}

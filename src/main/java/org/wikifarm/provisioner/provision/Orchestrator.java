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
 * the ledger says are done (resume after a crash), bounded retries of transient failures, and what happens when
 * a phase fails for good: a create rolls back in reverse ledger order; a delete is {@link #forwardOnly} —
 * nothing it removed can be put back, so it stops where it is and reports what its phases still have to remove
 * ({@link Phase#remaining}). Plain blocking code: callers run it on a worker thread.
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
  private final Duration retryFor;
  private final Duration firstBackoff;
  private final boolean rollsBack;
  private final String doneMessage;
  /** The longest wait between two attempts, so a dependency that returns is noticed within seconds. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

  /**
   * @param retryFor how long transient failures of one phase are retried: attempts continue while the waits
   *     between them (exponential backoff from {@code firstBackoff}, at most {@link #MAX_BACKOFF}) add up to no
   *     more than this; then the phase fails
   */
  public Orchestrator(List<Step> steps, Duration retryFor, Duration firstBackoff) {
    this(steps, retryFor, firstBackoff, true, "wiki created");
  }

  private Orchestrator(List<Step> steps, Duration retryFor, Duration firstBackoff, boolean rollsBack,
      String doneMessage) {
    this.steps = List.copyOf(steps);
    this.retryFor = retryFor;
    this.firstBackoff = firstBackoff;
    this.rollsBack = rollsBack;
    this.doneMessage = doneMessage;
  }

  /**
   * An orchestrator for a task that removes things (a delete): on failure nothing is undone; the outcome names
   * what {@link Phase#remaining} reports. Its phases record nothing to undo.
   */
  public static Orchestrator forwardOnly(List<Step> steps, Duration retryFor, Duration firstBackoff,
      String doneMessage) {
    return new Orchestrator(steps, retryFor, firstBackoff, false, doneMessage);
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
    prepare(ctx, done);
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
        listener.phaseFailed(name, Duration.ofNanos(System.nanoTime() - started));
        if (cancellation.requested()) {
          return cancelled(ctx, cancellation, "during " + name);
        }
        String message = ctx.redactor().redact(failureMessage(step, e, ctx.request().taskId()));
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
    return new Outcome(Result.SUCCEEDED, doneMessage);
  }

  /** Lets every phase still to run start its work ahead; one that cannot does that work in its turn. */
  private void prepare(PhaseContext ctx, Set<String> done) {
    for (Step step : steps) {
      if (!done.contains(step.phase().name())) {
        try {
          step.phase().prepare(ctx);
        } catch (RuntimeException e) {
          LOG.log(Level.FINE, "task " + ctx.request().taskId() + ": " + step.phase().name()
              + " does its work in its turn (" + e + ")");
        }
      }
    }
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
    Duration waited = Duration.ZERO; // the planned waits, so a busy machine's slow sleeps cannot cut retries short
    while (true) {
      try {
        step.phase().run(ctx);
        return;
      } catch (Exception e) {
        if (!Failures.isTransient(e) || waited.plus(backoff).compareTo(retryFor) > 0 || cancellation.requested()) {
          throw e;
        }
        waited = waited.plus(backoff);
        String cause = ctx.redactor().redact(Failures.rootMessage(e));
        LOG.info("task " + ctx.request().taskId() + ": " + step.phase().name() + " hit a transient error ("
            + cause + "), retrying in " + backoff.toMillis() + " ms");
        ctx.output("waiting for a dependency to answer again (" + step.label() + "): retrying in "
            + Math.max(1, backoff.toSeconds()) + " s, for up to " + retryFor.toSeconds() + " s in all");
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  /**
   * Undoes everything in the ledger, newest first. Each undo is attempted even when an earlier one failed;
   * returns null when all went, or a sentence naming what is left for the operator. A {@link #forwardOnly}
   * task undoes nothing: the sentence names what its phases still have to remove.
   */
  public String rollback(PhaseContext ctx) {
    if (!rollsBack) {
      String remaining = remaining(ctx);
      ctx.ledger().clear(); // a retry is a new task; this one's done-set must not outlive it
      return remaining;
    }
    List<LedgerEntry> entries = new ArrayList<>(ctx.ledger().entries());
    // what the resources themselves prove is ours, though the ledger (Redis) lost it: undone last-phase first
    for (Step step : steps) {
      try {
        for (LedgerEntry found : step.phase().discover(ctx)) {
          if (!entries.contains(found)) {
            entries.add(found);
          }
        }
      } catch (Exception e) {
        LOG.log(Level.WARNING, "task " + ctx.request().taskId() + ": could not look for resources of "
            + step.phase().name() + ": " + ctx.redactor().redact(String.valueOf(e.getMessage())));
      }
    }
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

  /** What the phases of a forward-only task still have to remove, as a sentence, or null when nothing. */
  private String remaining(PhaseContext ctx) {
    List<String> left = new ArrayList<>();
    for (Step step : steps) {
      try {
        left.addAll(step.phase().remaining(ctx));
      } catch (Exception e) {
        left.add("whatever " + step.phase().name() + " removes (could not check: "
            + ctx.redactor().redact(Failures.rootMessage(e)) + ")");
      }
    }
    return left.isEmpty() ? null : "Still in place: " + String.join(", ", left) + ".";
  }

  /**
   * What the task says when a phase fails: the step and the cause in words, and what to do. A
   * {@link ProvisionException}'s message is written for users and shown as it is; anything else is described by
   * its kind only (its text may hold host paths or internals), with the details under an incident id in the log.
   */
  private static String failureMessage(Step step, Exception e, String taskId) {
    if (e instanceof ProvisionException) {
      return step.phase().name() + " failed: " + e.getMessage();
    }
    String incident = java.util.UUID.randomUUID().toString().substring(0, 8);
    LOG.log(Level.WARNING, "task " + taskId + ": " + step.phase().name() + " failed (incident " + incident + ")", e);
    return step.phase().name() + " failed: " + Failures.describe(e) + ". The operator finds the details under "
        + "incident " + incident + " in the service log; retry with a new request once it is fixed.";
  }

}

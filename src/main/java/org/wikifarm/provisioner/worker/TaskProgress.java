package org.wikifarm.provisioner.worker;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.function.ToIntFunction;
import java.util.logging.Logger;
import org.wikifarm.provisioner.provision.ProgressListener;
import org.wikifarm.provisioner.store.PhaseTimings;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.support.TaskMetrics;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskStatus;

/**
 * The progress of one running task: forwards the orchestrator's progress and command output to events and the
 * task row, keeps the bar moving inside a phase (paced by that phase's recent median duration), records how
 * long each phase took (for pacing, and in {@code wikifarm_phase_duration_seconds}), and reports the run's
 * {@link Checkpoints}. Progress never goes back.
 *
 * <p>Every value goes out as an event; the task row is written when the progress rises (and once at the start
 * of a run), not for a phase's start, which repeats the value the previous phase ended on: one autocommit
 * per phase instead of two. Nothing waits on those writes, nor on the phase's recent durations: the pacer
 * starts when they arrive (its first tick is a second away anyway).
 */
final class TaskProgress implements ProgressListener {
  private static final Logger LOG = Logger.getLogger(TaskProgress.class.getName());
  /** Assumed duration of a phase this farm has never run; the first tasks only set the pace. */
  static final Duration UNKNOWN_PHASE_DURATION = Duration.ofSeconds(30);

  private final String taskId;
  private final String slug;
  private final TaskStore tasks;
  private final TaskEvents events;
  private final PhaseTimings timings;
  private final Checkpoints checkpoints;
  private final TaskMetrics metrics;
  /** The progress a phase reaches when it completes. */
  private final ToIntFunction<String> progressAfter;
  private String phase;
  private int percent;
  private String message;
  private ScheduledFuture<?> pacer;
  /** The progress last written to the task row; -1 until the run's first write. */
  private int persisted = -1;
  /** Counts phase starts and ends, so durations arriving after their phase ended start no pacer. */
  private long phaseRun;

  TaskProgress(String taskId, String slug, int reached, TaskStore tasks, TaskEvents events, PhaseTimings timings,
      Checkpoints checkpoints, TaskMetrics metrics, ToIntFunction<String> progressAfter) {
    this.taskId = taskId;
    this.slug = slug;
    this.percent = reached;
    this.tasks = tasks;
    this.events = events;
    this.timings = timings;
    this.checkpoints = checkpoints;
    this.metrics = metrics;
    this.progressAfter = progressAfter;
  }

  /** The progress reached so far (what a failed task's terminal event keeps). */
  synchronized int percent() {
    return percent;
  }

  @Override
  public synchronized void progress(String phase, int reported, String message) {
    this.phase = phase;
    this.message = message;
    int value = Math.max(percent, reported); // never below what a crashed earlier run reached
    publish(value, message, value > persisted);
  }

  /** A line of command output (already redacted by the context): shown as the current phase's message. */
  synchronized void output(String line) {
    String trimmed = line.strip();
    if (!trimmed.isEmpty()) {
      message = trimmed.length() > 300 ? trimmed.substring(0, 300) + "…" : trimmed;
      publish(percent, message, false);
    }
  }

  @Override
  public void phaseStarted(String phase) {
    checkpoints.reached(slug, phase, "before", null);
    long run;
    int from;
    synchronized (this) {
      stopPacer();
      run = ++phaseRun;
      from = percent;
    }
    int to = progressAfter.applyAsInt(phase);
    timings.median(phase).onComplete(ar -> {
      if (ar.failed()) {
        LOG.fine(() -> "no recent durations of " + phase + " (" + ar.cause().getMessage() + "); pacing by the default");
      }
      Duration expected = ar.succeeded() && ar.result() != null ? ar.result() : UNKNOWN_PHASE_DURATION;
      synchronized (this) {
        if (run == phaseRun) { // still this phase: not finished, failed or superseded meanwhile
          pacer = ProgressPacer.start(from, to, expected, this::paced);
        }
      }
    });
  }

  @Override
  public void phaseFinished(String phase, Duration took) {
    synchronized (this) {
      stopPacer();
      phaseRun++; // durations still on their way start no pacer
    }
    LOG.fine(() -> "task " + taskId + ": " + phase + " took " + took.toMillis() + " ms");
    metrics.phaseFinished(phase, TaskMetrics.SUCCEEDED, took);
    timings.record(phase, took).onFailure(e -> LOG.fine("phase duration not recorded: " + e.getMessage()));
    checkpoints.reached(slug, phase, "after", null);
  }

  /** Counted, but kept out of the pacing median: a failure says nothing about how long the phase takes. */
  @Override
  public void phaseFailed(String phase, Duration took) {
    synchronized (this) {
      stopPacer();
      phaseRun++; // durations still on their way start no pacer
    }
    metrics.phaseFinished(phase, TaskMetrics.FAILED, took);
  }

  /** Stops pacing (the run ended, however it ended). */
  synchronized void close() {
    stopPacer();
    phaseRun++;
  }

  private synchronized void paced(int value) {
    if (pacer != null && value > percent) {
      publish(value, message, true);
    }
  }

  private void stopPacer() {
    if (pacer != null) {
      pacer.cancel(false);
      pacer = null;
    }
  }

  private void publish(int value, String shown, boolean persist) {
    percent = Math.max(percent, value);
    events.send(taskId, TaskEvent.progress(TaskStatus.RUNNING, percent, phase, shown));
    if (persist) {
      persisted = percent;
      tasks.progress(taskId, percent, shown)
          .onFailure(e -> LOG.fine("progress of " + taskId + " not persisted: " + e.getMessage()));
    }
  }
}

package org.wikifarm.provisioner.support;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The service's own meters (SPEC §8), on the registry {@code /metrics} serves. Micrometer names are dotted; the
 * Prometheus registry writes them as {@code wikifarm_tasks_total}, {@code wikifarm_phase_duration_seconds} and so
 * on. One instance per node, handed to the worker, the SSE layer and the HTTP layer; it lives here, at the bottom,
 * so each of them can feed it without depending on another.
 */
public final class TaskMetrics {
  /** Outcomes of a task and of a phase, as the {@code outcome} label spells them. */
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  /** Results of a rollback: everything the task created is gone, or something is left for an operator. */
  public static final String CLEAN = "clean";
  public static final String LEFTOVERS = "leftovers";

  /**
   * Phase durations span a second (render_ini) to many minutes (install, index); fixed buckets keep the series
   * count small and comparable across nodes, unlike client-side percentiles.
   */
  private static final Duration[] PHASE_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
      Duration.ofMinutes(10), Duration.ofMinutes(30)};

  private final MeterRegistry registry;
  private final AtomicLong queueDepth = new AtomicLong();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger sseConnections = new AtomicInteger();
  private final Counter leaseTakeovers;

  /** {@code taskTypes}: the task types whose counters exist from the start (the wire names). */
  public TaskMetrics(MeterRegistry registry, Collection<String> taskTypes) {
    this.registry = registry;
    gauge("wikifarm.queue.depth", "Queued tasks in the shared database (refreshed periodically)", queueDepth::get);
    gauge("wikifarm.tasks.running", "Tasks this node is running now", running::get);
    gauge("wikifarm.sse.connections", "Open SSE streams on this node", sseConnections::get);
    leaseTakeovers = Counter.builder("wikifarm.lease.takeovers")
        .description("Running tasks this node took over after their lease expired").register(registry);
    // the usual series exist from the start, so dashboards and rate() see a 0 rather than no data
    for (String type : taskTypes) {
      tasks(type, SUCCEEDED);
      tasks(type, FAILED);
    }
    rollbacks(CLEAN);
    rollbacks(LEFTOVERS);
  }

  /** A task ended on this node ({@code outcome}: {@link #SUCCEEDED} or {@link #FAILED}). */
  public void taskFinished(String type, String outcome) {
    tasks(type, outcome).increment();
  }

  /** A phase ended, done or failed for good (after its retries), {@code took} after it started. */
  public void phaseFinished(String phase, String outcome, Duration took) {
    Timer.builder("wikifarm.phase.duration").description("How long provisioning phases take")
        .tags("phase", phase, "outcome", outcome).serviceLevelObjectives(PHASE_BUCKETS)
        .register(registry).record(took);
  }

  /** A failed task was rolled back ({@code result}: {@link #CLEAN} or {@link #LEFTOVERS}). */
  public void rolledBack(String result) {
    rollbacks(result).increment();
  }

  public void leaseTakenOver() {
    leaseTakeovers.increment();
  }

  public void taskStarted() {
    running.incrementAndGet();
  }

  public void taskStopped() {
    running.decrementAndGet();
  }

  /** Tasks this node is running now (the {@code wikifarm_tasks_running} gauge). */
  public int running() {
    return running.get();
  }

  public void sseOpened() {
    sseConnections.incrementAndGet();
  }

  public void sseClosed() {
    sseConnections.decrementAndGet();
  }

  public void queueDepth(long queued) {
    queueDepth.set(queued);
  }

  /** The OAuth key pairs this node holds generated ahead of the tasks that will take them. */
  public void spareKeyPairs(Supplier<Number> ready) {
    gauge("wikifarm.oauth.spare.keys", "OAuth key pairs generated ahead and not yet taken by a task", ready);
  }

  private void gauge(String name, String description, Supplier<Number> value) {
    // a node started again on the same Vert.x registers again: an old gauge would go on reading the old state
    registry.find(name).meters().forEach(registry::remove);
    Gauge.builder(name, value).description(description).strongReference(true).register(registry);
  }

  private Counter tasks(String type, String outcome) {
    return Counter.builder("wikifarm.tasks").description("Tasks that ended on this node")
        .tags("type", type, "outcome", outcome).register(registry);
  }

  private Counter rollbacks(String result) {
    return Counter.builder("wikifarm.rollbacks").description("Rollbacks of failed tasks on this node")
        .tag("result", result).register(registry);
  }
}

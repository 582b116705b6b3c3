package org.wikifarm.provisioner.provision;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One task's work started before its phase's turn ({@link Phase#prepare}): pure computation that creates and
 * records nothing, so it runs while earlier phases wait on disks and databases. The oauth phase's RSA key
 * generation is the case: 50–450 ms of CPU that needs nothing from the phases before it, and would otherwise
 * be waited for after them. What a task never takes (it failed or was cancelled first) is dropped with the
 * task's context and never reaches anything on disk.
 */
public final class WorkAhead {
  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
  /** Daemon threads: a node stopping never waits for work nobody will take. At most one job per running task. */
  private static final ExecutorService THREADS = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "wikifarm-work-ahead-" + THREAD_NUMBER.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  });

  private final Map<String, Future<?>> started = new ConcurrentHashMap<>();

  /** Starts {@code phase}'s work unless it was started already for this task. */
  public void start(String phase, Callable<?> work) {
    started.computeIfAbsent(phase, p -> THREADS.submit(work));
  }

  /**
   * The result of {@code phase}'s work, waiting for it; empty when none was started, it was taken already, or it
   * failed: the phase then does the work itself, so a failure is reported where it always was. Taken at most
   * once, so a retried phase never reuses what its failed attempt had.
   */
  public <T> Optional<T> take(String phase, Class<T> type) throws InterruptedException {
    Future<?> work = started.remove(phase);
    if (work == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(type.cast(work.get()));
    } catch (ExecutionException | ClassCastException e) {
      return Optional.empty();
    }
  }
}

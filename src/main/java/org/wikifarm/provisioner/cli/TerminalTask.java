package org.wikifarm.provisioner.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.wikifarm.provisioner.app.OneOffProvision;
import org.wikifarm.provisioner.cluster.StandaloneVertx;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.Cancellation;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.task.TaskStatus;
import org.wikifarm.provisioner.task.TaskType;

/**
 * One task queued from the terminal and run right here (`provision`, `wikis delete`): a shutdown hook is in place
 * before anything is queued, the task runs on this thread through {@link OneOffProvision} with a live
 * {@link ProgressDisplay} (or is followed on the service's node that claimed it first), and Ctrl-C (or SIGTERM)
 * asks it to stop the task type's way and holds the process until that is recorded. A SIGKILL leaves the task
 * to the service, whose workers take it over once its lease expires.
 */
final class TerminalTask {
  /** How long an interrupted run may take to stop its phase (and roll back) before the process exits anyway. */
  private static final Duration STOP_WAIT = Duration.ofMinutes(5);

  /** Queues the task and returns its id, or refuses with the exit code and the message to print. */
  interface Enqueue {
    String queue(OneOffProvision run) throws Exception;
  }

  /** The request was refused before anything was queued. */
  static final class Refused extends Exception {
    final int exitCode;

    Refused(int exitCode, String message) {
      super(message, null, false, false);
      this.exitCode = exitCode;
    }
  }

  private TerminalTask() {}

  /**
   * Runs it to its end: exit 0 and {@code succeeded} (given the task id) on success, 1 with the task's message
   * otherwise; {@code interrupting} says what Ctrl-C does, {@code starting} announces the queued task.
   */
  static int run(Main main, TaskType type, boolean plain, String interrupting, Enqueue enqueue,
      Function<String, String> starting, Function<Duration, String> succeeded) throws Exception {
    Main.quietLogging();
    AppConfig config = main.config();
    Cancellation cancellation = Cancellation.none();
    CountDownLatch finished = new CountDownLatch(1);
    Thread onSignal = new Thread(() -> cancelAndWait(main, cancellation, finished, interrupting),
        type.wire() + "-interrupted");
    // before anything is queued: a task queued and then left behind would be picked up by the service
    Runtime.getRuntime().addShutdownHook(onSignal);
    Vertx vertx = StandaloneVertx.create(new VertxOptions());
    try (OneOffProvision run = OneOffProvision.open(vertx, config)) {
      String taskId;
      try {
        taskId = enqueue.queue(run);
      } catch (Refused e) {
        main.err.println(e.getMessage());
        return e.exitCode;
      }
      main.out.println("task " + taskId + ": " + starting.apply(taskId));
      try (ProgressDisplay display = new ProgressDisplay(main.out, Main.stdoutIsTerminal && !plain)) {
        var events = run.watch(taskId, display::event);
        if (!run.run(taskId, type, cancellation)) {
          display.note("a worker of the service claimed the task first; following it there");
          follow(run, taskId, cancellation, display);
        }
        display.awaitEnd(Duration.ofSeconds(5));
        events.unregister();
        Task row = run.task(taskId);
        if (row.status() == TaskStatus.SUCCEEDED) {
          main.out.println(succeeded.apply(display.elapsed()));
          return 0;
        }
        main.err.println("task " + taskId + " " + row.status().wire() + ": " + row.message());
        return 1;
      }
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onSignal);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waited for this very moment
      }
      vertx.close();
    }
  }

  /** The task runs on a node of the service: its row tells how far it is, until it ends or we are interrupted. */
  private static void follow(OneOffProvision run, String taskId, Cancellation cancellation, ProgressDisplay display)
      throws Exception {
    while (!cancellation.requested()) {
      Task row = run.task(taskId);
      if (row.status().terminal()) {
        return;
      }
      Thread.sleep(500);
    }
    display.note("stopped following; the task keeps running on the node that claimed it: tasks show " + taskId);
  }

  /** The shutdown hook: ask the task to stop ({@code doing} says what happens now) and hold the JVM until it has. */
  private static void cancelAndWait(Main main, Cancellation cancellation, CountDownLatch finished, String doing) {
    if (finished.getCount() == 0) {
      return; // an ordinary exit after the command ended
    }
    cancellation.cancel("interrupted from the terminal");
    main.err.println();
    main.err.println("interrupted: " + doing + "…");
    try {
      if (!finished.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        main.err.println("the task did not end within " + STOP_WAIT.toMinutes() + " minutes; it is "
            + "left to the service, which takes it over when its lease expires");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    main.err.flush();
    ShutdownLogManager.resetAfterShutdown();
  }
}

package org.wikifarm.provisioner.cli;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.wikifarm.provisioner.app.OneOffProvision;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.Cancellation;
import org.wikifarm.provisioner.store.SlugTakenException;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.task.TaskStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code provision}: creates one wiki from the terminal through the service's own validation, queue and worker
 * ({@link OneOffProvision}), with a live progress bar. Ctrl-C (or SIGTERM) cancels: the JVM's shutdown hook asks
 * the running task to stop, the orchestrator interrupts the current phase and undoes its ledger, the task ends
 * {@code failed}, and only then does the process exit. A SIGKILL leaves the task to the service, whose workers
 * take it over once its lease expires.
 */
@Command(name = "provision", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Create one wiki now, from this terminal, through the same validation and pipeline as the API "
        + "(no HTTP server needed). Shows a live progress bar on a terminal, plain lines otherwise.",
        "Ctrl-C rolls the wiki back cleanly: the task ends failed and nothing it created is left."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:the wiki is ready",
        "1:the task failed (rolled back; the message says why) or the slug is taken", Main.EXIT_USAGE,
        "130:interrupted (SIGINT) after the rollback finished; 143 for SIGTERM"})
final class ProvisionCommand implements Callable<Integer> {
  /** How long an interrupted run may take to stop its phase and roll back before the process exits anyway. */
  private static final Duration ROLLBACK_WAIT = Duration.ofMinutes(5);

  @ParentCommand Main main;

  @Option(names = "--name", required = true, description = "the wiki's name ($wgSitename)") String name;
  @Option(names = "--slug", required = true, description = "its slug: <slug>.<root host>, directory, database")
  String slug;
  @Option(names = "--owner-id", required = true, paramLabel = "ID", description = "the owner's MediaWiki user id")
  long ownerId;
  @Option(names = "--owner-name", required = true, paramLabel = "NAME", description = "the owner's user name")
  String ownerName;
  @Option(names = "--language", paramLabel = "CODE", description = "MediaWiki language code (default farm.default-language)")
  String language;
  @Option(names = "--template", paramLabel = "NAME", description = "a template of farm.templates (default: farm.template)")
  String template;
  @Option(names = "--visibility", description = "public|private|unlisted (default public)") String visibility;
  @Option(names = "--plain", description = "plain lines even on a terminal") boolean plain;

  @Override
  public Integer call() throws Exception {
    Main.quietLogging();
    AppConfig config = main.config();
    Cancellation cancellation = Cancellation.none();
    CountDownLatch finished = new CountDownLatch(1);
    Thread onSignal = new Thread(() -> cancelAndWait(main, cancellation, finished,
        "stopping the task and rolling back what it created"), "provision-interrupted");
    // before anything is queued: a task queued and then left behind would be picked up by the service
    Runtime.getRuntime().addShutdownHook(onSignal);
    Vertx vertx = Vertx.vertx();
    try (OneOffProvision provision = OneOffProvision.open(vertx, config)) {
      String taskId;
      try {
        taskId = provision.enqueue(new OneOffProvision.Request(name, slug, ownerId, ownerName, language, template,
            visibility));
      } catch (IllegalArgumentException e) {
        main.err.println("invalid request: " + e.getMessage());
        return 2;
      } catch (SlugTakenException e) {
        main.err.println(e.getMessage());
        return 1;
      }
      String url = config.farm().urlScheme() + "://" + slug + "." + config.farm().rootHost();
      main.out.println("task " + taskId + ": creating " + url);
      try (ProgressDisplay display = new ProgressDisplay(main.out, Main.stdoutIsTerminal && !plain)) {
        var events = provision.watch(taskId, display::event);
        if (!provision.run(taskId, cancellation)) {
          display.note("a worker of the service claimed the task first; following it there");
          follow(provision, taskId, cancellation, display);
        }
        display.awaitEnd(Duration.ofSeconds(5));
        events.unregister();
        Task row = provision.task(taskId);
        if (row.status() == TaskStatus.SUCCEEDED) {
          main.out.println("wiki '" + slug + "' is ready: " + url + " (" + Table.seconds(display.elapsed()) + ")");
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
  static void follow(OneOffProvision provision, String taskId, Cancellation cancellation, ProgressDisplay display)
      throws Exception {
    while (!cancellation.requested()) {
      Task row = provision.task(taskId);
      if (row.status().terminal()) {
        return;
      }
      Thread.sleep(500);
    }
    display.note("stopped following; the task keeps running on the node that claimed it: tasks show " + taskId);
  }

  /**
   * The shutdown hook (also {@code wikis delete}'s): ask the task to stop ({@code doing} says what happens now),
   * and hold the JVM until that is recorded.
   */
  static void cancelAndWait(Main main, Cancellation cancellation, CountDownLatch finished, String doing) {
    if (finished.getCount() == 0) {
      return; // an ordinary exit after the command ended
    }
    cancellation.cancel("interrupted from the terminal");
    main.err.println();
    main.err.println("interrupted: " + doing + "…");
    try {
      if (!finished.await(ROLLBACK_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        main.err.println("the task did not end within " + ROLLBACK_WAIT.toMinutes() + " minutes; it is "
            + "left to the service, which takes it over when its lease expires");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    main.err.flush();
    ShutdownLogManager.resetAfterShutdown();
  }
}

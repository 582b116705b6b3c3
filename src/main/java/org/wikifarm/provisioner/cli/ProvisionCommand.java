package org.wikifarm.provisioner.cli;

import java.util.concurrent.Callable;
import org.wikifarm.provisioner.app.OneOffProvision;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.store.SlugTakenException;
import org.wikifarm.provisioner.task.TaskType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code provision}: creates one wiki from the terminal through the service's own validation, queue and worker
 * ({@link OneOffProvision}), with a live progress bar ({@link TerminalTask}). Ctrl-C (or SIGTERM) cancels: the
 * orchestrator interrupts the current phase and undoes its ledger, the task ends {@code failed}, and only then
 * does the process exit.
 */
@Command(name = "provision", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Create one wiki now, from this terminal, through the same validation and pipeline as the API "
        + "(no HTTP server needed). Shows a live progress bar on a terminal, plain lines otherwise.",
        "Ctrl-C rolls the wiki back cleanly: the task ends failed and nothing it created is left."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:the wiki is ready",
        "1:the task failed (rolled back; the message says why) or the slug is taken", Main.EXIT_USAGE,
        "130:interrupted (SIGINT) after the rollback finished; 143 for SIGTERM"})
final class ProvisionCommand implements Callable<Integer> {

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
    AppConfig.Farm farm = main.config().farm();
    String url = farm.urlScheme() + "://" + slug + "." + farm.rootHost();
    return TerminalTask.run(main, TaskType.CREATE_WIKI, plain, "stopping the task and rolling back what it created",
        run -> {
          try {
            return run.enqueue(new OneOffProvision.Request(name, slug, ownerId, ownerName, language, template,
                visibility));
          } catch (IllegalArgumentException e) {
            throw new TerminalTask.Refused(2, "invalid request: " + e.getMessage());
          } catch (SlugTakenException e) {
            throw new TerminalTask.Refused(1, e.getMessage());
          }
        },
        taskId -> "creating " + url,
        elapsed -> "wiki '" + slug + "' is ready: " + url + " (" + Table.seconds(elapsed) + ")");
  }
}

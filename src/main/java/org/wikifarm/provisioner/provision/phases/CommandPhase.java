package org.wikifarm.provisioner.provision.phases;

import java.util.List;
import java.util.logging.Logger;
import org.wikifarm.provisioner.exec.CommandException;
import org.wikifarm.provisioner.exec.CommandExecutor;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Phases 5 ({@code docker_install}), 6 ({@code docker_index_cfg}) and 8 ({@code index}): runs the configured maintenance commands in order
 * in the wiki directory through the configured {@link CommandExecutor}, streaming each non-blank output line
 * as a progress message and stopping at the first failure. The scripts are idempotent, so a resumed task just
 * runs them again; the phase creates nothing it would have to undo and records no ledger entries.
 *
 * <p>A node SIGKILLed while a command ran leaves that command running (in the container, or re-parented on
 * the host). Before its first command the phase therefore stops every process still carrying this task's
 * marker ({@link CommandExecutor#stopLeftovers}), so a resumed task never runs a maintenance script twice at
 * once on one wiki. It looks only when there can be any ({@link PhaseContext#mayHaveLeftoverProcesses}: the
 * task is resumed, or a command of this run failed): the search reads every host process's environment (or
 * asks the container engine), which a task claimed fresh from the queue does not need.
 */
public final class CommandPhase implements Phase {
  private static final Logger LOG = Logger.getLogger(CommandPhase.class.getName());
  public static final String DOCKER_INSTALL = "docker_install";
  public static final String DOCKER_INDEX_CFG = "docker_index_cfg";
  public static final String INDEX = "index";

  private final String name;
  private final List<List<String>> commands;
  private final CommandExecutor executor;

  public CommandPhase(String name, List<List<String>> commands, CommandExecutor executor) {
    this.name = name;
    this.commands = commands.stream().map(List::copyOf).toList();
    this.executor = executor;
  }

  /** Phase 5 with the configured install commands. */
  public static CommandPhase install(List<List<String>> commands, CommandExecutor executor) {
    return new CommandPhase(DOCKER_INSTALL, commands, executor);
  }

  /** Phase 6 with the configured index-configuration commands. */
  public static CommandPhase indexConfig(List<List<String>> commands, CommandExecutor executor) {
    return new CommandPhase(DOCKER_INDEX_CFG, commands, executor);
  }

  /** Phase 8 with the configured index commands. */
  public static CommandPhase index(List<List<String>> commands, CommandExecutor executor) {
    return new CommandPhase(INDEX, commands, executor);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    if (commands.isEmpty()) {
      ctx.output("skipped: no commands configured");
      return;
    }
    String taskId = ctx.request().taskId();
    int current = 0;
    boolean ended = false;
    try {
      if (ctx.mayHaveLeftoverProcesses()) {
        int stopped = executor.stopLeftovers(taskId);
        if (stopped > 0) {
          ctx.output("stopped " + stopped + " leftover process(es) of an interrupted run");
        }
      }
      for (List<String> argv : commands) {
        current++;
        executor.runChecked(taskId, argv, ctx.wikiDir(), ctx.config().executor().commandTimeout(), line -> {
          String trimmed = line.trim();
          if (!trimmed.isEmpty()) {
            ctx.output(trimmed); // ctx.output redacts
          }
        }, ctx.redactor()::redact);
      }
      ended = true;
    } catch (CommandException e) {
      // the whole story (command line, host paths) goes to the log; the task message names the step and
      // the failure in words. A ProvisionException's message is shown as it is; transient ones are retried
      LOG.warning("task " + taskId + ": " + name + ": " + ctx.redactor().redact(e.getMessage()));
      String which = current == 0 ? "stopping an interrupted run's processes"
          : "command " + current + " of " + commands.size() + " (" + program(commands.get(current - 1)) + ")";
      throw new ProvisionException(which + " " + ctx.redactor().redact(e.forTask()), e.isTransient(), e);
    } finally {
      if (!ended) {
        ctx.commandEndedAbnormally(); // a retry (or a rollback's next run) stops what it may have left
      }
    }
  }

  /** The program's file name only: a task message never shows the command line. */
  private static String program(List<String> argv) {
    String first = argv.get(0);
    return first.substring(first.lastIndexOf('/') + 1);
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) {
    // never called: this phase records no ledger entries
  }
}

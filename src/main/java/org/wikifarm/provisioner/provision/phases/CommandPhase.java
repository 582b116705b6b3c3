package org.wikifarm.provisioner.provision.phases;

import java.util.List;
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
 * once on one wiki.
 */
public final class CommandPhase implements Phase {
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
    try {
      int stopped = executor.stopLeftovers(taskId);
      if (stopped > 0) {
        ctx.output("stopped " + stopped + " leftover process(es) of an interrupted run");
      }
      for (List<String> argv : commands) {
        executor.runChecked(taskId, argv, ctx.wikiDir(), ctx.config().executor().commandTimeout(), line -> {
          String trimmed = line.trim();
          if (!trimmed.isEmpty()) {
            ctx.output(trimmed); // ctx.output redacts
          }
        }, ctx.redactor()::redact);
      }
    } catch (CommandException e) {
      // the executor's message is already written for the task (actionable, redacted, no secrets); the
      // orchestrator shows a ProvisionException's message as it is and retries it only when transient
      throw new ProvisionException(e.getMessage(), e.isTransient(), e);
    }
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) {
    // never called: this phase records no ledger entries
  }
}

package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.exec.CommandExecutor;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.Orchestrator.Step;

/** The {@code create_wiki} task: the phases of SPEC §6 in order (names exactly the extension's), with the progress reached after each and the label users see. */
public final class CreateWikiPhases {
  private CreateWikiPhases() {}

  /** {@code spares}: the node's key pairs generated ahead ({@link SpareKeyPairs#none()} when it keeps none). */
  public static Orchestrator create(AppConfig config, Vertx vertx, CommandExecutor executor, SpareKeyPairs spares) {
    AppConfig.Executor ex = config.executor();
    List<Step> steps = List.of(
        new Step(new DirCopyPhase(), 10, "copy template"),
        new Step(new RenderIniPhase(), 20, "write pubwiki.ini"),
        new Step(DbProvisionPhase.readingPasswordFromIni(vertx), 30, "create database and user"),
        new Step(new OAuthKeysPhase(spares), 40, "generate OAuth keys"),
        new Step(CommandPhase.install(ex.installCommands(), executor), 60, "install site"),
        new Step(CommandPhase.indexConfig(ex.indexCfgCommands(), executor), 70, "configure search index"),
        new Step(new FlipBootstrapPhase(), 75, "finish bootstrap"),
        new Step(CommandPhase.index(ex.indexCommands(), executor), 90, "build search index"),
        new Step(new VerifyPhase(vertx), 95, "check that the wiki answers"));
    return new Orchestrator(steps, config.worker().transientRetry(), Duration.ofMillis(500));
  }
}

package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.Orchestrator.Step;

/**
 * The {@code delete_wiki} task (SPEC §6.2): archive (verified) before anything is dropped, then the database
 * and its user, the keys, the wiki directory; the worker then deletes the wiki row. Forward only: a deletion is
 * never rolled back; a failure stops where it is and names what remains.
 */
public final class DeleteWikiPhases {
  private DeleteWikiPhases() {}

  public static Orchestrator create(AppConfig config, Vertx vertx) {
    List<Step> steps = List.of(
        new Step(new ArchivePhase(vertx), 40, "archive the wiki"),
        new Step(new DropDbPhase(vertx), 60, "drop database and user"),
        new Step(RemoveDirPhase.keys(), 70, "remove OAuth keys"),
        new Step(RemoveDirPhase.wikiDir(), 90, "remove wiki directory"));
    return Orchestrator.forwardOnly(steps, config.worker().transientRetry(), Duration.ofMillis(500), "wiki deleted");
  }
}

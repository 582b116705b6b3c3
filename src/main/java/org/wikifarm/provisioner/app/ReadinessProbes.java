package org.wikifarm.provisioner.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wikifarm.provisioner.cluster.ClusterMembership;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.exec.CommandExecutor;
import org.wikifarm.provisioner.http.ReadinessCheck;
import org.wikifarm.provisioner.provision.phases.DbProvisionPhase;
import org.wikifarm.provisioner.store.WikiStore;

/** The dependencies {@code /ready} checks, one {@link ReadinessCheck} each (SPEC §4). */
final class ReadinessProbes {
  private ReadinessProbes() {}

  /**
   * The checks the claim gate uses: the same, but of the templates only the default one — every create
   * without a named template needs it, while a missing named template fails just the tasks that ask for it
   * (with a message saying so) instead of stopping every claim on the node. {@code /ready} still reports it.
   */
  static List<ReadinessCheck> forClaims(Vertx vertx, List<ReadinessCheck> checks, AppConfig.Farm farm) {
    List<ReadinessCheck> forClaims = new ArrayList<>();
    for (ReadinessCheck check : checks) {
      forClaims.add(!check.name().equals("templates") ? check : new ReadinessCheck("templates",
          () -> vertx.executeBlocking(() -> {
            requireTemplate(farm.defaultTemplate());
            return null;
          })));
    }
    return forClaims;
  }

  private static void requireTemplate(Path t) {
    if (!Files.isDirectory(t) || !Files.isRegularFile(t.resolve("pubwiki.ini"))) {
      throw new IllegalStateException("a template directory (farm.template / farm.templates) is missing or has no "
          + "pubwiki.ini");
    }
  }

  static List<ReadinessCheck> of(Vertx vertx, AppConfig.Farm farm, AppConfig.WikiDb wikiDb, WikiStore store,
      Redis redis, CommandExecutor executor, ClusterMembership membership) {
    List<ReadinessCheck> checks = new ArrayList<>();
    checks.add(new ReadinessCheck("mariadb", store::ping));
    checks.add(new ReadinessCheck("redis", () -> redis.send(Request.cmd(Command.PING))));
    if (membership.clustered()) {
      checks.add(new ReadinessCheck("cluster", () -> membership.canClaim() ? Future.succeededFuture()
          : Future.failedFuture("not a member, or fewer members than cluster.min-members"), membership::describe));
    }
    checks.add(new ReadinessCheck("templates", () -> vertx.executeBlocking(() -> {
      List<Path> templates = new ArrayList<>(farm.templates().values());
      templates.add(farm.defaultTemplate());
      for (Path t : templates) {
        requireTemplate(t);
      }
      return null;
    })));
    checks.add(new ReadinessCheck("executor", () -> vertx.executeBlocking(() -> {
      executor.checkReachable();
      return null;
    })));
    checks.add(new ReadinessCheck("admin-db", () -> vertx.executeBlocking(() -> {
      DbProvisionPhase.checkAdminLogin(vertx, wikiDb);
      return null;
    }, false)));
    return checks;
  }
}

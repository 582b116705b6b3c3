package org.wikifarm.provisioner.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.wikifarm.provisioner.store.OperatorStore;
import org.wikifarm.provisioner.store.RedisPrune;
import org.wikifarm.provisioner.support.Audit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code prune}: removes Redis keys that outlived their use (see {@link RedisPrune} for exactly which). */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Remove Redis keys that outlived their use: journals without an expiry of long-ended tasks, "
        + "ledgers and extras of ended tasks, keys of tasks MariaDB no longer has, idempotency records that never "
        + "expire or whose request died. Queued and running tasks are never touched."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Main.EXIT_OK, "1:Redis or MariaDB failed",
        Main.EXIT_USAGE})
final class PruneCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--dry-run", description = "count what would be removed, remove nothing")
  boolean dryRun;

  @Option(names = "--keep-failed-days", defaultValue = "7", paramLabel = "DAYS",
      description = "keep the ledger of a failed task this long: it names what its rollback left (default ${DEFAULT-VALUE})")
  int keepFailedDays;

  @Override
  public Integer call() throws Exception {
    Main.quietLogging();
    try (Clients clients = new Clients(main.config())) {
      RedisPrune prune = new RedisPrune(clients.redis(), clients.keys(), new OperatorStore(clients.pool),
          clients.config.redis());
      RedisPrune.Report r = prune.prune(Duration.ofDays(keepFailedDays), dryRun);
      String verb = dryRun ? "would remove" : "removed";
      main.out.printf("%s %d journal(s), %d ledger key(s), %d task extra(s), %d idempotency key(s); "
          + "%d key(s) looked at%n", verb, r.journals(), r.ledgers(), r.extras(), r.idempotencyKeys(), r.scanned());
      if (!dryRun) {
        Audit.record("operator", "redis.prune", "redis:" + clients.config.redis().keyPrefix(), "ok",
            new io.vertx.core.json.JsonObject().put("journals", r.journals()).put("ledgers", r.ledgers())
                .put("extras", r.extras()).put("idempotency", r.idempotencyKeys()));
      }
      return 0;
    }
  }
}

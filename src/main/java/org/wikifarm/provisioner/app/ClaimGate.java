package org.wikifarm.provisioner.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.wikifarm.provisioner.http.ReadinessCheck;

/**
 * Whether this node can run a task right now: every dependency a task needs answers (MariaDB, Redis, the admin
 * DB login, the executor, the templates, cluster membership). Checked on a timer, not per claim, so a broken
 * dependency costs one check per period, not one failed task per queued row; while it is closed the worker
 * leaves tasks {@code queued} and {@code /ready} says why. Logs when it closes (with the reasons) and opens.
 */
final class ClaimGate {
  private static final Logger LOG = Logger.getLogger(ClaimGate.class.getName());
  private static final long CHECK_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final List<ReadinessCheck> checks;
  private volatile boolean open;
  private String reasons = "not checked yet";
  private long timer = -1;

  ClaimGate(Vertx vertx, List<ReadinessCheck> checks) {
    this.vertx = vertx;
    this.checks = List.copyOf(checks);
  }

  /** Checks now and then every {@code period}; completes after the first check. */
  Future<Void> start(Duration period) {
    timer = vertx.setPeriodic(period.toMillis(), id -> check());
    return check();
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  boolean isOpen() {
    return open;
  }

  private Future<Void> check() {
    List<Future<String>> results = new ArrayList<>();
    for (ReadinessCheck c : checks) {
      Future<?> run;
      try {
        run = c.check().get();
      } catch (RuntimeException e) {
        run = Future.failedFuture(e);
      }
      results.add(run.timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS).map(v -> (String) null)
          .otherwise(e -> c.name() + ": " + (e.getMessage() == null ? "unavailable" : e.getMessage())));
    }
    return Future.join(results).otherwiseEmpty().map(v -> {
      List<String> problems = results.stream().map(Future::result).filter(p -> p != null).toList();
      boolean nowOpen = problems.isEmpty();
      String nowReasons = String.join("; ", problems);
      if (nowOpen && !open) {
        LOG.info("this node can run tasks; claiming queued tasks");
      } else if (!nowOpen && (open || !nowReasons.equals(reasons))) {
        LOG.warning("this node cannot run tasks, so it leaves them queued until it can (see /ready): " + nowReasons);
      }
      reasons = nowReasons;
      open = nowOpen;
      return null;
    });
  }
}

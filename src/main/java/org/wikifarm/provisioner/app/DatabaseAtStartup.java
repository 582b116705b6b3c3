package org.wikifarm.provisioner.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.support.Failures;

/**
 * The metadata database at start-up. A database that does not answer yet (it starts after us, a network blip)
 * is not a configuration error: the call is retried with backoff, logged as waiting, until
 * {@code database.connect-timeout}; then start-up fails as a runtime failure. Only an answer that no wait can
 * change — the login refused, the database missing — is a configuration problem.
 */
final class DatabaseAtStartup {
  private static final Logger LOG = Logger.getLogger(DatabaseAtStartup.class.getName());
  private static final int ER_DBACCESS_DENIED = 1044;
  private static final int ER_ACCESS_DENIED = 1045;
  private static final int ER_BAD_DB = 1049;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final AppConfig.Database db;
  private final long deadline;

  private DatabaseAtStartup(Vertx vertx, AppConfig.Database db) {
    this.vertx = vertx;
    this.db = db;
    this.deadline = System.nanoTime() + db.connectTimeout().toNanos();
  }

  /** {@code call}'s result once the database answers; fails as described above. */
  static <T> Future<T> await(Vertx vertx, AppConfig.Database db, Supplier<Future<T>> call) {
    return new DatabaseAtStartup(vertx, db).attempt(call, 1, 250);
  }

  private <T> Future<T> attempt(Supplier<Future<T>> call, int attempt, long backoffMs) {
    return call.get()
        .onSuccess(r -> {
          if (attempt > 1) {
            LOG.info("the metadata database at " + address() + " answers now (attempt " + attempt + ")");
          }
        })
        .recover(e -> {
          ConfigException refused = refusal(e);
          if (refused != null) {
            return Future.failedFuture(refused);
          }
          if (System.nanoTime() + backoffMs * 1_000_000 > deadline) {
            return Future.failedFuture(new IllegalStateException("the metadata database at " + address()
                + " (DATABASE_URL) did not answer within " + seconds(db.connectTimeout()) + " ("
                + Failures.rootMessage(e) + "); check that MariaDB is running and reachable from this host, "
                + "or raise database.connect-timeout"));
          }
          if (attempt == 1 || attempt % 5 == 0) {
            LOG.warning("the metadata database at " + address() + " does not answer yet ("
                + Failures.rootMessage(e) + "); retrying for up to " + seconds(db.connectTimeout()));
          }
          return vertx.timer(backoffMs)
              .compose(t -> attempt(call, attempt + 1, Math.min(MAX_BACKOFF_MS, backoffMs * 2)));
        });
  }

  /** The server answered and said no: a wrong user, password or database name in DATABASE_URL. */
  private ConfigException refusal(Throwable e) {
    if (!(e instanceof MySQLException m)) {
      return null;
    }
    return switch (m.getErrorCode()) {
      case ER_ACCESS_DENIED, ER_DBACCESS_DENIED -> new ConfigException(List.of("the metadata database at "
          + address() + " refused the login of '" + db.user() + "' (DATABASE_URL): check the user, the password "
          + "and that the account may connect from this host"));
      case ER_BAD_DB -> new ConfigException(List.of("the metadata database '" + db.name() + "' does not exist at "
          + address() + " (DATABASE_URL)"));
      default -> null;
    };
  }

  private String address() {
    return db.host() + ":" + db.port();
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}

package org.wikifarm.provisioner.store;

import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import org.wikifarm.provisioner.config.AppConfig;

/** Builds the metadata-database pool shared by all verticles of a node. */
public final class Pools {
  private Pools() {}

  public static Pool metadata(Vertx vertx, AppConfig.Database db) {
    MySQLConnectOptions connect = new MySQLConnectOptions()
        .setHost(db.host())
        .setPort(db.port())
        .setDatabase(db.name())
        .setUser(db.user())
        .setPassword(db.password().reveal())
        .setCharset("utf8mb4")
        .setCollation("utf8mb4_unicode_ci")
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256)
        // commands issued together on a borrowed connection go out together (the create's BEGIN and two
        // INSERTs: one round trip instead of three, see WikiStore.createWikiAndTask). A connection is still
        // lent to one borrower at a time: only MySQLBuilder.client() shares connections, this is a pool()
        .setPipeliningLimit(16);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(db.poolSize())
        // a burst waits for a connection instead of being refused (a bounded queue turned the 1,025th waiting
        // request into a 503); how long one may wait is bounded by the connection timeout below, and how many
        // wait by the HTTP connections open
        .setMaxWaitQueueSize(-1)
        // below MariaDB's wait_timeout (8 h default, often lowered by operators) so the server never
        // closes a connection the pool still believes is alive
        .setIdleTimeout((int) db.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setConnectionTimeout(10)
        .setConnectionTimeoutUnit(TimeUnit.SECONDS);
    return MySQLBuilder.pool()
        .with(pool)
        .connectingTo(connect)
        // DATETIME columns carry no zone: make CURRENT_TIMESTAMP and our reads agree on UTC
        .withConnectHandler(conn -> conn.query("SET time_zone = '+00:00'").execute()
            .onComplete(ar -> conn.close()))
        .using(vertx)
        .build();
  }
}

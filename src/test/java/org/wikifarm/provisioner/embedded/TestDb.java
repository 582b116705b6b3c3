package org.wikifarm.provisioner.embedded;

import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;

/** Blocking SQL for test assertions, as the admin account, in the metadata database by default. */
public final class TestDb implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;

  public TestDb() throws Exception {
    EmbeddedMariaDb db = TestInfra.mariaDb();
    pool = MySQLBuilder.pool().connectingTo(new MySQLConnectOptions().setHost("127.0.0.1").setPort(db.port())
            .setUser(EmbeddedMariaDb.ADMIN_USER).setPassword(EmbeddedMariaDb.ADMIN_PASSWORD)
            .setDatabase(EmbeddedMariaDb.METADATA_DB))
        .withConnectHandler(conn -> conn.query("SET time_zone = '+00:00'").execute().onComplete(ar -> conn.close()))
        .using(vertx).build();
  }

  public RowSet<Row> query(String sql, Object... params) throws Exception {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  public long count(String sql, Object... params) throws Exception {
    return query(sql, params).iterator().next().getLong(0);
  }

  @Override
  public void close() {
    pool.close();
    vertx.close();
  }
}

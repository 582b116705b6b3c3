package org.wikifarm.provisioner.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The test infrastructure itself: real servers, real accounts with real privilege checks. */
class EmbeddedInfraTest {

  @Test
  void appAccountSeesSchemaButCannotCreateDatabases() throws Exception {
    EmbeddedMariaDb db = TestInfra.mariaDb();
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = MySQLBuilder.pool().connectingTo(new MySQLConnectOptions().setHost("127.0.0.1")
          .setPort(db.port()).setUser(EmbeddedMariaDb.APP_USER).setPassword(EmbeddedMariaDb.APP_PASSWORD)
          .setDatabase(EmbeddedMariaDb.METADATA_DB)).using(vertx).build();
      Row row = pool.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema='mediawiki' "
          + "AND table_name LIKE 'wikifarm_%'").execute().toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS).iterator().next();
      assertEquals(3L, row.getLong("n"));
      Throwable denied = pool.query("CREATE DATABASE should_fail").execute()
          .toCompletionStage().toCompletableFuture().handle((r, e) -> e).get(30, TimeUnit.SECONDS);
      assertEquals(true, denied != null && denied.getMessage().contains("denied"), String.valueOf(denied));
      Redis redis = Redis.createClient(vertx, TestInfra.redis().url());
      String pong = redis.send(Request.cmd(Command.PING)).toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS).toString();
      assertEquals("PONG", pong);
    } finally {
      vertx.close();
    }
  }
}

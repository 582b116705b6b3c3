package org.wikifarm.provisioner.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLClient;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.UUID;

/**
 * The floor of the POST row, run as its own JVM by {@link PostSection}: the least a Vert.x HTTP endpoint can do
 * for a create — read the JSON body, run the same two-row transaction on a vertx-mysql-client pool, answer 202
 * with a task id — with nothing of the service's (no validation, idempotency, rate limit, journal, audit or
 * metrics). As many HTTP event loops and as large a pool as the service's defaults, so the two differ only in
 * what the service does per request. Arguments: {@code <db port> <db user> <db password> <db name> <pool size>
 * <http instances>}. Prints {@code listening <port>} on 127.0.0.1.
 */
public final class PlainPostEndpoint extends VerticleBase {
  private static final String INSERT_WIKI = "INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, "
      + "owner_username, visibility, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')";
  private static final String INSERT_TASK = "INSERT INTO wikifarm_tasks (id, type, status, progress, wiki_id, "
      + "created_by_user_id, created_by_username) VALUES (?, 'create_wiki', 'queued', 0, ?, ?, ?)";

  private final Pool pool;
  private final int port;

  private PlainPostEndpoint(Pool pool, int port) {
    this.pool = pool;
    this.port = port;
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    vertx.exceptionHandler(Throwable::printStackTrace);
    Pool pool = MySQLBuilder.pool()
        .with(new PoolOptions().setMaxSize(Integer.parseInt(args[4])))
        .connectingTo(new MySQLConnectOptions().setHost("127.0.0.1").setPort(Integer.parseInt(args[0]))
            .setUser(args[1]).setPassword(args[2]).setDatabase(args[3]).setSslMode(SslMode.DISABLED))
        .using(vertx).build();
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // every instance binds it, and Vert.x shares the one listening socket
    }
    vertx.deployVerticle(() -> new PlainPostEndpoint(pool, port),
            new DeploymentOptions().setInstances(Integer.parseInt(args[5])))
        .onSuccess(ids -> {
          System.out.println("listening " + port);
          System.out.flush();
        })
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(this::handle)
        .listen();
  }

  private void handle(HttpServerRequest request) {
    request.body()
        .compose(body -> create(body.toJsonObject()))
        .onSuccess(taskId -> request.response().setStatusCode(202).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("task_id", taskId).toBuffer()))
        .onFailure(e -> request.response().setStatusCode(500).end(String.valueOf(e.getMessage())));
  }

  private Future<String> create(JsonObject body) {
    String slug = body.getString("slug");
    JsonObject owner = body.getJsonObject("owner");
    long ownerId = owner.getLong("id");
    Buffer username = Buffer.buffer(owner.getString("username"));
    String taskId = UUID.randomUUID().toString();
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_WIKI)
            .execute(Tuple.of(body.getString("name"), slug, slug + ".wiki.test", "en", ownerId, username, "public"))
            .compose(rows -> conn.preparedQuery(INSERT_TASK).execute(Tuple.of(taskId,
                rows.property(MySQLClient.LAST_INSERTED_ID), ownerId, username))))
        .map(rows -> taskId);
  }
}

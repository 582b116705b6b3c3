package org.wikifarm.provisioner.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import org.wikifarm.provisioner.app.Application;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.store.NewWiki;
import org.wikifarm.provisioner.store.Pools;
import org.wikifarm.provisioner.store.WikiStore;
import org.wikifarm.provisioner.task.TaskId;

/**
 * What the POST row's service does at least, run as its own JVM by {@link PostSection}: a Vert.x HTTP endpoint
 * that reads the JSON body, runs the service's own create transaction ({@link WikiStore#createWikiAndTask} on a
 * pool built by {@link Pools#metadata}: pipelined BEGIN and INSERTs, cached statements) and answers 202 with a
 * task id — with nothing else of the service's (no validation, idempotency, rate limit, journal, audit, cache
 * invalidation or metrics). The pool and the HTTP event loops are sized from the configuration the service was
 * started with, as the service sizes them, so the two differ in what the service does per request. Argument: the
 * service's configuration file (JSON). Prints {@code listening <port>} on 127.0.0.1.
 */
public final class PlainPostEndpoint extends VerticleBase {
  private final WikiStore wikis;
  private final String rootHost;
  private final int port;

  private PlainPostEndpoint(WikiStore wikis, String rootHost, int port) {
    this.wikis = wikis;
    this.rootHost = rootHost;
    this.port = port;
  }

  public static void main(String[] args) throws Exception {
    int port = EmbeddedMariaDb.freePort(); // every instance binds it, and Vert.x shares the one listening socket
    JsonObject serviceConfig = new JsonObject(Files.readString(Path.of(args[0])));
    serviceConfig.getJsonObject("http").put("bind", "127.0.0.1:" + port); // as the harness binds the service
    AppConfig config = ConfigLoader.fromJson(serviceConfig);
    Vertx vertx = Vertx.vertx();
    vertx.exceptionHandler(Throwable::printStackTrace);
    WikiStore wikis = new WikiStore(Pools.metadata(vertx, config.database()));
    vertx.deployVerticle(() -> new PlainPostEndpoint(wikis, config.farm().rootHost(), port),
            new DeploymentOptions().setInstances(Application.httpInstances(config.http())))
        .onSuccess(id -> {
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
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setIdleTimeout(0)
            // the service's pipeline has no WebSocket extension handler either
            .setPerFrameWebSocketCompressionSupported(false).setPerMessageWebSocketCompressionSupported(false))
        .requestHandler(this::handle)
        .listen();
  }

  private void handle(HttpServerRequest request) {
    String taskId = TaskId.newId();
    request.body()
        .compose(body -> {
          JsonObject json = body.toJsonObject();
          JsonObject owner = json.getJsonObject("owner");
          String slug = json.getString("slug");
          NewWiki wiki = new NewWiki(json.getString("name"), slug, slug + "." + rootHost, "en", "public",
              owner.getLong("id"), owner.getString("username"), null);
          // the spec the service stores for a create without a template (the v2 schema has the column)
          return wikis.createWikiAndTask(taskId, wiki, "{}", Future::succeededFuture);
        })
        .onSuccess(wikiId -> request.response().setStatusCode(202).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("task_id", taskId).toBuffer()))
        .onFailure(e -> {
          e.printStackTrace(); // the section's clean-run check points here
          request.response().setStatusCode(500).end(String.valueOf(e.getMessage()));
        });
  }
}

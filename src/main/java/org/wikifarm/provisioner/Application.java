package org.wikifarm.provisioner;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.http.HealthEndpoint;
import org.wikifarm.provisioner.http.HttpVerticle;
import org.wikifarm.provisioner.http.ReadinessCheck;
import org.wikifarm.provisioner.http.WikiEndpoint;
import org.wikifarm.provisioner.store.Idempotency;
import org.wikifarm.provisioner.store.Pools;
import org.wikifarm.provisioner.store.RedisKeys;
import org.wikifarm.provisioner.store.Redises;
import org.wikifarm.provisioner.store.SchemaVerifier;
import org.wikifarm.provisioner.store.TaskSpecs;
import org.wikifarm.provisioner.store.WikiStore;

/**
 * Wires one node: shared clients (MariaDB pool, Redis), the schema check, and the verticles. Used by the
 * fat jar's {@code Main}, the embedded dev mode and the tests, so all three run the same assembly.
 */
public final class Application {
  private static final Logger LOG = Logger.getLogger(Application.class.getName());

  private final Vertx vertx;
  private final AppConfig config;
  private final Pool pool;
  private final Redis redis;
  private final List<String> deployments = new ArrayList<>();
  private int httpPort;

  private Application(Vertx vertx, AppConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.pool = Pools.metadata(vertx, config.database());
    this.redis = Redises.client(vertx, config.redis());
  }

  /** Verifies the schema, then deploys everything. Fails (and releases what it opened) on any problem. */
  public static Future<Application> start(Vertx vertx, AppConfig config) {
    Application app = new Application(vertx, config);
    return app.verifySchema()
        .compose(v -> app.deploy())
        .map(app)
        .recover(e -> app.closeClients().transform(ignored -> Future.failedFuture(e)));
  }

  private Future<Void> verifySchema() {
    if (!config.database().verifySchema()) {
      return Future.succeededFuture();
    }
    return SchemaVerifier.missing(pool)
        .recover(e -> Future.failedFuture(new ConfigException(List.of("cannot reach the metadata database at "
            + config.database().host() + ":" + config.database().port() + " (DATABASE_URL): " + e.getMessage()))))
        .compose(missing -> missing.isEmpty() ? Future.succeededFuture()
            : Future.failedFuture(new ConfigException(List.of("the metadata database "
                + config.database().name() + " lacks " + String.join(", ", missing)
                + ". The MediaWiki extension creates these tables; for a manual set-up apply sql/tables.sql "
                + "and sql/migrations/*.sql"))));
  }

  private Future<Void> deploy() {
    RedisAPI redisApi = RedisAPI.api(redis);
    RedisKeys keys = new RedisKeys(config.redis().keyPrefix());
    WikiStore store = new WikiStore(pool);
    WikiEndpoint wikis = new WikiEndpoint(config, store, new TaskSpecs(redisApi, keys),
        new Idempotency(redisApi, keys, config.redis().idempotencyTtl()), vertx.eventBus());
    HealthEndpoint health = new HealthEndpoint(vertx, readinessChecks(store));
    List<Consumer<Router>> api = List.of(wikis::register, health::register);
    Consumer<Router> root = health::register;

    int instances = config.http().port() == 0 ? 1 : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    List<HttpVerticle> created = new ArrayList<>();
    return vertx.deployVerticle(() -> {
          HttpVerticle verticle = new HttpVerticle(config, api, root);
          synchronized (created) {
            created.add(verticle);
          }
          return verticle;
        }, new DeploymentOptions().setInstances(instances))
        .map(id -> {
          deployments.add(id);
          httpPort = created.get(0).actualPort();
          LOG.info("listening on http://" + config.http().host() + ":" + httpPort + HttpVerticle.API_BASE);
          if (!config.http().loopbackOnly() && config.http().apiToken().isEmpty()
              && config.http().identity() == AppConfig.Identity.BODY) {
            LOG.warning("!!! listening on " + config.http().host() + " without PROVISIONER_API_TOKEN and with "
                + "identity from the request body: anyone who can reach this port can create wikis as anyone. "
                + "Set PROVISIONER_API_TOKEN or WIKIFARM_IDENTITY=headers, or bind 127.0.0.1.");
          }
          return null;
        });
  }

  private List<ReadinessCheck> readinessChecks(WikiStore store) {
    List<ReadinessCheck> checks = new ArrayList<>();
    checks.add(new ReadinessCheck("mariadb", store::ping));
    checks.add(new ReadinessCheck("redis", () -> redis.send(Request.cmd(Command.PING))));
    checks.add(new ReadinessCheck("templates", () -> vertx.executeBlocking(() -> {
      List<Path> templates = new ArrayList<>(config.farm().templates().values());
      templates.add(config.farm().defaultTemplate());
      for (Path t : templates) {
        if (!Files.isDirectory(t)) {
          throw new IllegalStateException("template directory missing: " + t);
        }
      }
      return null;
    })));
    return checks;
  }

  public int httpPort() {
    return httpPort;
  }

  public AppConfig config() {
    return config;
  }

  /** Undeploys the verticles (HTTP stops accepting and drains), then closes the shared clients. */
  public Future<Void> stop() {
    List<Future<Void>> undeploys = new ArrayList<>();
    for (String id : deployments) {
      undeploys.add(vertx.undeploy(id));
    }
    return Future.join(undeploys).transform(ignored -> closeClients());
  }

  private Future<Void> closeClients() {
    redis.close();
    return pool.close();
  }
}

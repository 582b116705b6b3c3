package org.wikifarm.provisioner.embedded;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.wikifarm.provisioner.app.Application;
import org.wikifarm.provisioner.cluster.ClusterMembership;
import org.wikifarm.provisioner.worker.Checkpoints;
import org.wikifarm.provisioner.app.Metrics;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;

/** The real application, in-process, on a random loopback port, against the shared MariaDB and Redis. */
public final class RunningService implements AutoCloseable {
  public final Vertx vertx;
  public final Application app;
  public final ApiClient client;
  public final Path farm;

  private RunningService(Vertx vertx, Application app, Path farm) {
    this.vertx = vertx;
    this.app = app;
    this.farm = farm;
    this.client = new ApiClient(app.httpPort());
  }

  /** {@code adjust} may change the test configuration JSON before start. */
  public static RunningService start(Consumer<JsonObject> adjust) throws Exception {
    return start(adjust, Checkpoints.NONE);
  }

  /** As {@link #start(Consumer)}, with {@code checkpoints} told where every task's run is. */
  public static RunningService start(Consumer<JsonObject> adjust, Checkpoints checkpoints) throws Exception {
    Path farm = Files.createTempDirectory(TestInfra.scratch(), "farm");
    JsonObject json = TestConfigs.json(farm);
    // tests write rows behind the service's back and read them at once; the read cache has tests of its own
    // (ReadCacheTest) that switch it on
    json.getJsonObject("http").put("read-cache-ttl", "0s");
    adjust.accept(json);
    Vertx vertx = Vertx.vertx(Metrics.enable(new VertxOptions())); // as the command line does: /metrics complete
    return startOn(vertx, ClusterMembership.standalone(), ConfigLoader.fromJson(json), farm, checkpoints);
  }

  /**
   * The application on a Vert.x the caller made (a clustered one, with its membership) for the farm under
   * {@code farm}; {@link #close()} closes that Vert.x too, and so does a failed start.
   */
  public static RunningService startOn(Vertx vertx, ClusterMembership membership, AppConfig config, Path farm,
      Checkpoints checkpoints) throws Exception {
    try {
      Application app = Application.start(vertx, config, membership, checkpoints)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return new RunningService(vertx, app, farm);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  /** Without a worker: for tests of the API itself, which look at tasks as the API leaves them. */
  public static RunningService startApiOnly(Consumer<JsonObject> adjust) throws Exception {
    return start(json -> {
      json.getJsonObject("worker").put("enabled", false);
      adjust.accept(json);
    });
  }

  public static RunningService startApiOnly() throws Exception {
    return startApiOnly(json -> { });
  }

  public static RunningService start() throws Exception {
    return start(json -> { });
  }

  @Override
  public void close() throws Exception {
    try {
      app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}

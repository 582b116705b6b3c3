package org.wikifarm.provisioner.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.wikifarm.provisioner.Application;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;

/** The real application, in-process, on a random loopback port, against the shared MariaDB and Redis. */
final class RunningService implements AutoCloseable {
  final Vertx vertx;
  final Application app;
  final ApiClient client;
  final Path farm;

  private RunningService(Vertx vertx, Application app, Path farm) {
    this.vertx = vertx;
    this.app = app;
    this.farm = farm;
    this.client = new ApiClient(app.httpPort());
  }

  /** {@code adjust} may change the test configuration JSON before start. */
  static RunningService start(Consumer<JsonObject> adjust) throws Exception {
    Path farm = Files.createTempDirectory(TestInfra.scratch(), "farm");
    JsonObject json = TestConfigs.json(farm);
    adjust.accept(json);
    Vertx vertx = Vertx.vertx();
    try {
      Application app = Application.start(vertx, ConfigLoader.fromJson(json))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return new RunningService(vertx, app, farm);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  static RunningService start() throws Exception {
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

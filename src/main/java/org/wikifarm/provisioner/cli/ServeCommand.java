package org.wikifarm.provisioner.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import org.wikifarm.provisioner.app.Application;
import org.wikifarm.provisioner.app.Metrics;
import org.wikifarm.provisioner.cluster.ClusterMembership;
import org.wikifarm.provisioner.cluster.ClusteredVertx;
import org.wikifarm.provisioner.cluster.StandaloneVertx;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.support.Blocking;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code serve}: runs the node until SIGTERM/SIGINT, then stops gracefully. The default command. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the service (HTTP API, worker, SSE) until SIGTERM or Ctrl-C; the default command.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:stopped by a signal after a graceful shutdown",
        "1:start-up failed (e.g. the database did not answer within database.connect-timeout)", Main.EXIT_USAGE})
final class ServeCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Override
  public Integer call() throws Exception {
    return serve(main);
  }

  int serve(Main main) throws Exception {
    // made here, never in a static field: a logger created before Main.configureLogging fixes the LogManager
    // (and its reset at shutdown) too early. It logs as Main, as it always has ("Main - stopped").
    Logger log = Logger.getLogger(Main.class.getName());
    AppConfig config = main.config();
    VertxOptions options = Metrics.enable(new VertxOptions().setPreferNativeTransport(false));
    Vertx vertx;
    ClusterMembership membership;
    if (config.cluster().enabled()) {
      try {
        ClusteredVertx.Node node = Blocking.await(ClusteredVertx.start(config.cluster(), options), Duration.ofSeconds(120));
        vertx = node.vertx();
        membership = node.membership();
      } catch (Exception cause) {
        main.err.println("cannot join the cluster '" + config.cluster().name() + "' on " + config.cluster().host()
            + ":" + config.cluster().port() + ": " + (cause instanceof ConfigException ? cause.getMessage() : cause.toString()));
        return cause instanceof ConfigException ? 2 : 1;
      }
    } else {
      vertx = StandaloneVertx.create(options); // no cluster manager looked up, so Hazelcast never loads
      membership = ClusterMembership.standalone();
    }
    Application app;
    try {
      // start-up waits up to database.connect-timeout for the database, so wait longer than that here
      Duration patience = config.database().connectTimeout().plusSeconds(60);
      app = Blocking.await(Application.start(vertx, config, membership, main.checkpoints), patience);
    } catch (Exception cause) {
      main.err.println("start-up failed: " + (cause instanceof ConfigException ? cause.getMessage() : cause.getMessage() == null
          ? cause.toString() : cause.getMessage()));
      vertx.close();
      return cause instanceof ConfigException ? 2 : 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down: no new requests, finishing in-flight ones");
      try {
        Blocking.await(app.stop().eventually(vertx::close), Duration.ofSeconds(30));
      } catch (Exception e) {
        log.warning("shutdown did not finish cleanly: " + e);
      }
      log.info("stopped");
      ShutdownLogManager.resetAfterShutdown();
      stopped.countDown();
    }, "shutdown"));
    log.info("WikiFarm Provisioner ready");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}

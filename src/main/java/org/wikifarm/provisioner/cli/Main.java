package org.wikifarm.provisioner.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.wikifarm.provisioner.Application;
import org.wikifarm.provisioner.cluster.ClusterMembership;
import org.wikifarm.provisioner.cluster.ClusteredVertx;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.config.ConfigLoader;

/**
 * {@code java -jar wikifarm-provisioner.jar [serve|check-config] [--conf FILE] [--bind HOST:PORT]
 * [--workers N] [--cluster] [--set key.path=value]}. Exit codes: 0 ok, 1 runtime failure, 2 bad configuration
 * or usage.
 */
public final class Main {
  static final String USAGE = """
      usage: java -jar wikifarm-provisioner.jar [serve|check-config] [options]
        serve            run the service (default)
        check-config     validate the configuration, print it with secrets redacted, and exit
      options:
        --conf FILE          YAML config file (default conf/config.yaml, optional)
        --bind HOST:PORT     listen address (BIND_ADDR)
        --workers N          concurrent provisioning tasks on this node (WIKIFARM_WORKERS)
        --cluster            join the cluster (WIKIFARM_CLUSTER=true)
        --set key.path=VALUE override any option of conf/config.yaml, e.g. --set http.body-limit=131072
      Layering: built-in defaults < config file < environment variables < flags.
      """;

  private Main() {}

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
    }
    if (System.getProperty("java.util.logging.config.file") == null
        && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
    }
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    ConfigLoader.CommandLine commandLine;
    try {
      commandLine = ConfigLoader.parseCommandLine(args);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      err.print(USAGE);
      return 2;
    }
    List<String> rest = commandLine.rest();
    String command = rest.isEmpty() ? "serve" : rest.get(0);
    if (command.equals("--help") || command.equals("-h") || command.equals("help")) {
      out.print(USAGE);
      return 0;
    }
    if (rest.size() > 1 || !(command.equals("serve") || command.equals("check-config"))) {
      err.println("unknown arguments: " + String.join(" ", rest));
      err.print(USAGE);
      return 2;
    }

    Vertx bootstrap = Vertx.vertx();
    AppConfig config;
    try {
      config = ConfigLoader.load(bootstrap, System.getenv(), commandLine).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println(cause instanceof ConfigException ? cause.getMessage() : "cannot load configuration: " + cause);
      return 2;
    } finally {
      bootstrap.close();
    }
    if (command.equals("check-config")) {
      out.println("configuration is valid:");
      out.println(config);
      return 0;
    }
    return serve(config, err);
  }

  private static int serve(AppConfig config, PrintStream err) {
    Logger log = Logger.getLogger(Main.class.getName());
    VertxOptions options = new VertxOptions().setPreferNativeTransport(false);
    Vertx vertx;
    ClusterMembership membership;
    if (config.cluster().enabled()) {
      try {
        ClusteredVertx.Node node = ClusteredVertx.start(config.cluster(), options).toCompletionStage()
            .toCompletableFuture().get(120, TimeUnit.SECONDS);
        vertx = node.vertx();
        membership = node.membership();
      } catch (Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        err.println("cannot join the cluster '" + config.cluster().name() + "' on " + config.cluster().host() + ":"
            + config.cluster().port() + ": " + (cause instanceof ConfigException ? cause.getMessage() : cause.toString()));
        return cause instanceof ConfigException ? 2 : 1;
      }
    } else {
      vertx = Vertx.vertx(options);
      membership = ClusterMembership.standalone();
    }
    Application app;
    try {
      app = Application.start(vertx, config, membership).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println("start-up failed: " + (cause instanceof ConfigException ? cause.getMessage() : cause.toString()));
      vertx.close();
      return cause instanceof ConfigException ? 2 : 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down: no new requests, finishing in-flight ones");
      try {
        app.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
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

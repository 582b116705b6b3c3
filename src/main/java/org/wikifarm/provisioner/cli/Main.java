package org.wikifarm.provisioner.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.time.Duration;
import java.util.logging.Logger;
import org.wikifarm.provisioner.app.Application;
import org.wikifarm.provisioner.app.Metrics;
import org.wikifarm.provisioner.cluster.ClusterMembership;
import org.wikifarm.provisioner.cluster.ClusteredVertx;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.support.Blocking;
import org.wikifarm.provisioner.worker.Checkpoints;

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
    configureLogging();
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /** Log lines survive the graceful shutdown and have one readable format, unless a config file says otherwise. */
  static void configureLogging() {
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
    }
    if (System.getProperty("java.util.logging.config.file") == null
        && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
    }
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, out, err, Checkpoints.NONE);
  }

  /** As {@link #run(List, PrintStream, PrintStream)}; a served node reports its tasks' checkpoints there. */
  static int run(List<String> args, PrintStream out, PrintStream err, Checkpoints checkpoints) {
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
      config = Blocking.await(ConfigLoader.load(bootstrap, System.getenv(), commandLine), Duration.ofSeconds(30));
    } catch (Exception e) {
      err.println(e instanceof ConfigException ? e.getMessage() : "cannot load configuration: " + e);
      return 2;
    } finally {
      bootstrap.close();
    }
    if (command.equals("check-config")) {
      out.println("configuration is valid:");
      out.println(config);
      return 0;
    }
    return serve(config, err, checkpoints);
  }

  private static int serve(AppConfig config, PrintStream err, Checkpoints checkpoints) {
    Logger log = Logger.getLogger(Main.class.getName());
    VertxOptions options = Metrics.enable(new VertxOptions().setPreferNativeTransport(false));
    Vertx vertx;
    ClusterMembership membership;
    if (config.cluster().enabled()) {
      try {
        ClusteredVertx.Node node = Blocking.await(ClusteredVertx.start(config.cluster(), options), Duration.ofSeconds(120));
        vertx = node.vertx();
        membership = node.membership();
      } catch (Exception cause) {
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
      app = Blocking.await(Application.start(vertx, config, membership, checkpoints), Duration.ofSeconds(60));
    } catch (Exception cause) {
      err.println("start-up failed: " + (cause instanceof ConfigException ? cause.getMessage() : cause.toString()));
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

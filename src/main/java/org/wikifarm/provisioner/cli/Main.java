package org.wikifarm.provisioner.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.support.Failures;
import org.wikifarm.provisioner.worker.Checkpoints;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The fat jar's entry point: {@code java -jar wikifarm-provisioner.jar [COMMAND] [--conf FILE] [--bind HOST:PORT]
 * [--workers N] [--cluster] [--set key.path=value]}. Without a command it serves. The global options may
 * stand before or after the command. Each command is one class in this package.
 */
@Command(name = "wikifarm-provisioner", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Creates wikis in a MediaWiki farm and streams their progress. Without a command: serve.",
    subcommands = {ServeCommand.class, CheckConfigCommand.class, DoctorCommand.class, ProvisionCommand.class,
        TasksCommand.class, WikisCommand.class, ReconcileCommand.class, PruneCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%n", footer = "Configuration layers, lowest first: built-in defaults < config file < "
        + "environment variables < flags. Every option of conf/config.yaml can be set with --set.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Main.EXIT_OK, Main.EXIT_FAILURE, Main.EXIT_USAGE})
public final class Main implements Callable<Integer> {
  static final String EXIT_OK = "0:ok";
  static final String EXIT_FAILURE = "1:runtime failure, a failed check or a failed task";
  static final String EXIT_USAGE = "2:invalid configuration or usage";

  @Option(names = "--conf", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "YAML config file (default conf/config.yaml, optional)")
  Path conf;

  @Option(names = "--bind", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
      description = "listen address (BIND_ADDR)")
  String bind;

  @Option(names = "--workers", paramLabel = "N", scope = ScopeType.INHERIT,
      description = "concurrent provisioning tasks on this node (WIKIFARM_WORKERS)")
  Integer workers;

  @Option(names = "--cluster", scope = ScopeType.INHERIT, description = "join the cluster (WIKIFARM_CLUSTER=true)")
  boolean cluster;

  @Option(names = "--set", paramLabel = "KEY=VALUE", scope = ScopeType.INHERIT,
      description = "override any option of conf/config.yaml, e.g. --set http.body-limit=131072")
  List<String> assignments = new ArrayList<>();

  /** Whether the process's stdout is a terminal (progress bars then redraw in place); false in tests. */
  static volatile boolean stdoutIsTerminal;
  /** Whether this JVM runs one command of ours ({@link #main}) rather than a test calling {@link #run}. */
  private static volatile boolean ownProcess;
  /**
   * Held so its level survives: one-shot commands still write audit lines (SPEC §8). Not initialised with the
   * class: a logger made before {@link #configureLogging} would fix the LogManager too early.
   */
  private static Logger audit;

  final PrintStream out;
  final PrintStream err;
  final Checkpoints checkpoints;

  private Main(PrintStream out, PrintStream err, Checkpoints checkpoints) {
    this.out = out;
    this.err = err;
    this.checkpoints = checkpoints;
  }

  public static void main(String[] args) {
    configureLogging();
    ownProcess = true;
    stdoutIsTerminal = System.console() != null;
    // ✓ ✗ ⚠ and the bar are UTF-8 whatever the locale says (a C locale would print '?')
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    System.exit(run(Arrays.asList(args), out, err));
  }

  /**
   * Log lines survive the graceful shutdown and have one readable format ({@link LogLineFormatter}), unless a
   * logging config file or a SimpleFormatter format of the operator's says otherwise.
   */
  static void configureLogging() {
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
    }
    if (System.getProperty("java.util.logging.config.file") == null
        && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      LogLineFormatter format = new LogLineFormatter();
      for (Handler handler : LogManager.getLogManager().getLogger("").getHandlers()) {
        handler.setFormatter(format); // the JDK's default configuration: one ConsoleHandler (stderr)
      }
    }
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, out, err, Checkpoints.NONE);
  }

  /** As {@link #run(List, PrintStream, PrintStream)}; a served node reports its tasks' checkpoints there. */
  static int run(List<String> args, PrintStream out, PrintStream err, Checkpoints checkpoints) {
    CommandLine commandLine = new CommandLine(new Main(out, err, checkpoints))
        .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
        .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, cl, parsed) -> {
          if (e instanceof ConfigException) {
            err.println(e.getMessage());
            return 2;
          }
          err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage())
              + (Failures.isTransient(e) ? " (the doctor command checks every dependency)" : ""));
          return 1;
        });
    int code = commandLine.execute(args.toArray(String[]::new));
    out.flush();
    err.flush();
    return code;
  }

  /** No command: serve. */
  @Override
  public Integer call() throws Exception {
    return new ServeCommand().serve(this);
  }

  /** The configuration of every layer; fails with a {@link ConfigException} (exit 2) listing every problem. */
  ConfigLoader.Loaded loadConfig() {
    ConfigLoader.CommandLine flags = ConfigLoader.commandLine(conf, bind, workers, cluster, assignments, List.of());
    return ConfigLoader.loadWithSources(System.getenv(), flags);
  }

  AppConfig config() {
    return loadConfig().config();
  }

  /**
   * One-shot commands log only warnings: their output is the answer, and INFO lines from the service's classes
   * would bury it. A logging config file given with -Djava.util.logging.config.file decides instead, and a
   * test calling {@link #run} in its own JVM keeps its logging as it is.
   */
  static synchronized void quietLogging() {
    if (ownProcess && System.getProperty("java.util.logging.config.file") == null) {
      Logger.getLogger("").setLevel(Level.WARNING);
      audit = Logger.getLogger(Audit.LOGGER);
      audit.setLevel(Level.INFO);
    }
  }

  /** {@code --version}: the Maven project version from the jar, the Java and Vert.x versions in use. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = resource("/META-INF/maven/org.wikifarm/wikifarm-provisioner/pom.properties", "version");
      String vertx = resource("/META-INF/vertx/vertx-version.txt", null);
      return new String[] {"wikifarm-provisioner " + (version == null ? "(not packaged: run from classes)" : version),
          "Java " + System.getProperty("java.version") + ", Vert.x " + (vertx == null ? "?" : vertx.strip())};
    }

    /** A property of a properties resource, or a whole text resource when {@code key} is null. */
    private static String resource(String name, String key) {
      try (InputStream in = Main.class.getResourceAsStream(name)) {
        if (in == null) {
          return null;
        }
        if (key == null) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty(key);
      } catch (java.io.IOException e) {
        return null;
      }
    }
  }
}

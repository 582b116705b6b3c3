package org.wikifarm.provisioner.cli;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.wikifarm.provisioner.config.ConfigLoader;

/**
 * A command of the fat jar's entry point run as its own JVM on the test classpath (as embedded/ServiceProcess
 * starts {@code serve}): its configuration written to a file for {@code --conf}, none of the service's
 * environment variables inherited, stdout and stderr captured apart. {@link #inTerminal} runs it under
 * {@code script} so that its stdout is a pseudo-terminal.
 */
final class CliProcess {
  /** How a run ended. */
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  private final Path dir;
  private final Path conf;

  /** Writes {@code config} (JSON is valid YAML) into {@code dir}. */
  CliProcess(JsonObject config, Path dir) throws Exception {
    this.dir = Files.createDirectories(dir);
    this.conf = Files.createTempFile(dir, "cli-", ".yaml");
    Files.writeString(conf, config.encodePrettily());
  }

  Path conf() {
    return conf;
  }

  /** {@code Main <args> --conf FILE}, piped. */
  Result run(String... args) throws Exception {
    return finish(start(args), Duration.ofMinutes(2));
  }

  /** Starts it without waiting: for tests that signal it. */
  Running start(String... args) throws Exception {
    return launch(command(args));
  }

  /** As {@link #run}, with stdout (and stdin) a pseudo-terminal made by {@code script -qec}. */
  Result inTerminal(String... args) throws Exception {
    String line = String.join(" ", command(args).stream().map(CliProcess::shellQuote).toList());
    return finish(launch(List.of("script", "-qec", line, "/dev/null")), Duration.ofMinutes(2));
  }

  /** A started command; its output goes to files, so a chatty one never blocks on a full pipe. */
  record Running(Process process, Path out, Path err) {}

  private List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
        .replace(File.pathSeparator + File.pathSeparator, File.pathSeparator));
    command.add("org.wikifarm.provisioner.cli.Main");
    command.addAll(List.of(args));
    command.add("--conf");
    command.add(conf.toString());
    return command;
  }

  private Running launch(List<String> command) throws Exception {
    Path out = Files.createTempFile(dir, "out-", ".txt");
    Path err = Files.createTempFile(dir, "err-", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().keySet().removeAll(ConfigLoader.environmentNames());
    builder.environment().put("LANG", "C"); // output is UTF-8 whatever the locale says
    return new Running(builder.start(), out, err);
  }

  static Result finish(Running running, Duration timeout) throws Exception {
    if (!running.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      running.process().destroyForcibly().waitFor();
      throw new AssertionError("did not end within " + timeout + ":\n"
          + Files.readString(running.out(), StandardCharsets.UTF_8) + Files.readString(running.err()));
    }
    return new Result(running.process().exitValue(), Files.readString(running.out(), StandardCharsets.UTF_8),
        Files.readString(running.err(), StandardCharsets.UTF_8));
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}

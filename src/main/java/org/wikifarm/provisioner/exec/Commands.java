package org.wikifarm.provisioner.exec;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Small helpers shared by the executors for describing commands in messages. */
final class Commands {
  private Commands() {}

  /** The argv as a person would type it: arguments with spaces or quotes are single-quoted. */
  static String display(List<String> argv) {
    return argv.stream().map(Commands::quote).collect(Collectors.joining(" "));
  }

  private static String quote(String arg) {
    if (!arg.isEmpty() && arg.chars().noneMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '"')) {
      return arg;
    }
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  static void requireArgv(List<String> argv) {
    if (argv == null || argv.isEmpty() || argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("a command needs at least a program name");
    }
  }

  /** "30m", "2s", "1500ms": the way durations are written in the configuration. */
  static String human(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  /** The permanent failure for a command that overran its deadline. */
  static CommandException timedOut(List<String> argv, Duration timeout, String afterKill) {
    String outcome = "did not finish within " + human(timeout) + " and was stopped" + afterKill
        + ". If it legitimately needs longer, raise executor.command-timeout.";
    return new CommandException("command `" + display(argv) + "` " + outcome, outcome, false, null);
  }
}

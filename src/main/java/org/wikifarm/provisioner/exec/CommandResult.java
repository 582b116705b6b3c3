package org.wikifarm.provisioner.exec;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * How a command ended: its exit status and its last few non-blank output lines (for failure messages).
 */
public record CommandResult(int exitCode, List<String> lastLines) {
  /** How many trailing output lines a failure message quotes. */
  public static final int FAILURE_LINES = 5;

  public CommandResult {
    lastLines = List.copyOf(lastLines);
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** The permanent failure for a non-zero exit: names the command, the status and the last output lines. */
  public CommandException failure(List<String> argv, UnaryOperator<String> redact) {
    StringBuilder outcome = new StringBuilder("exited with status ").append(exitCode);
    List<String> tail = lastLines.subList(Math.max(0, lastLines.size() - FAILURE_LINES), lastLines.size());
    if (tail.isEmpty()) {
      outcome.append(" and printed nothing.");
    } else {
      outcome.append("; last output: ").append(String.join(" | ", tail.stream().map(String::trim).toList()));
    }
    return new CommandException(redact.apply("command `" + Commands.display(argv) + "` " + outcome),
        redact.apply(outcome.toString()), false, null);
  }
}

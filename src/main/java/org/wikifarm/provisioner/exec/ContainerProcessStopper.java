package org.wikifarm.provisioner.exec;

import com.github.dockerjava.api.DockerClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Stops every process in a container whose environment holds one entry ({@code NAME=value}): TERM, a grace
 * period, then KILL, all done by one exec as root running a small shell script. The Docker exec API cannot kill
 * an exec, but everything an exec starts inherits its environment, so a marker put there finds the command and
 * whatever it left behind. The script needs {@code sh}, {@code tr}, {@code grep}, {@code sleep} and
 * {@code kill} in the container, which any PHP image has.
 */
final class ContainerProcessStopper {
  /** How long processes get after TERM, and again after KILL, to be gone. */
  static final Duration GRACE = Duration.ofSeconds(3);

  /**
   * Stops every process whose environment holds the entry $1 ({@code NAME=value}, matched literally): TERM, up
   * to $2 tenths of a second for them to go, KILL, up to as long again; prints "{@code <found> <left>}". An
   * ended process nobody reaped (a container's PID 1 often does not) is a zombie with an empty environ, so it
   * does not count. The stop exec itself has no marker in its environment.
   */
  private static final String SCRIPT = "sig() { n=0; for d in /proc/[0-9]*; do "
      + "if { tr '\\0' '\\n' < \"$d/environ\"; } 2>/dev/null | grep -qxF -e \"$entry\"; then n=$((n+1)); "
      + "[ \"$1\" = 0 ] || kill -s \"$1\" \"${d#/proc/}\" 2>/dev/null; fi; done; echo $n; }; "
      + "entry=$1; found=$(sig TERM); i=0; "
      + "while [ $i -lt \"$2\" ] && [ \"$(sig 0)\" -gt 0 ]; do sleep 0.1; i=$((i+1)); done; "
      + "sig KILL >/dev/null; i=0; "
      + "while [ $i -lt \"$2\" ] && [ \"$(sig 0)\" -gt 0 ]; do sleep 0.1; i=$((i+1)); done; "
      + "echo \"$found $(sig 0)\"";

  /** How many processes carried the entry, and how many of them are still there after KILL. */
  record Outcome(int found, int left) {}

  private final DockerClient docker;
  private final String container;
  private final DockerErrors errors;

  ContainerProcessStopper(DockerClient docker, String container, DockerErrors errors) {
    this.docker = docker;
    this.container = container;
    this.errors = errors;
  }

  Outcome stopCarrying(String entry) throws CommandException {
    String tenths = Long.toString(GRACE.toMillis() / 100);
    String id = errors.call("create a stop exec in", () -> docker.execCreateCmd(container)
        .withCmd("sh", "-c", SCRIPT, "sh", entry, tenths)
        .withUser("0") // root may read the environment of, and signal, the processes of any user
        .withAttachStdout(true)
        .withAttachStderr(true)
        .exec()
        .getId());
    List<String> lines = new CopyOnWriteArrayList<>();
    ExecOutput out = new ExecOutput(new OutputTail(lines::add));
    try {
      errors.call("start a stop exec in", () -> docker.execStartCmd(id).exec(out));
      boolean done;
      try {
        done = out.awaitCompletion(GRACE.multipliedBy(2).plusSeconds(20).toMillis(), TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        throw errors.translate("stream the output of a stop exec in", e);
      }
      if (!done) {
        throw new CommandException("stopping processes in container " + container + " did not finish", true, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandException("interrupted while stopping processes in container " + container, false, e);
    } finally {
      out.closeQuietly();
    }
    out.finish();
    // stdout and stderr share the lines; the script's answer is its last stdout line
    String last = lines.stream().map(String::trim).filter(l -> l.matches("\\d+ \\d+")).reduce((x, y) -> y)
        .orElse("");
    if (last.isEmpty()) {
      throw new CommandException("could not look for processes to stop in container " + container
          + " (it needs sh, tr, grep, sleep and kill): " + (lines.isEmpty() ? "no output" : String.join(" | ", lines)));
    }
    String[] parts = last.split(" ");
    return new Outcome(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
  }
}

package org.wikifarm.provisioner.provision.phases;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * A tool run on the provisioner's own host for a phase ({@code mysqldump}, {@code tar}): with a minimal
 * environment (never the service's, which holds its secrets), its standard output streamed to a sink, its
 * error output kept for the message, and a deadline after which it is killed.
 */
final class HostCommand {
  private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private HostCommand() {}

  /**
   * Runs {@code argv} in {@code workDir}, copying its standard output to {@code out}.
   *
   * @param what names the step in the failure message (e.g. "mysqldump of wiki_x")
   * @throws ProvisionException when it cannot start, exits non-zero, or outlives {@code timeout}
   */
  static void run(List<String> argv, Path workDir, OutputStream out, Duration timeout, String what)
      throws ProvisionException, InterruptedException {
    Path errors = null;
    Process process = null;
    try {
      errors = Files.createTempFile("wikifarm-cmd-", ".err");
      ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile())
          .redirectError(errors.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Map<String, String> env = builder.environment();
      env.clear();
      env.put("PATH", System.getenv().getOrDefault("PATH", PATH));
      env.put("LANG", "C.UTF-8");
      env.put("HOME", "/nonexistent"); // no per-user option files (~/.my.cnf) steer the tool
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new ProvisionException(argv.get(0) + " could not be started on the provisioner host ("
            + e.getMessage() + "); install it (e.g. mariadb-client, tar).", false, null);
      }
      Process running = process;
      Thread killer = new Thread(() -> {
        try {
          if (!running.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            running.destroyForcibly();
          }
        } catch (InterruptedException ignored) {
          // the command ended
        }
      }, "wikifarm-cmd-deadline");
      killer.setDaemon(true);
      killer.start();
      try (InputStream in = process.getInputStream()) {
        in.transferTo(out);
      } finally {
        killer.interrupt();
      }
      int exit = process.waitFor();
      if (exit != 0) {
        String detail = lastLine(Files.readString(errors, StandardCharsets.UTF_8));
        throw new ProvisionException(what + " failed (" + argv.get(0) + " exit " + exit
            + (detail.isEmpty() ? "" : ": " + detail) + ").", false, null);
      }
    } catch (IOException e) {
      throw new ProvisionException(what + " failed: " + e.getMessage() + ".", false, null);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
      if (errors != null) {
        try {
          Files.deleteIfExists(errors);
        } catch (IOException ignored) {
          // a temp file of a few bytes
        }
      }
    }
  }

  private static String lastLine(String text) {
    String trimmed = text.strip();
    int nl = trimmed.lastIndexOf('\n');
    String line = nl < 0 ? trimmed : trimmed.substring(nl + 1);
    return line.length() <= 300 ? line : line.substring(0, 300) + "…";
  }
}

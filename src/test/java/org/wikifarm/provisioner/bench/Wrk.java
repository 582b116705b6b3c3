package org.wikifarm.provisioner.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.bench.BenchContext.WrkResult;

/** Runs the wrk binary and reads its summary (requests/s, the 99th percentile, non-2xx answers, socket errors). */
final class Wrk {
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P99 = Pattern.compile("^\\s+99%\\s+([0-9.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+([0-9]+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)");

  private Wrk() {}

  static WrkResult run(String url, int threads, int connections, Duration duration, Path luaScript)
      throws Exception {
    List<String> argv = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections,
        "-d" + Math.max(1, duration.toSeconds()) + "s", "--latency", "--timeout", "10s"));
    if (luaScript != null) {
      argv.addAll(List.of("-s", luaScript.toString()));
    }
    argv.add(url);
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("wrk " + url + " failed:\n" + out);
    }
    return parse(out, url);
  }

  static WrkResult parse(String out, String url) {
    Matcher rate = RATE.matcher(out);
    Matcher p99 = P99.matcher(out);
    if (!rate.find() || !p99.find()) {
      throw new IllegalStateException("unreadable wrk output for " + url + ":\n" + out);
    }
    if (Double.parseDouble(rate.group(1)) == 0) {
      throw new IllegalStateException("no request to " + url + " was answered within the measurement:\n" + out);
    }
    double millis = Double.parseDouble(p99.group(1)) * switch (p99.group(2)) {
      case "us" -> 0.001;
      case "ms" -> 1;
      case "s" -> 1_000;
      default -> 60_000;
    };
    Matcher non2xx = NON_2XX.matcher(out);
    Matcher errors = SOCKET_ERRORS.matcher(out);
    long errorCount = 0;
    if (errors.find()) {
      for (int i = 1; i <= 4; i++) {
        errorCount += Long.parseLong(errors.group(i));
      }
    }
    return new WrkResult(Double.parseDouble(rate.group(1)), millis,
        non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, errorCount);
  }
}

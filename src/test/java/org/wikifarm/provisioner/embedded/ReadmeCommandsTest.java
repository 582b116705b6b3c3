package org.wikifarm.provisioner.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README cannot rot: its API examples are run, in order, exactly as written (through bash, as a reader pastes
 * them), against a freshly started dev mode; then the dev mode's own banner command, and the address it says
 * the new wiki opens at. Every curl fails on an HTTP error ({@code --fail-with-body}), so an example that only
 * prints an error body fails the test. Without curl on the machine, {@link CurlShim} stands in for it.
 */
class ReadmeCommandsTest {
  private static final Pattern API_BLOCK = Pattern.compile("## API \\(base path[^\\n]*\\n.*?```sh\\n(.*?)```",
      Pattern.DOTALL);
  private static final Pattern BANNER_COMMAND = Pattern.compile(
      "create a wiki and watch it \\(paste both lines\\):\\n\\s*(T=\\$\\(.*)\\n\\s*(curl -sN .*)\\n");
  private static final Pattern OPEN_AT = Pattern.compile("or (http://127\\.0\\.0\\.1:\\d+/[a-z0-9-]+/)\\)");

  @Test
  void readmeApiExamplesThenTheBannersCommandWorkAsPasted() throws Exception {
    Prerequisites.command("bash");
    Path root = TestInfra.scratch().resolve("readme");
    DevModeProcess.Ports ports = DevModeProcess.Ports.free();
    try (DevModeProcess dev = DevModeProcess.start(root.resolve("var"), ports, Map.of(), "--demo-template")) {
      Matcher api = API_BLOCK.matcher(Files.readString(Path.of("README.md")));
      assertTrue(api.find(), "README has an ```sh block under '## API'");
      String examples = api.group(1).replace("127.0.0.1:8080", "127.0.0.1:" + ports.http());

      String out = bash(root, examples);
      Matcher task = Pattern.compile("task ([0-9a-f-]{36})").matcher(out);
      assertTrue(task.find(), "the create printed its task id:\n" + out);
      assertTrue(out.contains("\"type\":\"status\",\"status\":\"succeeded\""), "the SSE stream ends in success:\n" + out);
      assertTrue(out.contains("{\"slug\":\"readme-wiki\",\"exists\":true,\"reason\":\"taken\"}"), out);
      assertEquals(5, count(out, "\"slug\":\"readme-wiki\""),
          "exists, featured, the public list, the wiki itself and the owner's list name it:\n" + out);
      assertTrue(out.contains("{\"status\":\"ok\"}"), out);

      Matcher banner = BANNER_COMMAND.matcher(dev.output());
      assertTrue(banner.find(), "the banner's create-and-watch lines:\n" + dev.output());
      String watched = bash(root, banner.group(1) + "\n" + banner.group(2) + "\n");
      assertTrue(watched.contains("\"status\":\"succeeded\""), "the banner's command creates a wiki:\n" + watched);
      Matcher openAt = OPEN_AT.matcher(dev.output());
      assertTrue(openAt.find(), dev.output());
      assertTrue(bash(root, "curl -s " + openAt.group(1) + "\n").contains("demo template"),
          "the address the banner gives opens the new wiki's page");
    }
  }

  /** Runs {@code script} with bash -e -o pipefail, every curl failing on HTTP errors; returns its output. */
  private static String bash(Path dir, String script) throws Exception {
    String prelude = "set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; }\n";
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", prelude + script).directory(dir.toFile())
        .redirectErrorStream(true);
    if (Prerequisites.which("curl") == null || "java".equals(System.getProperty("wikifarm.readme.curl"))) {
      Path bin = Files.createDirectories(dir.resolve("bin"));
      Path shim = bin.resolve("curl");
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      Files.writeString(shim, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
          + "' -XX:TieredStopAtLevel=1 -cp '" + classpath + "' " + CurlShim.class.getName() + " \"$@\"\n");
      Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
      builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    }
    Path log = Files.createTempFile(dir, "bash-", ".out");
    Process p = builder.redirectOutput(log.toFile()).start();
    p.getOutputStream().close();
    boolean ended = p.waitFor(3, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly().waitFor();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(ended && p.exitValue() == 0, "the commands " + (ended ? "failed (" + p.exitValue() + ")" : "hung")
        + ":\n" + script + "\n--- output:\n" + out);
    return out;
  }

  private static int count(String text, String part) {
    return (int) Pattern.compile(Pattern.quote(part)).matcher(text).results().count();
  }
}

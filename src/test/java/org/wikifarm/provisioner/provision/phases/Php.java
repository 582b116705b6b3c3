package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.support.IniFile;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.wikifarm.provisioner.embedded.Prerequisites;
import org.wikifarm.provisioner.embedded.TestInfra;

/** Runs the real PHP CLI: one process for many files, output as one JSON document. */
final class Php {
  private Php() {}

  /**
   * {@code parse_ini_file($f)} with the default scanner (what LocalSettings.php uses) for every file; the
   * result maps each path to its array, or to the string {@code "PARSE ERROR"}.
   */
  static JsonObject parseIniFiles(List<Path> files) throws Exception {
    return run("$out = [];"
        + "foreach (file($argv[1], FILE_IGNORE_NEW_LINES) as $f) {"
        + "  $r = @parse_ini_file($f);"
        + "  $out[$f] = $r === false ? 'PARSE ERROR' : $r;"
        + "}"
        + "echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);",
        files);
  }

  /** Runs {@code code} with {@code $argv[1]} = a file listing {@code files}, one per line; returns its JSON. */
  static JsonObject run(String code, List<Path> files) throws Exception {
    String php = Prerequisites.command("php");
    Path list = Files.createTempFile(TestInfra.scratch(), "php-files", ".txt");
    Files.writeString(list, files.stream().map(Path::toString).collect(Collectors.joining("\n")));
    Process p = new ProcessBuilder(php, "-d", "display_errors=stderr", "-r", code, list.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "php exit code; output: " + out);
    return new JsonObject(out);
  }
}

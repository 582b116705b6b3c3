package org.wikifarm.provisioner.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.Prerequisites;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/** Shared set-up of the manage API tests: ready wikis with a directory, identity headers, the PHP CLI. */
final class ManageKit {
  static final String V1 = "/provisioner/v1";
  static final String M = "/manage/v1/wikis/";
  static final long OWNER = 42;
  static final long STRANGER = 7;

  private ManageKit() {}

  /** The identity headers of the owner (42, Alice) or of anyone else. */
  static String[] as(long id) {
    return new String[] {"X-Auth-User-Id", Long.toString(id), "X-Auth-User", id == OWNER ? "Alice" : "Bob"};
  }

  static String[] with(String[] headers, String... more) {
    String[] all = java.util.Arrays.copyOf(headers, headers.length + more.length);
    System.arraycopy(more, 0, all, headers.length, more.length);
    return all;
  }

  /**
   * A wiki created through the API by {@link #OWNER}, then made {@code ready} (the worker is off in these tests)
   * with a directory like a provisioned one: the demo template's pubwiki.ini and empty extensions/ and skins/.
   */
  static Path readyWiki(RunningService service, TestDb db, String slug) throws Exception {
    JsonObject body = new JsonObject().put("name", "Wiki " + slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", OWNER).put("username", "Alice"));
    ApiClient.Response created = service.client.postJson(V1 + "/wikis", body.encode(), as(OWNER));
    assertEquals(202, created.status(), created.body());
    db.query("UPDATE wikifarm_wikis SET status = 'ready' WHERE slug = ?", slug);
    Path dir = Files.createDirectories(wikiDir(service, slug));
    try (InputStream in = ManageKit.class.getResourceAsStream("/demo-template/pubwiki.ini")) {
      Files.copy(in, dir.resolve("pubwiki.ini"), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.createDirectories(dir.resolve("extensions"));
    Files.createDirectories(dir.resolve("skins"));
    return dir;
  }

  static Path wikiDir(RunningService service, String slug) {
    return service.app.config().farm().wikiDir().resolve(slug);
  }

  static Path permissionsFile(RunningService service, String slug) {
    return service.app.config().farm().configDir().resolve(slug).resolve("permissions.php");
  }

  /** Runs a PHP script file with arguments; returns its standard output (exit code 0 required). */
  static String php(String code, String... args) throws Exception {
    Path script = Files.createTempFile(TestInfra.scratch(), "manage", ".php");
    Files.writeString(script, code);
    List<String> argv = new ArrayList<>(List.of(Prerequisites.command("php"), "-d", "display_errors=stderr",
        script.toString()));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "php exit code; output: " + out);
    return out;
  }

  /** {@code php -l}: the file parses. */
  static void assertPhpLints(Path file) throws Exception {
    Process p = new ProcessBuilder(Prerequisites.command("php"), "-l", file.toString()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "php -l: " + out);
  }

  /**
   * Makes a directory refuse new files, so a write into it fails where the temp file is created: a plain
   * read-only mode for a normal user; root ignores modes, so the immutable attribute there ({@code chattr +i},
   * ext4). Returns what undoes it; aborts the test when neither works on this machine.
   */
  static AutoCloseable unwritable(Path dir) throws Exception {
    boolean root = "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
        StandardCharsets.UTF_8).strip());
    AutoCloseable undo;
    if (root) {
      run("chattr", "+i", dir.toString());
      undo = () -> run("chattr", "-i", dir.toString());
    } else {
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
      undo = () -> Files.setPosixFilePermissions(dir,
          java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    boolean blocked;
    try {
      Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
      blocked = false;
    } catch (java.io.IOException expected) {
      blocked = true;
    }
    if (!blocked) {
      undo.close();
      Assumptions.abort("cannot make a directory unwritable here (root without chattr +i support)");
    }
    return undo;
  }

  private static void run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
    }
  }
}

package org.wikifarm.provisioner.manage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wikifarm.provisioner.manage.ManageKit.OWNER;
import static org.wikifarm.provisioner.manage.ManageKit.V1;
import static org.wikifarm.provisioner.manage.ManageKit.as;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.HostTools;
import org.wikifarm.provisioner.embedded.HostTools.Tool;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * {@code PATCH /provisioner/v1/wikis/{slug}}: visibility in the row; the name in the row and in pubwiki.ini,
 * which PHP's {@code parse_ini_file} (the wiki's LocalSettings.php) reads back exactly, every other byte of the
 * file kept. Identity and state refusals are in {@link ManageAccessTest}.
 */
@HostTools.Required(Tool.PHP)
class WikiPatchApiTest {
  private static RunningService service;
  private static TestDb db;

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata();
    db = new TestDb();
    service = RunningService.startApiOnly(json -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    db.close();
  }

  @Test
  void visibilityChangesTheRowOnly() throws Exception {
    Path ini = ManageKit.readyWiki(service, db, "patch-vis").resolve("pubwiki.ini");
    byte[] before = Files.readAllBytes(ini);
    ApiClient.Response r = patch("patch-vis", "{\"visibility\":\"unlisted\"}");
    assertEquals(200, r.status(), r.body());
    assertEquals("unlisted", r.json().getString("visibility"));
    assertEquals("patch-vis", r.json().getString("slug"));
    assertEquals("unlisted", row("patch-vis", "visibility"));
    assertArrayEquals(before, Files.readAllBytes(ini));
  }

  @Test
  void aNewNameIsStoredAndRenderedIntoPubwikiIniAsPhase2Does() throws Exception {
    Path ini = ManageKit.readyWiki(service, db, "patch-name").resolve("pubwiki.ini");
    String original = Files.readString(ini);
    String name = "Bob's \"Wiki\" costs $5; \\o/ = Café 中文\u00a0";
    String expected = "Bob's \"Wiki\" costs $5; \\o/ = Café 中文"; // blank characters at the ends are stripped
    ApiClient.Response r = patch("patch-name", new JsonObject().put("name", " " + name)
        .put("visibility", "private").encode());
    assertEquals(200, r.status(), r.body());
    assertEquals(expected, r.json().getString("name"));
    assertEquals("private", r.json().getString("visibility"));
    assertEquals(expected, row("patch-name", "name"));

    JsonObject read = new JsonObject(ManageKit.php("<?php echo json_encode(parse_ini_file($argv[1]), "
        + "JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);", ini.toString()));
    assertEquals(expected, read.getString("WIKI_SITE_NAME"));
    assertEquals(expected.replace(' ', '_'), read.getString("WIKI_META_NAMESPACE"));
    assertEquals("1", read.getString("WIKI_BOOTSTRAPING"), "other keys keep their values");
    List<String> otherLines = new ArrayList<>(original.lines().filter(l -> !l.startsWith("WIKI_SITE_NAME")
        && !l.startsWith("WIKI_META_NAMESPACE")).toList());
    assertEquals(otherLines, Files.readString(ini).lines().filter(l -> !l.startsWith("WIKI_SITE_NAME")
        && !l.startsWith("WIKI_META_NAMESPACE")).toList(), "comments, order and other keys are kept");
    assertTrue(Files.readString(ini).contains("WIKI_SITE_NAME = \"Bob's \\\"Wiki\\\" costs \\$5;"),
        Files.readString(ini));
  }

  @Test
  void invalidChangesAreRefusedWithNothingChanged() throws Exception {
    Path ini = ManageKit.readyWiki(service, db, "patch-bad").resolve("pubwiki.ini");
    byte[] before = Files.readAllBytes(ini);
    List<String> wrong = new ArrayList<>();
    String[][] cases = {
        {"{}", "empty_change"}, {"{\"slug\":\"other\"}", "invalid_field"}, {"{\"owner_user_id\":7}", "invalid_field"},
        {"{\"visibility\":\"private\",\"status\":\"ready\"}", "invalid_field"},
        {"{\"visibility\":\"secret\"}", "invalid_visibility"}, {"{\"visibility\":5}", "invalid_visibility"},
        {"{\"visibility\":null}", "invalid_visibility"}, {"{\"name\":\"\"}", "invalid_name"},
        {"{\"name\":\" \\u3000\\u200b \"}", "invalid_name"}, {"{\"name\":\"a:b\"}", "invalid_name"},
        {"{\"name\":\"a{b}\"}", "invalid_name"}, {"{\"name\":\"a\\nWIKI_DB_HOST=evil\"}", "invalid_name"},
        {"{\"name\":\"a\\u0000\"}", "invalid_name"}, {"{\"name\":\"" + "x".repeat(191) + "\"}", "invalid_name"},
        {"{\"name\":null}", "invalid_name"}, {"{\"name\":[\"x\"]}", "invalid_name"},
        {"[]", "invalid_json"}, {"{", "invalid_json"}, {"{\"name\":\"a\",\"name\":\"b\"}", "invalid_json"}};
    for (String[] c : cases) {
      ApiClient.Response r = patch("patch-bad", c[0]);
      if (r.status() != 400 || !c[1].equals(r.errorCode())) {
        wrong.add(c[0] + " -> " + r.status() + " " + r.body());
      }
    }
    ApiClient.Response text = service.client.send(request("patch-bad", "{\"visibility\":\"private\"}")
        .header("Content-Type", "text/plain"), as(OWNER));
    if (text.status() != 415) {
      wrong.add("text/plain -> " + text.status());
    }
    assertEquals(List.of(), wrong);
    assertEquals("public", row("patch-bad", "visibility"));
    assertEquals("Wiki patch-bad", row("patch-bad", "name"));
    assertArrayEquals(before, Files.readAllBytes(ini));
  }

  @Test
  void aMissingIniFailsBeforeAndAFailedIniWriteAfterTheCommitIsFixedBySendingTheChangeAgain() throws Exception {
    Path wiki = ManageKit.readyWiki(service, db, "patch-ini");
    Path ini = wiki.resolve("pubwiki.ini");
    byte[] original = Files.readAllBytes(ini);
    Files.move(ini, wiki.resolve("pubwiki.ini.away"));
    ApiClient.Response missing = patch("patch-ini", "{\"name\":\"New Name\"}");
    assertEquals(409, missing.status(), missing.body());
    assertEquals("Wiki patch-ini", row("patch-ini", "name"), "nothing changed");
    Files.move(wiki.resolve("pubwiki.ini.away"), ini);

    ApiClient.Response failed;
    try (AutoCloseable undo = ManageKit.unwritable(wiki)) {
      failed = patch("patch-ini", "{\"name\":\"New Name\"}");
    }
    assertEquals(500, failed.status(), failed.body());
    assertEquals("ini_not_written", failed.errorCode());
    assertEquals("New Name", row("patch-ini", "name"), "the row is the record");
    assertArrayEquals(original, Files.readAllBytes(ini), "the old ini is intact");

    assertEquals(200, patch("patch-ini", "{\"name\":\"New Name\"}").status());
    JsonObject read = new JsonObject(ManageKit.php("<?php echo json_encode(parse_ini_file($argv[1]));",
        ini.toString()));
    assertEquals("New Name", read.getString("WIKI_SITE_NAME"));
    assertEquals("New_Name", read.getString("WIKI_META_NAMESPACE"));
  }

  private static String row(String slug, String column) throws Exception {
    return db.query("SELECT " + column + " FROM wikifarm_wikis WHERE slug = ?", slug).iterator().next()
        .getString(0);
  }

  private static HttpRequest.Builder request(String slug, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.app.httpPort() + V1 + "/wikis/" + slug))
        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static ApiClient.Response patch(String slug, String body) throws Exception {
    return service.client.send(request(slug, body).header("Content-Type", "application/json"), as(OWNER));
  }
}

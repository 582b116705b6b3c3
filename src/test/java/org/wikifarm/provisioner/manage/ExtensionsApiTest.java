package org.wikifarm.provisioner.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wikifarm.provisioner.manage.ManageKit.M;
import static org.wikifarm.provisioner.manage.ManageKit.OWNER;
import static org.wikifarm.provisioner.manage.ManageKit.as;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * Extensions and skins (SPEC §4.4): listing what the template offers and what the wiki has, syncing as
 * symlinks into the template, all or nothing, and no name or layout that could make a link land outside.
 */
class ExtensionsApiTest {
  private static RunningService service;
  private static TestDb db;
  private static Path template;
  private static Path outside;

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata();
    db = new TestDb();
    service = RunningService.startApiOnly(json -> { });
    template = service.app.config().farm().defaultTemplate();
    outside = Files.createDirectories(service.farm.resolve("outside").resolve("Secret"));
    for (String name : List.of("Cite", "ParserFunctions", "SyntaxHighlight_GeSHi", "3D")) {
      Files.createDirectories(template.resolve("extensions").resolve(name));
      Files.writeString(template.resolve("extensions").resolve(name).resolve("extension.json"), "{}");
    }
    Files.writeString(template.resolve("extensions").resolve("README"), "not an extension");
    Files.createSymbolicLink(template.resolve("extensions").resolve("Alias"), Path.of("Cite"));
    Files.createSymbolicLink(template.resolve("extensions").resolve("Evil"), outside);
    Files.createDirectories(template.resolve("extensions").resolve(".hidden"));
    for (String name : List.of("Vector", "MinervaNeue")) {
      Files.createDirectories(template.resolve("skins").resolve(name));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    db.close();
  }

  @Test
  void listingShowsTheTemplatesDirectoriesAndTheWikisOwn() throws Exception {
    Path wiki = ManageKit.readyWiki(service, db, "ext-list");
    Files.createDirectories(wiki.resolve("extensions").resolve("Existing"));
    assertEquals(listing(List.of("3D", "Alias", "Cite", "ParserFunctions", "SyntaxHighlight_GeSHi"), List.of("Existing")),
        get("ext-list", "extensions"), "a symlink out of the template, a file and a dot-name are not offered");
    assertEquals(listing(List.of("MinervaNeue", "Vector"), List.of()), get("ext-list", "skins"));
  }

  @Test
  void aValidSyncLinksTheTemplatesDirectoriesAndSkipsWhatExists() throws Exception {
    Path wiki = ManageKit.readyWiki(service, db, "ext-sync");
    ApiClient.Response first = sync("ext-sync", "extensions", "[\"Cite\",\"ParserFunctions\",\"Cite\"]");
    assertEquals(200, first.status(), first.body());
    assertEquals(new JsonObject().put("added", new JsonArray().add("Cite").add("ParserFunctions"))
        .put("skipped", new JsonArray()), first.json());
    Path link = wiki.resolve("extensions").resolve("Cite");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(template.toAbsolutePath().normalize().resolve("extensions").resolve("Cite"), Files.readSymbolicLink(link));
    assertTrue(Files.isRegularFile(link.resolve("extension.json")), "the link resolves to the template's directory");

    ApiClient.Response second = sync("ext-sync", "extensions", "[\"SyntaxHighlight_GeSHi\",\"Cite\"]");
    assertEquals(new JsonObject().put("added", new JsonArray().add("SyntaxHighlight_GeSHi"))
        .put("skipped", new JsonArray().add("Cite")), second.json());
    assertEquals(listing(List.of("3D", "Alias", "Cite", "ParserFunctions", "SyntaxHighlight_GeSHi"),
        List.of("Cite", "ParserFunctions", "SyntaxHighlight_GeSHi")), get("ext-sync", "extensions"));

    ApiClient.Response skins = sync("ext-sync", "skins", "[\"Vector\"]");
    assertEquals(200, skins.status(), skins.body());
    assertEquals(List.of("Vector"), get("ext-sync", "skins").getJsonArray("enabled").getList());
    assertEquals(200, sync("ext-sync", "skins", "[]").status(), "an empty list changes nothing");
  }

  @Test
  void oneUnknownNameChangesNothing() throws Exception {
    Path wiki = ManageKit.readyWiki(service, db, "ext-unknown");
    Map<String, String> before = snapshot(wiki);
    ApiClient.Response r = sync("ext-unknown", "extensions", "[\"3D\",\"NoSuchExtension\",\"Cite\"]");
    assertEquals(400, r.status(), r.body());
    assertEquals("unknown_extension", r.errorCode());
    assertEquals(new JsonArray().add("NoSuchExtension"), r.json().getJsonObject("error").getJsonObject("details")
        .getJsonArray("unknown"));
    assertEquals(before, snapshot(wiki));
    ApiClient.Response skin = sync("ext-unknown", "skins", "[\"Vector\",\"Cite\"]");
    assertEquals("unknown_skin", skin.errorCode(), "an extension is not a skin");
    assertEquals(before, snapshot(wiki));
  }

  @Test
  void noNameAndNoLayoutMakesALinkOutsideTheFarm() throws Exception {
    Path wiki = ManageKit.readyWiki(service, db, "ext-escape");
    Map<String, String> before = snapshot(wiki);
    Map<String, String> templateBefore = snapshot(template);
    List<String> wrong = new ArrayList<>();
    for (String body : List.of("[\"../../etc\"]", "[\"..\"]", "[\".\"]", "[\"/etc\"]", "[\"Cite/../../x\"]",
        "[\"Cite/\"]", "[\"..\\\\x\"]", "[\".hidden\"]", "[\"a\\u0000\"]", "[\"\"]", "[\"Cité\"]",
        "[\"" + "x".repeat(101) + "\"]", "[1]", "[null]", "[[\"Cite\"]]", "{\"names\":[\"Cite\"]}", "\"Cite\"")) {
      ApiClient.Response r = sync("ext-escape", "extensions", body);
      if (r.status() != 400 || !List.of("invalid_names", "invalid_json").contains(r.errorCode())) {
        wrong.add(body + " -> " + r.status() + " " + r.body());
      }
    }
    for (String name : List.of("Evil", "README")) { // a symlink leaving the template, a file
      ApiClient.Response r = sync("ext-escape", "extensions", "[\"" + name + "\"]");
      if (r.status() != 400 || !"unknown_extension".equals(r.errorCode())) {
        wrong.add(name + " -> " + r.status() + " " + r.body());
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(before, snapshot(wiki));
    assertEquals(templateBefore, snapshot(template));

    // a wiki whose skins/ is a symlink (into the template, or anywhere) is not written through
    Path skins = wiki.resolve("skins");
    Files.delete(skins);
    Files.createSymbolicLink(skins, outside.getParent());
    ApiClient.Response r = sync("ext-escape", "skins", "[\"Vector\"]");
    assertEquals(409, r.status(), r.body());
    assertEquals("unsafe_layout", r.errorCode());
    try (Stream<Path> entries = Files.list(outside.getParent())) {
      assertEquals(List.of(outside), entries.toList(), "nothing was linked outside");
    }
  }

  private static JsonObject listing(List<String> available, List<String> enabled) {
    return new JsonObject().put("available", new JsonArray(available)).put("enabled", new JsonArray(enabled));
  }

  private static JsonObject get(String slug, String kind) throws Exception {
    ApiClient.Response r = service.client.get(M + slug + "/" + kind, as(OWNER));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private static ApiClient.Response sync(String slug, String kind, String body) throws Exception {
    return service.client.postJson(M + slug + "/" + kind + "/sync", body, as(OWNER));
  }

  /** Every entry of a tree (not following links): its kind, and a link's target. */
  private static Map<String, String> snapshot(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        String kind = Files.isSymbolicLink(p) ? "link -> " + Files.readSymbolicLink(p)
            : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "file " + Files.size(p);
        out.put(root.relativize(p).toString(), kind);
      }
    }
    return out;
  }
}

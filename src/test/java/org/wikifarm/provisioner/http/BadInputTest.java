package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * Every malformed create request gets the documented 4xx JSON error and writes nothing: no wiki row, no task
 * row. Payloads aimed at SQL, the shell and the filesystem included.
 */
class BadInputTest {
  private static RunningService service;
  private static TestDb db;

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata();
    service = RunningService.startApiOnly();
    db = new TestDb();
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    db.close();
  }

  static JsonObject valid() {
    return new JsonObject().put("name", "Valid Wiki").put("slug", "valid-wiki").put("language", "en")
        .put("visibility", "public").put("owner", new JsonObject().put("id", 5).put("username", "Bob"));
  }

  static JsonObject with(String field, Object value) {
    return valid().put(field, value);
  }

  static JsonObject without(String field) {
    JsonObject j = valid();
    j.remove(field);
    return j;
  }

  static JsonObject owner(Object id, Object username) {
    JsonObject o = new JsonObject();
    if (id != null) {
      o.put("id", id);
    }
    if (username != null) {
      o.put("username", username);
    }
    return valid().put("owner", o);
  }

  static Stream<Arguments> cases() {
    List<Arguments> c = new ArrayList<>();
    // --- slugs: shape, injection payloads, look-alikes, length, reserved
    String[] badSlugs = {"a;drop", "../x", "ab--c", "Abc", "ABC", "ab", "a", "", "-abc", "abc-", "1abc", "ab_c", "ab c",
        "ab.c", "ab/c", "ab\\c", "ab'c", "ab\"c", "ab`c", "ab$(id)", "x;rm -rf /", "ab%00c", "ab\u0000c",
        "аbc" /* Cyrillic a */, "abc\u200b", "ａｂｃ" /* full width */, "ábc", "a".repeat(33), "abc\n", "abc;",
        "' OR 1=1 --", "wiki_x", "information_schema"};
    for (String s : badSlugs) {
      c.add(Arguments.of("slug " + s.replace("\u0000", "\\0"), with("slug", s).encode(), 400, "invalid_slug"));
    }
    for (String r : new String[] {"www", "api", "admin", "mysql", "main", "portainer", "pubwiki", "mcp", "chat", "sys", "test", "mail", "root",
        "sharedwiki", "mediawiki", "farmadmin"}) {
      c.add(Arguments.of("reserved " + r, with("slug", r).encode(), 400, "slug_reserved"));
    }
    c.add(Arguments.of("slug number", with("slug", 123).encode(), 400, "invalid_slug"));
    c.add(Arguments.of("slug missing", without("slug").encode(), 400, "invalid_slug"));
    c.add(Arguments.of("slug array", with("slug", new JsonArray().add("abc")).encode(), 400, "invalid_slug"));
    // --- names
    for (String n : new String[] {"", "   ", "a\u0000b", "tab\there", "line\nbreak", "bell\u0007", "del\u007f",
        "curly{x}", "colon: yes", "hash#tag", "a<b", "a>b", "[link]", "pipe|x", "sep\u2028x", "a".repeat(191)}) {
      c.add(Arguments.of("name " + n.substring(0, Math.min(20, n.length())).replaceAll("\\p{Cntrl}", "?"),
          with("name", n).encode(), 400, "invalid_name"));
    }
    c.add(Arguments.of("name missing", without("name").encode(), 400, "invalid_name"));
    c.add(Arguments.of("name number", with("name", 42).encode(), 400, "invalid_name"));
    c.add(Arguments.of("name object", with("name", new JsonObject()).encode(), 400, "invalid_name"));
    // --- languages
    for (String l : new String[] {"xx-nope", "EN", "en;", "../en", "", "en_US", "zh_hans", "a".repeat(40)}) {
      c.add(Arguments.of("language " + l, with("language", l).encode(), 400, "invalid_language"));
    }
    c.add(Arguments.of("language number", with("language", 1).encode(), 400, "invalid_language"));
    // --- visibility / template
    for (String v : new String[] {"PUBLIC", "x", "", "hidden", "public "}) {
      c.add(Arguments.of("visibility " + v, with("visibility", v).encode(), 400, "invalid_visibility"));
    }
    c.add(Arguments.of("visibility bool", with("visibility", true).encode(), 400, "invalid_visibility"));
    for (String t : new String[] {"../etc", "/etc/passwd", "unknown", "default"}) {
      c.add(Arguments.of("template " + t, with("template", t).encode(), 400, "invalid_template"));
    }
    // --- owner
    c.add(Arguments.of("owner missing", without("owner").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner string", with("owner", "bob").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner id missing", owner(null, "Bob").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner id negative", owner(-1, "Bob").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner id zero", owner(0, "Bob").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner id string", owner("5", "Bob").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner id fraction", owner(5.5, "Bob").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner id too big", owner(4_294_967_296L, "Bob").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner username missing", owner(5, null).encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner username blank", owner(5, "  ").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner username number", owner(5, 7).encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner username control", owner(5, "a\u0001b").encode(), 400, "invalid_owner"));
    c.add(Arguments.of("owner username too long", owner(5, "é".repeat(128)).encode(), 400, "invalid_owner"));
    // --- JSON itself
    c.add(Arguments.of("truncated json", valid().encode().substring(0, 20), 400, "invalid_json"));
    c.add(Arguments.of("json array", "[1,2]", 400, "invalid_json"));
    c.add(Arguments.of("json string", "\"hello\"", 400, "invalid_json"));
    c.add(Arguments.of("empty body", "", 400, "invalid_json"));
    c.add(Arguments.of("not json", "name=x&slug=y", 400, "invalid_json"));
    c.add(Arguments.of("json null", "null", 400, "invalid_json"));
    c.add(Arguments.of("1 MiB body", with("name", "n".repeat(1 << 20)).encode(), 413, "payload_too_large"));
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rejectedWithAJsonErrorAndNothingWritten(String label, String body, int status, String code) throws Exception {
    ApiClient.Response r = service.client.postJson("/provisioner/v1/wikis", body);
    assertEquals(status, r.status(), label + " → " + r.body());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals(code, error.getString("code"), label);
    assertFalse(error.getString("message").isBlank());
    assertFalse(r.body().contains("SQL") || r.body().contains("Exception") || r.body().contains("/work"), r.body());
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis"), label);
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_tasks"), label);
  }

  @org.junit.jupiter.api.Test
  void thereAreAtLeastSixtyCases() {
    assertTrue(cases().count() >= 60, "table has " + cases().count() + " cases");
  }
}

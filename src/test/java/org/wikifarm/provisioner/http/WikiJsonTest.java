package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.task.WikiStatus;

/**
 * The streamed wiki JSON is byte for byte what building a {@link JsonObject} per wiki and encoding it gave (the
 * wire format clients parse), also for names and user names with quotes, backslashes, control characters and
 * any Unicode, and the timestamps are exactly {@link DateTimeFormatter#ISO_INSTANT}'s to the second.
 */
class WikiJsonTest {
  private static final List<Wiki> WIKIS = List.of(
      wiki(1, "Plain", "plain", "plain.wiki.test", "Alice", "2026-01-02T03:04:05Z", false),
      wiki(2, "Quote \" back\\slash / tab\t nl\n cr\r bell\u0007 del\u007f", "odd", null, "Zoë 张三 😀 \u2028",
          "1970-01-01T00:00:00Z", true),
      wiki(9_007_199_254_740_993L, "Late", "late", "late.wiki.test", "", "9999-12-31T23:59:59.999Z", false),
      wiki(4, "Early", "early", "early.wiki.test", null, "1000-01-01T00:00:00Z", true));

  @Test
  void theStreamedJsonIsTheBytesTheJsonObjectEncodingGave() {
    for (Integer next : new Integer[] {null, 0, 40}) {
      JsonObject expected = new JsonObject().put("wikis", new JsonArray(WIKIS.stream().map(w -> previous(w, "https"))
          .toList()));
      if (next != null) {
        expected.put("next_offset", next);
      }
      assertEquals(expected.encode(), WikiJson.list(WIKIS, "https", next).toString());
    }
    assertEquals("{\"wikis\":[]}", WikiJson.list(List.of(), "https", null).toString());
    for (Wiki w : WIKIS) {
      assertEquals(previous(w, "http").encode(), WikiJson.of(w, "http").toString());
    }
  }

  @Test
  void timestampsAreIsoInstantToTheSecond() {
    for (String t : List.of("2026-11-27T00:00:00Z", "2024-02-29T23:59:59.5Z", "1999-12-31T09:08:07Z",
        "0001-01-01T00:00:00Z", "2038-01-19T03:14:08Z")) {
      Instant instant = Instant.parse(t);
      assertEquals(DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS)), WikiJson.utc(instant));
    }
    assertEquals(null, WikiJson.utc(null));
  }

  /** The encoding before the streamed one: a JsonObject per wiki. */
  private static JsonObject previous(Wiki w, String urlScheme) {
    return new JsonObject()
        .put("id", w.id())
        .put("name", w.name())
        .put("slug", w.slug())
        .put("domain", w.domain())
        .put("url", w.domain() == null ? null : urlScheme + "://" + w.domain() + "/")
        .put("language", w.language())
        .put("visibility", w.visibility())
        .put("status", w.status().wire())
        .put("is_featured", w.featured())
        .put("owner_user_id", w.ownerUserId())
        .put("owner_username", w.ownerUsername())
        .put("created_at", DateTimeFormatter.ISO_INSTANT.format(w.createdAt().truncatedTo(ChronoUnit.SECONDS)))
        .put("updated_at", DateTimeFormatter.ISO_INSTANT.format(w.updatedAt().truncatedTo(ChronoUnit.SECONDS)));
  }

  private static Wiki wiki(long id, String name, String slug, String domain, String owner, String at, boolean featured) {
    Instant t = Instant.parse(at);
    return new Wiki(id, name, slug, domain, "en", 42, owner, "public", WikiStatus.READY, featured, t, t.plusSeconds(1));
  }
}

package org.wikifarm.provisioner.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.wikifarm.provisioner.store.Wiki;

/** The public JSON shape of a wiki. Never carries filesystem paths or credentials. */
final class WikiJson {
  private WikiJson() {}

  static JsonObject of(Wiki w, String urlScheme) {
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
        .put("created_at", utc(w.createdAt()))
        .put("updated_at", utc(w.updatedAt()));
  }

  static JsonArray list(List<Wiki> wikis, String urlScheme) {
    JsonArray array = new JsonArray();
    wikis.forEach(w -> array.add(of(w, urlScheme)));
    return array;
  }

  /** ISO-8601 with a 'Z', to the second (DATETIME has no fractions). */
  static String utc(Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }
}

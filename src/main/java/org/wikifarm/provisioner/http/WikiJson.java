package org.wikifarm.provisioner.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.wikifarm.provisioner.store.Wiki;

/**
 * The public JSON shape of a wiki. Never carries filesystem paths or credentials. Written straight to UTF-8 bytes
 * with Jackson's streaming generator (the one {@code JsonObject.encode} uses; WikiJsonTest holds the bytes equal) instead
 * of building a map per wiki: the lists are the service's hottest answers.
 */
final class WikiJson {
  /** UTF-8 output that writes a character outside the BMP (an emoji in a name) as itself, as encode() does. */
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();
  /** Roughly one encoded wiki, so a page's buffer rarely grows. */
  private static final int BYTES_PER_WIKI = 400;

  private WikiJson() {}

  /** {@code {"wikis": [...], "next_offset": n?}}; no {@code next_offset} when null. */
  static Buffer list(List<Wiki> wikis, String urlScheme, Integer nextOffset) {
    return write(64 + wikis.size() * BYTES_PER_WIKI, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("wikis");
      for (Wiki w : wikis) {
        write(g, w, urlScheme);
      }
      g.writeEndArray();
      if (nextOffset != null) {
        g.writeNumberField("next_offset", nextOffset);
      }
      g.writeEndObject();
    });
  }

  static Buffer of(Wiki w, String urlScheme) {
    return write(BYTES_PER_WIKI, g -> write(g, w, urlScheme));
  }

  private static void write(JsonGenerator g, Wiki w, String urlScheme) throws IOException {
    g.writeStartObject();
    g.writeNumberField("id", w.id());
    g.writeStringField("name", w.name());
    g.writeStringField("slug", w.slug());
    g.writeStringField("domain", w.domain());
    g.writeStringField("url", w.domain() == null ? null : urlScheme + "://" + w.domain() + "/");
    g.writeStringField("language", w.language());
    g.writeStringField("visibility", w.visibility());
    g.writeStringField("status", w.status().wire());
    g.writeBooleanField("is_featured", w.featured());
    g.writeNumberField("owner_user_id", w.ownerUserId());
    g.writeStringField("owner_username", w.ownerUsername());
    g.writeStringField("created_at", utc(w.createdAt()));
    g.writeStringField("updated_at", utc(w.updatedAt()));
    g.writeEndObject();
  }

  private interface Body {
    void writeTo(JsonGenerator g) throws IOException;
  }

  private static Buffer write(int sizeHint, Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.writeTo(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return Buffer.buffer(out.toByteArray());
  }

  /**
   * ISO-8601 with a 'Z', to the second (DATETIME has no fractions): {@code 2026-01-02T03:04:05Z}, exactly what
   * {@link DateTimeFormatter#ISO_INSTANT} prints, built from the fields instead of through the formatter.
   */
  static String utc(Instant t) {
    if (t == null) {
      return null;
    }
    LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    if (d.getYear() < 0 || d.getYear() > 9999) {
      return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }
    char[] c = "0000-00-00T00:00:00Z".toCharArray();
    digits(c, 0, d.getYear(), 4);
    digits(c, 5, d.getMonthValue(), 2);
    digits(c, 8, d.getDayOfMonth(), 2);
    digits(c, 11, d.getHour(), 2);
    digits(c, 14, d.getMinute(), 2);
    digits(c, 17, d.getSecond(), 2);
    return new String(c);
  }

  private static void digits(char[] into, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      into[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}

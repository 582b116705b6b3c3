package org.wikifarm.provisioner.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.AppConfig.Identity;

/**
 * A {@code POST /wikis} body after validation. {@link #parse} either returns a request that is safe to store
 * or throws an {@link ApiException} naming the first offending field; nothing reaches SQL, the shell or the
 * filesystem before this.
 */
public record CreateWikiRequest(
    String name, String slug, String language, String template, String visibility, long ownerId,
    String ownerUsername) {

  private static final Set<String> VISIBILITIES = Set.of("public", "private", "unlisted");
  private static final long MAX_USER_ID = 4_294_967_295L; // INT UNSIGNED

  public static CreateWikiRequest parse(JsonObject body, MultiMap headers, AppConfig config, WikiRules rules) {
    String name = requiredString(body, "name", "invalid_name").strip();
    String nameProblem = WikiRules.nameProblem(name);
    if (nameProblem != null) {
      throw ApiException.invalidField("invalid_name", "name", nameProblem);
    }

    String slug = requiredString(body, "slug", "invalid_slug");
    String slugProblem = WikiRules.slugProblem(slug);
    if (slugProblem != null) {
      throw ApiException.invalidField("invalid_slug", "slug", slugProblem);
    }
    if (rules.isReserved(slug)) {
      throw ApiException.invalidField("slug_reserved", "slug", "the slug '" + slug + "' is reserved");
    }

    String language = optionalString(body, "language", "invalid_language");
    if (language == null) {
      language = config.farm().defaultLanguage();
    }
    if (!Languages.isKnown(language)) {
      throw ApiException.invalidField("invalid_language", "language",
          "'" + abbreviate(language) + "' is not a MediaWiki language code (e.g. en, de, zh-hans)");
    }

    String template = optionalString(body, "template", "invalid_template");
    if (template != null && !config.farm().templates().containsKey(template)) {
      throw ApiException.invalidField("invalid_template", "template",
          "unknown template; available: " + String.join(", ", config.farm().templates().keySet().stream().sorted().toList()));
    }

    String visibility = optionalString(body, "visibility", "invalid_visibility");
    if (visibility == null) {
      visibility = "public";
    }
    if (!VISIBILITIES.contains(visibility)) {
      throw ApiException.invalidField("invalid_visibility", "visibility",
          "visibility must be one of public, private, unlisted");
    }

    long ownerId;
    String ownerName;
    if (config.http().identity() == Identity.HEADERS) {
      String id = headers.get("X-Auth-User-Id");
      ownerName = headers.get("X-Auth-User");
      if (id == null || ownerName == null || ownerName.isBlank()) {
        throw ApiException.unauthorized("missing_identity",
            "X-Auth-User-Id and X-Auth-User headers are required (set by the forward-auth proxy)");
      }
      ownerId = parseUserId(id.strip(), true);
    } else {
      Object owner = body.getValue("owner");
      if (!(owner instanceof JsonObject o)) {
        throw ApiException.invalidField("invalid_owner", "owner", "owner {id, username} is required");
      }
      Object id = o.getValue("id");
      if (!(id instanceof Number n) || n instanceof Double || n instanceof Float
          || n.longValue() < 1 || n.longValue() > MAX_USER_ID) {
        throw ApiException.invalidField("invalid_owner", "owner.id", "owner.id must be a positive whole number");
      }
      ownerId = n.longValue();
      Object username = o.getValue("username");
      if (!(username instanceof String s) || s.isBlank()) {
        throw ApiException.invalidField("invalid_owner", "owner.username", "owner.username must be a non-empty string");
      }
      ownerName = s;
    }
    ownerName = ownerName.strip();
    if (ownerName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255
        || ownerName.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.invalidField("invalid_owner", "owner.username", "owner.username is not a valid user name");
    }
    return new CreateWikiRequest(name, slug, language, template, visibility, ownerId, ownerName);
  }

  /** Parses a user id from a path or header; 400 (or 401 for identity headers) when it is not one. */
  public static long parseUserId(String raw, boolean fromIdentityHeader) {
    if (raw == null || !raw.matches("^[0-9]{1,10}$") || Long.parseLong(raw) < 1 || Long.parseLong(raw) > MAX_USER_ID) {
      if (fromIdentityHeader) {
        throw ApiException.unauthorized("missing_identity", "X-Auth-User-Id must be a positive whole number");
      }
      throw ApiException.badRequest("invalid_user_id", "the user id must be a positive whole number");
    }
    return Long.parseLong(raw);
  }

  private static String requiredString(JsonObject body, String field, String code) {
    Object value = body.getValue(field);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw ApiException.invalidField(code, field, field + " is required and must be a string");
    }
    return s;
  }

  private static String optionalString(JsonObject body, String field, String code) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw ApiException.invalidField(code, field, field + " must be a string");
    }
    return s;
  }

  private static String abbreviate(String s) {
    String printable = s.codePoints().filter(c -> !Character.isISOControl(c))
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
  }
}

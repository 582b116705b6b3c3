package org.wikifarm.provisioner.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Pattern;
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

  static final Set<String> VISIBILITIES = Set.of("public", "private", "unlisted");

  public static CreateWikiRequest parse(JsonObject body, MultiMap headers, AppConfig config, WikiRules rules) {
    String name = WikiRules.stripBlank(requiredString(body, "name", "invalid_name"));
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
    // body identity (a trusted proxy puts the owner in the JSON)
    if (config.http().identity() == Identity.HEADERS) {
      Caller caller = Caller.required(headers); // validated and decoded there; the body's owner is ignored
      return new CreateWikiRequest(name, slug, language, template, visibility, caller.id(), caller.username());
    } else {
      Object owner = body.getValue("owner");
      if (!(owner instanceof JsonObject o)) {
        throw ApiException.invalidField("invalid_owner", "owner", "owner {id, username} is required");
      }
      Object id = o.getValue("id");
      // only integral JSON numbers that fit INT UNSIGNED: a BigInteger would wrap around in longValue()
      if (!(id instanceof Integer || id instanceof Long) || ((Number) id).longValue() < 1
          || ((Number) id).longValue() > Caller.MAX_USER_ID) {
        throw ApiException.invalidField("invalid_owner", "owner.id", "owner.id must be a positive whole number");
      }
      ownerId = ((Number) id).longValue();
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

  /** Compiled once: the owner list parses an id on every request. */
  private static final Pattern USER_ID = Pattern.compile("[0-9]{1,10}");

  /** Parses a user id from a path; 400 when it is not one. */
  public static long parseUserId(String raw) {
    if (raw == null || !USER_ID.matcher(raw).matches() || Long.parseLong(raw) < 1
        || Long.parseLong(raw) > Caller.MAX_USER_ID) {
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

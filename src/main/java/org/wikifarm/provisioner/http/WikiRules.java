package org.wikifarm.provisioner.http;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.config.AppConfig;

/**
 * The rules a wiki's slug and name must follow (SPEC §4). The slug becomes a host name, a directory and part
 * of database identifiers; the name becomes {@code $wgSitename} and {@code $wgMetaNamespace}.
 */
public final class WikiRules {
  private static final Pattern SLUG = Pattern.compile("^[a-z][a-z0-9-]*[a-z0-9]$");
  private static final Set<String> BUILT_IN_RESERVED = Set.of("www", "api", "admin", "mail", "main", "portainer",
      "pubwiki", "mcp", "chat", "mysql", "sys", "test", "public", "information_schema", "performance_schema",
      "root");
  /** Characters that break a MediaWiki namespace name or page titles. */
  private static final String FORBIDDEN_NAME_CHARS = "#<>[]|{}:";
  public static final int NAME_MAX = 190;

  private final Set<String> reserved;

  public WikiRules(AppConfig config) {
    Set<String> r = new HashSet<>(BUILT_IN_RESERVED);
    r.add(config.wikiDb().sharedDbName().toLowerCase(Locale.ROOT));
    r.add(config.wikiDb().adminUser().toLowerCase(Locale.ROOT));
    r.add(config.database().name().toLowerCase(Locale.ROOT));
    r.addAll(config.farm().reservedSlugs());
    this.reserved = Set.copyOf(r);
  }

  /** Null when the slug has a valid shape; otherwise why not. Reservation is checked separately. */
  public static String slugProblem(String slug) {
    if (slug.length() < 3 || slug.length() > 32) {
      return "the slug must be 3 to 32 characters long";
    }
    if (!SLUG.matcher(slug).matches()) {
      // the extension's own check is looser (^[a-z0-9-]{3,120}$), so say exactly which rule this one breaks
      if (!Character.isLetter(slug.charAt(0)) || slug.charAt(0) > 'z') {
        return "the slug must start with a lowercase letter a-z (e.g. 'wiki1' instead of '1wiki')";
      }
      if (slug.endsWith("-")) {
        return "the slug must not end with '-'";
      }
      return "the slug may contain only lowercase letters a-z, digits and '-', must start with a letter "
          + "and must not end with '-'";
    }
    if (slug.contains("--")) {
      return "the slug must not contain '--'";
    }
    return null;
  }

  public boolean isReserved(String slug) {
    return reserved.contains(slug);
  }

  /**
   * The name without blank characters of any Unicode kind at either end (no-break and ideographic spaces,
   * zero-width and other format characters included), so a name made only of them is empty.
   */
  public static String stripBlank(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isBlank(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && isBlank(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  private static boolean isBlank(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.getType(cp) == Character.FORMAT
        || cp == 0x180E || cp == 0x3164 || cp == 0x115F || cp == 0x1160; // fillers that render as nothing
  }

  /** Null when the (already trimmed) name is acceptable; otherwise why not. */
  public static String nameProblem(String name) {
    int length = name.codePointCount(0, name.length());
    if (length < 1 || length > NAME_MAX) {
      return "the name must be 1 to " + NAME_MAX + " characters long";
    }
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      int type = Character.getType(cp);
      if (type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
          || type == Character.SURROGATE || type == Character.UNASSIGNED || type == Character.PRIVATE_USE) {
        return "the name must not contain control or invisible separator characters";
      }
      if (FORBIDDEN_NAME_CHARS.indexOf(cp) >= 0) {
        return "the name must not contain any of " + String.join(" ", FORBIDDEN_NAME_CHARS.split(""));
      }
      i += Character.charCount(cp);
    }
    return null;
  }
}

package org.wikifarm.provisioner.provision;

import io.vertx.core.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.wikifarm.provisioner.support.IniFile;

/**
 * Replaces known secret values with {@code ***} in any text bound for users, logs or events: configured
 * secrets plus the ones a task generates (the wiki's DB password). Each secret is masked in every form it can
 * take on the way — raw, URL-encoded (as in {@code DATABASE_URL}), ini-escaped (as in {@code pubwiki.ini}, which
 * a command may print) and JSON-escaped. Secrets shorter than 4 characters are not masked to avoid shredding
 * ordinary words.
 */
public final class Redactor {
  private final Set<String> secrets = new CopyOnWriteArraySet<>();

  public Redactor(List<String> initial) {
    initial.forEach(this::add);
  }

  /** Every secret of the configuration, so none of them can leak through a task message or an event. */
  public static Redactor forConfig(org.wikifarm.provisioner.config.AppConfig c) {
    return new Redactor(java.util.stream.Stream.of(c.database().password(), c.wikiDb().adminPassword(),
            c.redis().password(), c.openSearch().password(), c.http().apiToken(), c.executor().portainerApiKey())
        .map(org.wikifarm.provisioner.config.Secret::reveal).toList());
  }

  public void add(String secret) {
    if (secret == null || secret.length() < 4) {
      return;
    }
    secrets.add(secret);
    secrets.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
    secrets.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
    secrets.add(unquoted(Json.encode(secret)));
    try {
      String ini = unquoted(IniFile.quote(secret));
      secrets.add(ini);
      // the part before a quote that PHP's scanner needs split off ("...\"'"'"..." before a line break)
      for (String piece : ini.split("\"'\"'\"")) {
        if (piece.length() >= 4) {
          secrets.add(piece);
        }
      }
    } catch (IllegalArgumentException notStorable) {
      // such a secret never reaches pubwiki.ini, so it has no ini form
    }
  }

  private static String unquoted(String quoted) {
    return quoted.substring(1, quoted.length() - 1);
  }

  public String redact(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    // longest first so a secret that contains another is masked whole
    for (String s : secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
      out = out.replace(s, "***");
    }
    return out;
  }
}

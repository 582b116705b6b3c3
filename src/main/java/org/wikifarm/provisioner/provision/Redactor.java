package org.wikifarm.provisioner.provision;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Replaces known secret values with {@code ***} in any text bound for users, logs or events: configured
 * secrets plus the ones a task generates (the wiki's DB password). Secrets shorter than 4 characters are not
 * masked to avoid shredding ordinary words.
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
    if (secret != null && secret.length() >= 4) {
      secrets.add(secret);
    }
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

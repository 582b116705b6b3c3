package org.wikifarm.provisioner.embedded;

import java.util.List;

/**
 * The dev mode's last word at start-up, all of it true of this start: the page, a create-and-watch command that
 * works when pasted (a slug no wiki has yet), where the wiki will open, the template and why, the ports, whether
 * the data is new or kept, and what became of the shell's service variables.
 */
record DevBanner(DevOptions options, int httpPort, boolean fresh, List<String> slugs, String template,
    DevEnvironment env, String rootHost) {

  /** The banner, printed last. */
  String text() {
    String api = "http://127.0.0.1:" + httpPort;
    String slug = freeSlug(slugs);
    String wiki = "http://" + slug + "." + rootHost + ":" + options.wikiPort() + "/";
    String data = options.varDir() + (fresh ? " (new)" : " (kept from an earlier run: " + slugs.size()
        + " wiki(s))");
    return """

        WikiFarm Provisioner dev mode is ready.
          progress page  %1$s/
          create a wiki and watch it (paste both lines):
            T=$(curl -s -X POST %1$s/provisioner/v1/wikis -H 'Content-Type: application/json' -d '{"name":"%2$s","slug":"%3$s","owner":{"id":1,"username":"Admin"}}' | sed -E 's/.*"task_id":"([^"]*)".*/\\1/')
            curl -sN %1$s/provisioner/v1/tasks/$T/events
          then open it   %4$s  (or http://127.0.0.1:%5$d/%3$s/)
          your wikis     curl -s %1$s/provisioner/v1/users/1/wikis
          template       %6$s
          ports          API %7$d, wikis %5$d, MariaDB %8$d, Redis %9$d (all on 127.0.0.1)
          data           %10$s
          environment    %11$s
        Ctrl-C stops it; the data stays. Start over with: mvn -Pdev test-compile exec:java -Dexec.args=--reset
        """.formatted(api, title(slug), slug, wiki, options.wikiPort(), template, httpPort, options.mariaDbPort(),
        options.redisPort(), data, env.describe());
  }

  /** The banner's example must work when pasted: a slug no wiki has yet (README's example uses another). */
  private static String freeSlug(List<String> taken) {
    for (String candidate : List.of("my-first-wiki", "my-second-wiki", "my-third-wiki")) {
      if (!taken.contains(candidate)) {
        return candidate;
      }
    }
    int n = 4;
    while (taken.contains("my-wiki-" + n)) {
      n++;
    }
    return "my-wiki-" + n;
  }

  private static String title(String slug) {
    StringBuilder out = new StringBuilder();
    for (String word : slug.split("-")) {
      out.append(out.length() == 0 ? "" : " ").append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
    }
    return out.toString();
  }
}

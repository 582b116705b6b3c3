package org.wikifarm.provisioner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration names are written down in three places: the loader's table of environment variables (the
 * source), README's configuration table, and conf/config.yaml (every option, with its variable in
 * {@code [BRACKETS]}). These tests fail as soon as the three disagree, or as soon as conf/config.yaml documents
 * a key the parser does not read.
 */
class ConfigNamesTest {

  private static final Path README = Path.of("README.md");
  private static final Path CONFIG_YAML = Path.of("conf", "config.yaml");

  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
  /** A top-level section of config.yaml: {@code http:}. */
  private static final Pattern YAML_SECTION = Pattern.compile("^([a-z][a-z0-9-]*):");
  /** An option inside a section, commented out (as shipped) or not: {@code   # bind: 127.0.0.1:8080}. */
  private static final Pattern YAML_OPTION = Pattern.compile("^  (?:# )?([a-z][a-z0-9-]*):");
  /** The variable that overrides an option, in its comment: {@code [BIND_ADDR]}. */
  private static final Pattern YAML_ENV_NOTE = Pattern.compile("\\[([A-Z][A-Z0-9_]*)]");

  /** One row of README's table: the variables and the keys they set, in the same order. */
  private record ReadmeRow(String line, List<String> envNames, List<String> keys) {}

  @Test
  void readmeListsEveryVariableTheLoaderReadsWithItsKey() throws IOException {
    Map<String, String> loader = EnvironmentVariables.KEY_BY_NAME;
    Map<String, String> readme = new LinkedHashMap<>();
    for (ReadmeRow row : readmeTable()) {
      assertEquals(row.envNames().size(), row.keys().size(),
          "a README row names each variable and its key in the same order: " + row.line());
      for (int i = 0; i < row.envNames().size(); i++) {
        readme.put(row.envNames().get(i), row.keys().get(i));
      }
    }
    assertEquals(Set.of(), missing(loader.keySet(), readme.keySet()),
        "variables the loader reads but README's configuration table does not list");
    assertEquals(Set.of(), missing(readme.keySet(), loader.keySet()),
        "variables README lists but the loader does not read");
    readme.forEach((name, key) -> assertEquals(loader.get(name), key, "README: the key " + name + " sets"));
  }

  @Test
  void everyKeyInReadmeIsDocumentedInConfigYaml() throws IOException {
    Set<String> documented = configYaml().keySet();
    Set<String> inReadme = new LinkedHashSet<>();
    readmeTable().forEach(row -> inReadme.addAll(row.keys()));
    assertEquals(Set.of(), missing(inReadme, documented),
        "keys in README's configuration table that conf/config.yaml does not document");
  }

  @Test
  void configYamlNamesEachKeysVariableAsTheLoaderDoes() throws IOException {
    Map<String, String> loaderNameByKey = new LinkedHashMap<>();
    EnvironmentVariables.KEY_BY_NAME.forEach((name, key) -> loaderNameByKey.put(key, name));
    Map<String, String> yamlNameByKey = new LinkedHashMap<>();
    configYaml().forEach((key, note) -> {
      if (note != null) {
        yamlNameByKey.put(key, note);
      }
    });
    assertEquals(sortedLines(loaderNameByKey), sortedLines(yamlNameByKey),
        "conf/config.yaml's [NAME] notes, key by key, against the loader's table");
  }

  @Test
  void configYamlDocumentsEveryKeyThatHasADefaultOrAVariable() throws IOException {
    Set<String> expected = new TreeSet<>(optionKeys(ConfigDefaults.asJson()));
    expected.addAll(EnvironmentVariables.KEY_BY_NAME.values());
    assertEquals(Set.of(), missing(expected, configYaml().keySet()),
        "options conf/config.yaml does not document");
  }

  @Test
  void everyKeyInConfigYamlIsOneTheParserReads() throws IOException {
    assertFalse(readsKey("http.no-such-option"), "the probe must tell an unread key from a read one");
    List<String> unread = new ArrayList<>();
    for (String key : configYaml().keySet()) {
      if (!readsKey(key)) {
        unread.add(key);
      }
    }
    assertEquals(List.of(), unread, "keys conf/config.yaml documents but the parser ignores");
  }

  /**
   * Whether the parser reads {@code key}, told from the outside: given a mapping where a single value or a list
   * is expected, a key the parser reads either is reported as a problem or changes the configuration; a key it
   * does not read is reported as unknown and nothing else.
   */
  private static boolean readsKey(String key) {
    AppConfig valid = ConfigLoader.fromJson(validConfig());
    JsonObject probed = validConfig();
    ConfigTree.set(probed, key, new JsonObject().put("probe", new JsonObject()));
    try {
      return !ConfigLoader.fromJson(probed).equals(valid);
    } catch (ConfigException e) {
      return e.problems().stream().anyMatch(p -> !p.startsWith("unknown "));
    }
  }

  private static JsonObject validConfig() {
    return new JsonObject()
        .put("database", new JsonObject().put("url", "mysql://u:p@127.0.0.1:3306/mediawiki"))
        .put("farm", new JsonObject().put("wiki-dir", "/srv/wikis").put("oauth-dir", "/srv/oauth")
            .put("template", "/srv/template").put("root-host", "wiki.test"))
        .put("wiki-db", new JsonObject().put("admin-user", "root").put("shared-db-name", "shared"))
        .put("executor", new JsonObject().put("type", "local"));
  }

  /** The rows of the table under README's "## Configuration" heading. */
  private static List<ReadmeRow> readmeTable() throws IOException {
    List<String> lines = Files.readAllLines(README);
    int heading = lines.indexOf("## Configuration");
    assertTrue(heading >= 0, "README has a '## Configuration' section");
    List<ReadmeRow> rows = new ArrayList<>();
    boolean inTable = false;
    for (String line : lines.subList(heading + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (!line.startsWith("|")) {
        if (inTable) {
          break;
        }
        continue;
      }
      inTable = true;
      String[] cells = line.split("\\|");
      List<String> envNames = backticked(cells[1]);
      if (envNames.isEmpty() || !envNames.stream().allMatch(n -> ENV_NAME.matcher(n).matches())) {
        continue; // the header and its separator
      }
      rows.add(new ReadmeRow(line, envNames, backticked(cells[2])));
    }
    assertFalse(rows.isEmpty(), "README's configuration table was found");
    return rows;
  }

  /** Every option conf/config.yaml documents, as {@code section.key}, with its [NAME] note or null. */
  private static Map<String, String> configYaml() throws IOException {
    Map<String, String> options = new LinkedHashMap<>();
    String section = null;
    for (String line : Files.readAllLines(CONFIG_YAML)) {
      Matcher s = YAML_SECTION.matcher(line);
      if (s.find()) {
        section = s.group(1);
        continue;
      }
      Matcher o = YAML_OPTION.matcher(line);
      if (section != null && o.find()) {
        Matcher note = YAML_ENV_NOTE.matcher(line);
        options.put(section + "." + o.group(1), note.find() ? note.group(1) : null);
      }
    }
    assertTrue(options.size() > 20, "conf/config.yaml's options were found: " + options.keySet());
    return options;
  }

  private static List<String> backticked(String cell) {
    List<String> out = new ArrayList<>();
    Matcher m = BACKTICKED.matcher(cell);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** {@code section.option} for every option of the two-level tree (an option's value may be a mapping). */
  private static Set<String> optionKeys(JsonObject json) {
    Set<String> keys = new LinkedHashSet<>();
    json.forEach(section -> ((JsonObject) section.getValue()).fieldNames()
        .forEach(option -> keys.add(section.getKey() + "." + option)));
    return keys;
  }

  private static Set<String> missing(Set<String> from, Set<String> in) {
    Set<String> out = new TreeSet<>(from);
    out.removeAll(in);
    return out;
  }

  /** One {@code key = value} line per entry, sorted, so that a failure shows exactly which entries differ. */
  private static String sortedLines(Map<String, String> map) {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(map).forEach((k, v) -> out.append(k).append(" = ").append(v).append('\n'));
    return out.toString();
  }
}

package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The configuration file's layer, read with SnakeYAML's safe constructor (no arbitrary types) into the JSON tree
 * the other layers use — as vertx-config's YAML store did, without needing a Vert.x instance: mappings become
 * objects, timestamps instants. JSON is valid YAML, so a JSON file works too.
 */
final class YamlFile {
  private YamlFile() {}

  /** The file's tree; empty when it is {@code optional} and missing, or empty. */
  static JsonObject read(Path file, boolean optional) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      if (optional) {
        return new JsonObject();
      }
      throw problem(file, "the file does not exist");
    } catch (IOException e) {
      throw problem(file, e.toString());
    }
    Object tree;
    try {
      tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw problem(file, "not valid YAML: " + e.getMessage());
    }
    if (tree == null) {
      return new JsonObject();
    }
    if (!(tree instanceof Map<?, ?> map)) {
      throw problem(file, "the file must hold a mapping of sections (http:, database:, …), not a single value or a list");
    }
    return toJson(map);
  }

  private static JsonObject toJson(Map<?, ?> map) {
    JsonObject json = new JsonObject();
    map.forEach((key, value) -> {
      Object converted = value;
      if (value instanceof Map<?, ?> nested) {
        converted = toJson(nested);
      } else if (value instanceof Date date) {
        converted = date.toInstant();
      }
      json.put(String.valueOf(key), converted);
    });
    return json;
  }

  private static ConfigException problem(Path file, String why) {
    return new ConfigException(List.of("cannot read " + file + ": " + why));
  }
}

package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The configuration kept as its layers, lowest first: built-in defaults, the file, the environment, the flags.
 * Merging them gives the tree the parser reads; keeping them apart lets {@code check-config} say which layer set
 * each value and lets an unknown key be reported with the place it was written.
 */
final class ConfigLayers {
  /**
   * One layer: {@code origin} as check-config prints it (default, file, env, flag), {@code where} as problems
   * name the place (" in conf/config.yaml", " in --set"), and whether its keys are checked against the known
   * ones (the environment layer is built from the table of variables, so it cannot hold an unknown key).
   */
  record Layer(String origin, String where, JsonObject tree, boolean checkKeys) {}

  private final List<Layer> layers;

  private ConfigLayers(List<Layer> layers) {
    this.layers = List.copyOf(layers);
  }

  static ConfigLayers of(String fileName, JsonObject file, JsonObject env, JsonObject flags) {
    return new ConfigLayers(List.of(defaults(), new Layer("file", " in " + fileName, file, true),
        new Layer("env", "", env, false), new Layer("flag", " in --set", flags, true)));
  }

  /** Defaults and one tree over them: {@link ConfigLoader#fromJson}. */
  static ConfigLayers overDefaults(JsonObject config) {
    return new ConfigLayers(List.of(defaults(), new Layer("config", "", config, true)));
  }

  private static Layer defaults() {
    return new Layer("default", "", ConfigDefaults.asJson(), false);
  }

  /** The layers merged, higher over lower. */
  JsonObject merged() {
    JsonObject above = new JsonObject();
    for (Layer layer : layers.subList(1, layers.size())) {
      above.mergeIn(layer.tree().copy(), true);
    }
    // defaults go under the merged layers only now: a YAML section whose keys are all commented out reads as
    // null and would otherwise wipe the defaults beneath it
    return layers.get(0).tree().copy().mergeIn(ConfigTree.withoutNulls(above), true);
  }

  /** Every key that a checked layer sets and the parser never read, with a suggestion each. */
  List<String> unknownKeys(Set<String> known) {
    List<String> problems = new ArrayList<>();
    for (Layer layer : layers) {
      if (layer.checkKeys()) {
        problems.addAll(UnknownKeys.find(layer.tree(), layer.where(), known));
      }
    }
    return problems;
  }

  /** check-config's rows: every key read, with its variable, its value (secrets masked) and its layer. */
  List<Setting> settings(Set<String> keys, Set<String> secretKeys, Set<String> urlKeys) {
    JsonObject merged = merged();
    List<Setting> rows = new ArrayList<>();
    for (String key : keys) {
      Object value = ConfigTree.get(merged, key);
      rows.add(new Setting(key, EnvironmentVariables.nameOf(key), display(value, secretKeys.contains(key), urlKeys.contains(key)),
          originOf(key)));
    }
    return rows;
  }

  private String originOf(String key) {
    for (int i = layers.size() - 1; i >= 0; i--) {
      if (ConfigTree.get(layers.get(i).tree(), key) != null) {
        return layers.get(i).origin();
      }
    }
    return "-";
  }

  private static String display(Object value, boolean secret, boolean url) {
    if (value == null || (value instanceof String s && s.isEmpty())) {
      return "";
    }
    if (secret) {
      return "<redacted>";
    }
    String text = value instanceof JsonObject || value instanceof JsonArray ? value.toString() : value.toString().trim();
    return url ? withoutPassword(text) : text;
  }

  /** A URL keeps its scheme, user, host and path (useful to check) but never its password. */
  private static String withoutPassword(String value) {
    try {
      URI uri = URI.create(value);
      String userInfo = uri.getRawUserInfo();
      if (uri.getScheme() == null || uri.getRawAuthority() == null) {
        return "<redacted>";
      }
      if (userInfo == null) {
        return value;
      }
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      return value.replaceFirst(java.util.regex.Pattern.quote(userInfo + "@"),
          java.util.regex.Matcher.quoteReplacement(user + (colon < 0 ? "" : ":<redacted>") + "@"));
    } catch (IllegalArgumentException notAUrl) {
      return "<redacted>";
    }
  }
}

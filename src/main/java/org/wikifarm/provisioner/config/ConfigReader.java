package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads from the merged configuration tree. A bad value is recorded as a problem and a stand-in is
 * returned instead of throwing, so that parsing carries on and one start-up error lists every problem. Values
 * may arrive typed (YAML) or as strings (environment, flags). Problems name the key and, when one sets it, the
 * environment variable. The reader also remembers every key it was asked for, in order, and which of them hold
 * secrets: that is the list of valid keys (unknown ones are problems) and the rows of {@code check-config}.
 * Every section therefore reads all of its keys unconditionally.
 */
final class ConfigReader {

  private static final Pattern DURATION = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d)?$");

  private final JsonObject root;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> keysRead = new LinkedHashSet<>();
  private final Set<String> secretKeys = new LinkedHashSet<>();
  private final Set<String> urlKeys = new LinkedHashSet<>();

  ConfigReader(JsonObject root) {
    this.root = root;
  }

  void problem(String text) {
    problems.add(text);
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  /** Every key read so far, in the order of reading (section by section). */
  Set<String> keysRead() {
    return new LinkedHashSet<>(keysRead);
  }

  /** The keys read whose values are secrets. */
  Set<String> secretKeys() {
    return new LinkedHashSet<>(secretKeys);
  }

  /** The keys read whose values are URLs that may carry a password. */
  Set<String> urlKeys() {
    return new LinkedHashSet<>(urlKeys);
  }

  /** The value at {@code key}, noting the key as a valid one. */
  private Object value(String key) {
    keysRead.add(key);
    return ConfigTree.get(root, key);
  }

  /** An optional secret: its value is never printed. */
  Secret secret(String key) {
    secretKeys.add(key);
    return Secret.of(string(key, false));
  }

  /** A URL that may carry a password: shown without it. */
  String url(String key, boolean required) {
    urlKeys.add(key);
    return string(key, required);
  }

  /** The key as problems name it: {@code http.bind (BIND_ADDR)}. */
  String label(String key) {
    return EnvironmentVariables.label(key);
  }

  /** The trimmed value; null when absent, "" when empty (a required one is then a problem). */
  String string(String key, boolean required) {
    Object v = value(key);
    if (v == null || (v instanceof String s && s.isEmpty())) {
      if (required) {
        problem(label(key) + " is required");
      }
      return v == null ? null : "";
    }
    if (v instanceof JsonObject || v instanceof JsonArray) {
      problem(label(key) + " must be a single value");
      return null;
    }
    return v.toString().trim();
  }

  /** A required directory, made absolute against the working directory. */
  Path requiredPath(String key) {
    String s = string(key, true);
    if (s == null || s.isEmpty()) {
      return null;
    }
    Path p = Path.of(s);
    if (!p.isAbsolute()) {
      p = p.toAbsolutePath().normalize();
    }
    return p;
  }

  /** An optional path taken as given: it may name a directory inside a container, not on this host. */
  Path optionalPath(String key) {
    String s = string(key, false);
    return s == null || s.isEmpty() ? null : Path.of(s);
  }

  int integer(String key, int min, int max) {
    Object v = value(key);
    try {
      int value = v instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(v).trim());
      if (value < min || value > max) {
        problem(label(key) + " must be between " + min + " and " + max + "; got " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      problem(label(key) + " must be a whole number; got '" + v + "'");
      return min;
    }
  }

  boolean bool(String key) {
    Object v = value(key);
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "true", "1", "yes", "on" -> {
        return true;
      }
      case "false", "0", "no", "off", "", "null" -> {
        return false;
      }
      default -> {
        problem(label(key) + " must be true or false; got '" + v + "'");
        return false;
      }
    }
  }

  /** 200ms, 30s, 5m, 1h, 1d; a bare number means seconds. */
  Duration duration(String key) {
    return duration(key, false);
  }

  /** As {@link #duration(String)}, where zero is allowed (it switches something off). */
  Duration durationOrZero(String key) {
    return duration(key, true);
  }

  private Duration duration(String key, boolean zeroAllowed) {
    Object v = value(key);
    if (v instanceof Number n) {
      return Duration.ofSeconds(n.longValue());
    }
    Matcher m = v == null ? null : DURATION.matcher(v.toString().trim());
    if (m == null || !m.matches()) {
      problem(label(key) + " must be a duration such as 200ms, 30s, 5m, 1h or 1d; got '" + v + "'");
      return Duration.ofSeconds(1);
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration d = switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> Duration.ofSeconds(amount);
    };
    if (d.isZero() && !zeroAllowed) {
      problem(label(key) + " must be greater than zero");
    }
    return d;
  }

  /** One of the constants, named in any case; {@code fallback} when unset. */
  <E extends Enum<E>> E enumValue(String key, Class<E> type, E fallback) {
    String s = string(key, false);
    if (s == null || s.isEmpty()) {
      return fallback;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      allowed.add(e.name().toLowerCase(Locale.ROOT));
    }
    problem(label(key) + " must be one of " + String.join("|", allowed) + "; got '" + s + "'");
    return fallback;
  }

  /** A mapping, or null when absent or not a mapping. */
  JsonObject object(String key) {
    Object v = value(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      problem(label(key) + " must be a mapping");
      return null;
    }
    return o;
  }

  /** A list given as a YAML list or as a comma-separated string (environment); blank entries are dropped. */
  List<String> stringList(String key) {
    Object v = value(key);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (o != null && !o.toString().isBlank()) {
          out.add(o.toString().trim());
        }
      }
    } else {
      for (String s : v.toString().split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }

  /** A list of argv lists, given as YAML or as a JSON string (environment, flags); [] is allowed. */
  List<List<String>> commands(String key) {
    Object v = value(key);
    if (v instanceof String s) {
      try {
        v = new JsonArray(s);
      } catch (RuntimeException e) {
        problem(label(key) + " must be a JSON array of argv arrays, e.g. [[\"php\",\"maintenance/update.php\"]]");
        return List.of();
      }
    }
    if (!(v instanceof JsonArray array)) {
      problem(label(key) + " must be a list of commands, each a list of arguments");
      return List.of();
    }
    List<List<String>> commands = new ArrayList<>();
    for (Object entry : array) {
      if (!(entry instanceof JsonArray argv) || argv.isEmpty()) {
        problem(label(key)
            + " must be a list of non-empty argument lists, e.g. [[\"php\",\"maintenance/update.php\"]]");
        return List.of();
      }
      List<String> args = new ArrayList<>();
      for (Object a : argv) {
        if (!(a instanceof String s)) {
          problem(label(key) + ": every argument must be a string");
          return List.of();
        }
        args.add(s);
      }
      commands.add(List.copyOf(args));
    }
    return List.copyOf(commands);
  }
}

package org.wikifarm.provisioner.manage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Extensions and skins of a wiki (SPEC §4.4). Available = the template's {@code extensions/} (or
 * {@code skins/}) sub-directories; enabled = the wiki's. Enabling one makes {@code <wiki>/<kind>/<name>} a
 * symlink to the template's directory.
 *
 * <p>Names can never escape: a name is {@code ^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$} (no dot, no slash, so no
 * {@code ..} and no absolute path); a template entry that is a symlink counts as available only when its real
 * path is inside the template's own directory; and links are only made inside a wiki's {@code <kind>} directory
 * that is a real directory (a symlinked one might point into the shared template). A sync is all or nothing:
 * every name is checked before the first link is made, and the links made so far are removed on a failure.
 *
 * <p>The template is the farm's default one: the wiki rows do not record which template a wiki came from.
 */
public final class WikiExtensions {
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$");
  public static final int MAX_NAMES = 200;

  /** The two kinds of add-on directory MediaWiki has. */
  public enum Kind {
    EXTENSIONS("extensions"), SKINS("skins");

    public final String dir;

    Kind(String dir) {
      this.dir = dir;
    }
  }

  private final ManagedWikis wikis;
  private final Path wikiRoot;
  private final Path template;

  public WikiExtensions(ManagedWikis wikis, Path wikiRoot, Path template) {
    this.wikis = wikis;
    this.wikiRoot = wikiRoot;
    this.template = template;
  }

  /** {@code {"available": [...], "enabled": [...]}}, sorted. */
  public Future<JsonObject> list(String slug, long callerId, Kind kind) {
    return wikis.readable(slug, callerId).compose(wiki -> wikis.blocking(() -> new JsonObject()
        .put("available", new JsonArray(new ArrayList<>(available(kind))))
        .put("enabled", new JsonArray(new ArrayList<>(enabled(slug, kind))))));
  }

  /** The names a sync body lists: a JSON array of valid names (duplicates count once), else 400. */
  public static List<String> names(Object body) {
    if (!(body instanceof JsonArray array)) {
      throw ManageException.badRequest("invalid_names", "send a JSON array of names");
    }
    if (array.size() > MAX_NAMES) {
      throw ManageException.badRequest("invalid_names", "at most " + MAX_NAMES + " names per sync");
    }
    Set<String> names = new LinkedHashSet<>();
    for (Object n : array) {
      if (!(n instanceof String s) || !NAME.matcher(s).matches()) {
        throw ManageException.badRequest("invalid_names",
            "every name must be a string matching ^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$");
      }
      names.add(s);
    }
    return List.copyOf(names);
  }

  /** Links every listed name from the template into the wiki; {@code {"added": [...], "skipped": [...]}}. */
  public Future<JsonObject> sync(String slug, long callerId, Kind kind, List<String> names) {
    return wikis.change(slug, callerId, (held, wiki) -> wikis.blocking(() -> link(slug, kind, names)))
        .onSuccess(result -> ManagedWikis.audit(callerId, kind.dir + ".sync", slug, "ok", result));
  }

  private JsonObject link(String slug, Kind kind, List<String> names) throws IOException {
    Set<String> available = available(kind);
    List<String> unknown = names.stream().filter(n -> !available.contains(n)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new ManageException(400, "unknown_" + kind.dir.substring(0, kind.dir.length() - 1),
          "not in the template's " + kind.dir + ": " + String.join(", ", unknown) + "; nothing was changed",
          new JsonObject().put("unknown", new JsonArray(new ArrayList<>(unknown))));
    }
    Path wiki = wikiRoot.resolve(slug);
    if (!Files.isDirectory(wiki, LinkOption.NOFOLLOW_LINKS)) {
      throw new ManageException(409, "wiki_dir_missing", "the wiki's directory is missing; the operator must "
          + "restore it");
    }
    Path target = wiki.resolve(kind.dir);
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(target);
    } else if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new ManageException(409, "unsafe_layout", "the wiki's " + kind.dir + " directory is a symlink or a "
          + "file, so links made in it could land outside the wiki; the operator must make it a directory");
    }
    List<String> added = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<Path> made = new ArrayList<>();
    try {
      for (String name : names) {
        Path link = target.resolve(name);
        if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
          skipped.add(name);
          continue;
        }
        Files.createSymbolicLink(link, templateDir(kind).resolve(name));
        made.add(link);
        added.add(name);
      }
    } catch (IOException | RuntimeException e) {
      for (Path link : made) { // all or nothing: undo this sync's links, leave everything else alone
        Files.deleteIfExists(link);
      }
      throw e;
    }
    return new JsonObject().put("added", new JsonArray(added.stream().sorted().toList()))
        .put("skipped", new JsonArray(skipped.stream().sorted().toList()));
  }

  /** Template sub-directories, real or symlinked to somewhere inside the template's own directory. */
  private Set<String> available(Kind kind) throws IOException {
    Path dir = templateDir(kind);
    Set<String> out = new TreeSet<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    Path realDir = dir.toRealPath();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (NAME.matcher(name).matches() && Files.isDirectory(entry)
            && entry.toRealPath().getParent().equals(realDir)) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /** The wiki's sub-directories of the kind (its own copies and the links to the template). */
  private Set<String> enabled(String slug, Kind kind) throws IOException {
    Path dir = wikiRoot.resolve(slug).resolve(kind.dir);
    Set<String> out = new TreeSet<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (NAME.matcher(name).matches() && Files.isDirectory(entry)) {
          out.add(name);
        }
      }
    }
    return out;
  }

  private Path templateDir(Kind kind) {
    return template.toAbsolutePath().normalize().resolve(kind.dir);
  }
}

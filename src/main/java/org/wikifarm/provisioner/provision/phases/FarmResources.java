package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.task.TaskId;

/**
 * What {@code reconcile} finds on the farm, and the only way it removes anything. A resource is <em>proven</em>
 * when it carries the proof of the task that created it (SPEC §6, durability): a wiki or key directory, or a
 * partial copy {@code .<slug>.<task id>.partial}, holding {@link OwnershipMarker}'s file; a database named with
 * {@code wiki-db.name-prefix} whose COMMENT is the marker; and the DB user of such a database, which carries no
 * proof of its own but is only ever created together with it (db_provision). Everything else that looks like
 * the farm's is listed as unproven, with what it lacks, and is never removed.
 *
 * <p>Whose a resource is is all this class knows; whether it is still wanted is the caller's question. A removal
 * checks the proof again first, so what changed since the listing is left alone. Blocking.
 */
public final class FarmResources {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  // slugs and task ids contain no '.', so the name splits unambiguously
  private static final Pattern PARTIAL = Pattern.compile("^\\.([^.]+)\\.([^.]+)\\.partial$");
  // names are spliced into SQL text on removal, so only what db_provision itself creates qualifies
  private static final Pattern DB_NAME = Pattern.compile("^[A-Za-z0-9_]{1,64}$");

  /** What a resource is; the order is the order of removal (a user's proof is its database's COMMENT). */
  public enum Kind {
    WIKI_DIR, KEY_DIR, PARTIAL_DIR, DB_USER, DATABASE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One resource: its kind, its name (an absolute path, or a database or user name), the slug it is named for,
   * the task its proof names (null when unproven) and, when unproven, what proof it lacks.
   */
  public record Resource(Kind kind, String name, String slug, String taskId, String lacks) {
    public boolean proven() {
      return taskId != null;
    }
  }

  /** Every resource that looks like the farm's, and every database name with the prefix (proven or not). */
  public record Inventory(List<Resource> resources, Set<String> databases) {}

  private final Vertx vertx;
  private final AppConfig config;

  public FarmResources(Vertx vertx, AppConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** The directories under the wiki and key roots (hidden ones only as partial copies), the databases and users. */
  public Inventory list() throws IOException, ProvisionException {
    List<Resource> found = new ArrayList<>();
    directories(wikiRoot(), Kind.WIKI_DIR, found);
    if (!keyRoot().equals(wikiRoot())) {
      directories(keyRoot(), Kind.KEY_DIR, found);
    }
    String prefix = config.wikiDb().namePrefix();
    Map<String, String> databases;
    List<String> users;
    try (DbAdminSession admin = DbAdminSession.open(vertx, config.wikiDb(), TIMEOUT)) {
      databases = admin.databasesStartingWith(prefix);
      users = admin.usersStartingWith(prefix);
    }
    databases.forEach((db, comment) -> {
      String task = DB_NAME.matcher(db).matches() ? taskIdOf(comment) : null;
      found.add(new Resource(Kind.DATABASE, db, slugOf(db), task, task != null ? null
          : !DB_NAME.matcher(db).matches() ? "not a name the farm creates"
          : comment.isEmpty() ? "no COMMENT" : "its COMMENT is not this farm's marker"));
    });
    for (String user : users) {
      String task = databases.containsKey(user) ? taskIdOf(databases.get(user)) : null;
      found.add(new Resource(Kind.DB_USER, user, slugOf(user), DB_NAME.matcher(user).matches() ? task : null,
          !databases.containsKey(user) ? "no database of its name (a user carries no proof of its own)"
              : task == null ? "its database carries no marker" : null));
    }
    return new Inventory(found, databases.keySet());
  }

  /**
   * Removes one proven resource if its proof still names the same task. False when it was gone already.
   *
   * @throws ProvisionException the proof changed (nothing was removed), or the database server refused
   * @throws IOException a directory could not be removed (what is left still carries its marker)
   */
  public boolean remove(Resource r) throws IOException, ProvisionException {
    if (!r.proven()) {
      throw new IllegalArgumentException("never removes a resource without proof: " + r.name());
    }
    return switch (r.kind()) {
      case DATABASE -> removeDatabase(r);
      case DB_USER -> removeUser(r);
      case WIKI_DIR, KEY_DIR, PARTIAL_DIR -> removeDirectory(r);
    };
  }

  private void directories(Path root, Kind kind, List<Resource> found) throws IOException {
    if (!Files.isDirectory(root)) {
      // otherwise every ready wiki would read as "directory missing"
      throw new IOException("the farm directory " + root + " does not exist (farm.wiki-dir / farm.oauth-dir); "
          + "doctor checks the farm directories");
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path dir : entries) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          continue; // a task creates no files or links here
        }
        String name = dir.getFileName().toString();
        Optional<String> task = OwnershipMarker.taskIdIn(dir).filter(TaskId::isValid);
        Matcher partial = PARTIAL.matcher(name);
        if (partial.matches()) {
          // the name says whose copy it is; the marker inside must say the same
          boolean proven = task.isPresent() && task.get().equals(partial.group(2));
          found.add(new Resource(Kind.PARTIAL_DIR, dir.toString(), partial.group(1), proven ? task.get() : null,
              proven ? null : "no marker of the task its name gives"));
        } else if (!name.startsWith(".")) { // other hidden entries are never a wiki
          found.add(new Resource(kind, dir.toString(), name, task.orElse(null),
              task.isPresent() ? null : Files.exists(dir.resolve(OwnershipMarker.FILE), LinkOption.NOFOLLOW_LINKS)
                  ? OwnershipMarker.FILE + " names no task" : "no " + OwnershipMarker.FILE + " marker"));
        }
      }
    }
  }

  private boolean removeDirectory(Resource r) throws IOException, ProvisionException {
    Path dir = Path.of(r.name());
    Path parent = dir.getParent();
    if (parent == null || !(parent.equals(wikiRoot()) || parent.equals(keyRoot()))) {
      throw new ProvisionException(r.name() + " is not directly under the farm's directories; left alone");
    }
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (!OwnershipMarker.taskIdIn(dir).map(r.taskId()::equals).orElse(false)) {
      throw new ProvisionException(r.name() + " no longer carries task " + r.taskId() + "'s marker; left alone");
    }
    // The marker goes last: a removal cut short leaves a directory that still proves whose it is, so the next
    // reconcile finishes the job instead of finding an unproven remnant.
    Path marker = dir.resolve(OwnershipMarker.FILE);
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        if (!child.equals(marker)) {
          FileTrees.deleteTree(child);
        }
      }
    }
    Files.delete(marker);
    Files.delete(dir);
    return true;
  }

  private boolean removeDatabase(Resource r) throws ProvisionException {
    String db = allowListed(r.name());
    try (DbAdminSession admin = DbAdminSession.open(vertx, config.wikiDb(), TIMEOUT)) {
      lock(admin, db);
      String comment = admin.databaseComment(db);
      if (comment == null) {
        return false;
      }
      if (!OwnershipMarker.of(r.taskId()).equals(comment)) {
        throw new ProvisionException("database " + db + " no longer carries task " + r.taskId()
            + "'s marker; left alone");
      }
      admin.dropDatabase(db);
      return true;
    }
  }

  /** Only while its database still carries the same task's marker: that is the user's only proof. */
  private boolean removeUser(Resource r) throws ProvisionException {
    String user = allowListed(r.name());
    try (DbAdminSession admin = DbAdminSession.open(vertx, config.wikiDb(), TIMEOUT)) {
      lock(admin, user); // its database's name
      if (!admin.userExists(user)) {
        return false;
      }
      if (!OwnershipMarker.of(r.taskId()).equals(admin.databaseComment(user))) {
        throw new ProvisionException("database user " + user + ": its database no longer carries task "
            + r.taskId() + "'s marker, and a user has no proof of its own; left alone");
      }
      admin.dropUser(user); // and with it every grant it holds
      return true;
    }
  }

  private Path wikiRoot() {
    return config.farm().wikiDir().toAbsolutePath().normalize();
  }

  private Path keyRoot() {
    return config.farm().oauthDir().toAbsolutePath().normalize();
  }

  /** db_provision's lock for this name: no task checks and creates the database or user meanwhile. */
  private static void lock(DbAdminSession admin, String name) throws ProvisionException {
    try {
      admin.lock(name);
    } catch (ProvisionException e) {
      throw new ProvisionException("a task holds the lock of database " + name + "; left alone, run reconcile "
          + "again later", e.isTransient(), null);
    }
  }

  private static String allowListed(String name) throws ProvisionException {
    if (!DB_NAME.matcher(name).matches()) {
      throw new ProvisionException("not a database or user name the farm creates; left alone");
    }
    return name;
  }

  /** The task a database COMMENT names, or null when it is not exactly a marker. */
  private static String taskIdOf(String comment) {
    String task = comment.startsWith(OwnershipMarker.of("")) ? comment.substring(OwnershipMarker.of("").length())
        : null;
    return TaskId.isValid(task) ? task : null;
  }

  /** The slug a database or user name stands for: the name without the prefix, '_' back to '-'. */
  private String slugOf(String name) {
    return name.substring(config.wikiDb().namePrefix().length()).replace('_', '-');
  }
}

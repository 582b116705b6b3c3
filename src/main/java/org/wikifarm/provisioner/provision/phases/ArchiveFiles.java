package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * The files of a deleted wiki's archive and their proof of being readable: a gzipped {@code mysqldump} of the
 * database, tar.gz files of the wiki and key directories, and {@value #MANIFEST} listing each file with its
 * size and SHA-256. {@link #verify} reads everything back — checksums, {@code tar --list}, the dump
 * decompressed whole (its gzip CRC) from MariaDB's header to its "Dump completed" trailer — and is what allows
 * anything to be dropped.
 */
final class ArchiveFiles {
  static final String MANIFEST = "manifest.json";
  static final String DUMP = "database.sql.gz";
  static final String WIKI_TAR = "wiki-dir.tar.gz";
  static final String KEYS_TAR = "oauth-keys.tar.gz";
  private static final Duration TAR_TIMEOUT = Duration.ofHours(2);

  private ArchiveFiles() {}

  /** {@code mysqldump} of {@code db} with the admin account, gzipped into {@code dir/}{@value #DUMP}. */
  static void dump(AppConfig.WikiDb cfg, String db, Path dir, Duration timeout) throws Exception {
    DbAddress address = DbAddress.parse(cfg.adminAddress());
    // the password goes in an option file only this user can read, never on the command line
    Path options = Files.createTempFile("wikifarm-dump-", ".cnf",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(options, "[client]\nuser=" + optionValue(cfg.adminUser()) + "\npassword="
          + optionValue(cfg.adminPassword().reveal()) + "\n", StandardCharsets.UTF_8);
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(DUMP)), 1 << 16)) {
        HostCommand.run(List.of("mysqldump", "--defaults-file=" + options, "--protocol=TCP",
            "--host=" + address.host(), "--port=" + address.port(), "--default-character-set=utf8mb4",
            "--single-transaction", "--quick", "--routines", "--triggers", "--hex-blob", "--", db),
            dir, out, timeout, "mysqldump of the database " + db);
      }
    } finally {
      Files.deleteIfExists(options);
    }
  }

  /** {@code tar.gz} of {@code source} (entries {@code <name>/…}; symlinks stored as links) into {@code file}. */
  static void tar(Path source, Path file) throws Exception {
    HostCommand.run(List.of("tar", "--create", "--gzip", "--file=" + file, "--directory=" + source.getParent(),
        "--", source.getFileName().toString()), file.getParent(), OutputStream.nullOutputStream(), TAR_TIMEOUT,
        "packing the " + file.getFileName());
  }

  /** One manifest entry per file, with what {@link #verify} checks. */
  static JsonObject entry(Path file) throws IOException {
    return new JsonObject().put("name", file.getFileName().toString()).put("size", Files.size(file))
        .put("sha256", sha256(file));
  }

  /** Writes the manifest and flushes it and every listed file to disk (they are about to be relied on). */
  static void writeManifest(Path dir, JsonObject manifest) throws IOException {
    for (Object f : manifest.getJsonArray("files")) {
      force(dir.resolve(((JsonObject) f).getString("name")));
    }
    Files.writeString(dir.resolve(MANIFEST), manifest.encodePrettily() + "\n", StandardCharsets.UTF_8);
    force(dir.resolve(MANIFEST));
  }

  /**
   * Reads the archive in {@code dir} back, whole. Fails unless the manifest names {@code deleteTaskId} (an
   * archive of another delete with the same name is never taken for this one's) and every file it lists is
   * there, of its size and checksum, and readable as what it claims to be.
   */
  static void verify(Path dir, String deleteTaskId) throws Exception {
    JsonObject manifest;
    try {
      manifest = new JsonObject(Files.readString(dir.resolve(MANIFEST), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      throw damaged(dir, "its manifest is missing or unreadable");
    }
    if (!deleteTaskId.equals(manifest.getString("delete_task"))) {
      throw new ProvisionException("the archive directory " + dir.getFileName() + " already exists and was made "
          + "by another delete; move it away, then delete the wiki again.");
    }
    JsonArray files = manifest.getJsonArray("files", new JsonArray());
    for (Object o : files) {
      JsonObject f = (JsonObject) o;
      String name = f.getString("name", "");
      Path file = dir.resolve(name);
      if (!List.of(DUMP, WIKI_TAR, KEYS_TAR).contains(name) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw damaged(dir, "it lacks " + name);
      }
      if (Files.size(file) != f.getLong("size", -1L) || !sha256(file).equals(f.getString("sha256"))) {
        throw damaged(dir, name + " does not match its checksum");
      }
      if (name.equals(DUMP)) {
        checkDump(dir, file);
      } else {
        HostCommand.run(List.of("tar", "--list", "--gzip", "--file=" + file), dir, OutputStream.nullOutputStream(),
            TAR_TIMEOUT, "reading back " + name);
      }
    }
  }

  /**
   * The dump decompresses whole (gzip's CRC) and runs from the dump header among its first lines (recent
   * mariadb-dump versions put a sandbox-mode line before it) to its completion trailer.
   */
  private static void checkDump(Path dir, Path file) throws Exception {
    boolean header = false;
    String last = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8))) {
      int n = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        header |= ++n <= 5 && (line.startsWith("-- MariaDB dump") || line.startsWith("-- MySQL dump"));
        if (!line.isBlank()) {
          last = line;
        }
      }
    } catch (IOException e) {
      throw damaged(dir, DUMP + " does not decompress (" + e.getMessage() + ")");
    }
    if (!header || last == null || !last.startsWith("-- Dump completed")) {
      throw damaged(dir, DUMP + " is not a complete mysqldump");
    }
  }

  private static ProvisionException damaged(Path dir, String why) {
    String name = dir.getFileName().toString().replaceFirst("^\\.(.*)\\.partial$", "$1");
    return new ProvisionException("the archive " + name + " did not verify: " + why
        + "; nothing was dropped.");
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** fsync of a file or a directory (a directory's entries, e.g. after a rename into it). */
  static void force(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** A value in a MySQL option file: double-quoted, with the escapes its reader understands. */
  private static String optionValue(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}

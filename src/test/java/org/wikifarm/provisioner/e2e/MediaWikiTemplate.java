package org.wikifarm.provisioner.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * A farm template built from the host's Debian {@code mediawiki} package (1.39), once per test JVM: a real copy
 * of {@value #MEDIAWIKI} plus the unfilled {@code pubwiki.ini} and the committed
 * {@code src/test/resources/mediawiki-template/LocalSettings.php}, which reads that ini.
 *
 * <p>It must be a real copy, not symlinks: MediaWiki's entry points locate {@code LocalSettings.php} beside
 * their <em>real</em> path ({@code dirname(__DIR__)}), so a wiki made of symlinks into /usr/share/mediawiki
 * would load the package's settings, not the wiki's own. Debian's tree links a few entries to
 * /var/lib/mediawiki and /etc/mediawiki; they are handled here:
 * <ul>
 *   <li>{@code LocalSettings.php}: replaced by the template's own;</li>
 *   <li>{@code extensions} (symlinks into {@code extensions-core}), {@code images}, {@code config}: replaced by
 *       empty real directories (the test wiki loads no extension and takes no uploads), and
 *       {@code extensions-core} (≈100 MB) is left out, halving what dir_copy copies per wiki;</li>
 *   <li>any other symlink leaving the tree (none in 1.39) is copied dereferenced.</li>
 * </ul>
 */
final class MediaWikiTemplate {
  static final String MEDIAWIKI = "/usr/share/mediawiki";
  static final Path LOCAL_SETTINGS = Path.of("src", "test", "resources", "mediawiki-template", "LocalSettings.php");
  static final Path UNFILLED_INI = Path.of("src", "test", "resources", "demo-template", "pubwiki.ini");

  /** Entries of the package tree replaced or left out (see the class comment). */
  private static final Set<String> NOT_COPIED =
      Set.of("LocalSettings.php", "extensions", "extensions-core", "images", "config");
  private static final List<String> EMPTY_DIRS = List.of("extensions", "images", "cache");

  private static Path template;

  private MediaWikiTemplate() {}

  static boolean installed() {
    return Files.isRegularFile(Path.of(MEDIAWIKI, "includes", "WebStart.php"))
        && Files.isRegularFile(Path.of(MEDIAWIKI, "maintenance", "tables-generated.sql"));
  }

  /** The template directory, built on first use. */
  static synchronized Path get() throws Exception {
    if (template == null) {
      template = build(TestInfra.scratch().resolve("mediawiki-template"));
    }
    return template;
  }

  private static Path build(Path dir) throws Exception {
    Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
    Files.createDirectories(partial);
    Path source = Path.of(MEDIAWIKI);
    List<String> plain = new ArrayList<>(List.of("cp", "-a", "--"));
    List<String> dereferenced = new ArrayList<>(List.of("cp", "-a", "--dereference", "--"));
    try (Stream<Path> entries = Files.list(source)) {
      for (Path entry : entries.sorted().toList()) {
        if (NOT_COPIED.contains(entry.getFileName().toString())) {
          continue;
        }
        (Files.isSymbolicLink(entry) ? dereferenced : plain).add(entry.toString());
      }
    }
    for (List<String> cp : List.of(plain, dereferenced)) {
      if (cp.size() > 4) {
        cp.add(partial.toString() + "/");
        run(cp);
      }
    }
    for (String d : EMPTY_DIRS) {
      Files.createDirectories(partial.resolve(d));
    }
    Files.copy(LOCAL_SETTINGS, partial.resolve("LocalSettings.php"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(UNFILLED_INI, partial.resolve("pubwiki.ini"), StandardCopyOption.REPLACE_EXISTING);
    requireNoLinkOutside(partial);
    Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    return dir;
  }

  /** A symlink pointing out of the template would make every wiki share (or miss) that file. */
  private static void requireNoLinkOutside(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
        Path target = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
        if (!target.startsWith(root)) {
          throw new IllegalStateException("template symlink " + root.relativize(p) + " leaves the template");
        }
      }
    }
  }

  static void run(List<String> argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + p.exitValue() + "): " + out);
    }
  }
}

package org.wikifarm.provisioner.embedded;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The dev mode's fallback template, used where PHP or Debian's MediaWiki is missing (or with
 * {@code --demo-template}): a directory with the unfilled {@code pubwiki.ini} and a README, standing in for a
 * real MediaWiki tree. Its commands are clearly labelled stand-ins that only print and sleep, a few seconds
 * each so the progress inside a long phase can be watched.
 */
final class DemoTemplate {
  static final String INSTALL_COMMANDS = "[[\"sh\",\"-c\",\"echo '[demo] installPreConfigured stand-in'; sleep 1; "
      + "echo '[demo] creating tables'; sleep 1; echo '[demo] filling tables'; sleep 1; echo '[demo] install done'\"]]";
  static final String INDEX_CFG_COMMANDS = "[[\"sh\",\"-c\",\"echo '[demo] UpdateSearchIndexConfig stand-in'; sleep 1\"]]";
  static final String INDEX_COMMANDS = "[[\"sh\",\"-c\",\"echo '[demo] ForceSearchIndex --skipLinks stand-in'; sleep 1\"],"
      + "[\"sh\",\"-c\",\"echo '[demo] ForceSearchIndex --skipParse stand-in'; sleep 1\"]]";

  private DemoTemplate() {}

  static Path ensure(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path ini = dir.resolve("pubwiki.ini");
    if (!Files.exists(ini)) {
      try (InputStream in = DemoTemplate.class.getResourceAsStream("/demo-template/pubwiki.ini")) {
        if (in == null) {
          throw new IllegalStateException("demo-template/pubwiki.ini missing from the test resources");
        }
        Files.copy(in, ini, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path readme = dir.resolve("README.txt");
    if (!Files.exists(readme)) {
      Files.writeString(readme, "Demo template of the WikiFarm Provisioner dev mode. A real farm's template is a\n"
          + "MediaWiki tree whose LocalSettings.php reads pubwiki.ini; the dev mode builds one from Debian's\n"
          + "mediawiki package when php-cli, php-mysql and mediawiki are installed.\n");
    }
    return dir;
  }
}

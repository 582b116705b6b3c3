package org.wikifarm.provisioner.provision.phases;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.Prerequisites;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

class OAuthKeysPhaseTest {
  private final OAuthKeysPhase phase = new OAuthKeysPhase(SpareKeyPairs.none());

  @Test
  void spkiPairIsValidForOpensslAndPhpWithTightModes() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("keys", "Keys");

    phase.run(ctx);

    Path dir = ctx.oauthDir();
    Path key = dir.resolve("oauth.key");
    Path cert = dir.resolve("oauth.cert");
    assertEquals("rwx------", DirCopyPhaseTest.mode(dir));
    assertEquals("rw-------", DirCopyPhaseTest.mode(key));
    assertEquals("rw-------", DirCopyPhaseTest.mode(cert));
    assertEquals(List.of(OwnershipMarker.FILE, "oauth.cert", "oauth.key"), DirCopyPhaseTest.names(dir), "no temp files left");
    assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    assertTrue(Files.readString(cert).startsWith("-----BEGIN PUBLIC KEY-----\n"));
    openssl("pkey", "-in", key.toString(), "-check", "-noout");
    assertTrue(openssl("pkey", "-in", key.toString(), "-noout", "-text").startsWith("Private-Key: (2048 bit"));
    assertEquals(openssl("pkey", "-in", key.toString(), "-pubout"), Files.readString(cert));
    assertPhpLoads(key, cert);
    assertEquals(List.of(new LedgerEntry("oauth", "directory", dir.toAbsolutePath().toString())),
        ctx.ledger().entries());
  }

  @Test
  void thePairGeneratedAheadIsWrittenOnlyInThePhasesTurn() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("ahead", "Ahead");

    phase.prepare(ctx);
    assertFalse(Files.exists(ctx.oauthDir(), LinkOption.NOFOLLOW_LINKS), "preparing writes nothing");
    assertTrue(ctx.ledger().entries().isEmpty(), "preparing records nothing");
    KeyPair ahead = OAuthKeysPhase.generateRsa(2048, new SecureRandom());
    PhaseContext known = farm.context("known", "Known");
    known.ahead().start(OAuthKeysPhase.NAME, () -> ahead);
    phase.run(known);
    phase.run(ctx);

    Path cert = known.oauthDir().resolve("oauth.cert");
    assertEquals(openssl("pkey", "-in", known.oauthDir().resolve("oauth.key").toString(), "-pubout"),
        Files.readString(cert));
    assertArrayEquals(ahead.getPublic().getEncoded(), spki(Files.readString(cert)), "the pair made ahead is written");
    assertTrue(Files.readString(ctx.oauthDir().resolve("oauth.key")).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    assertFalse(Files.readString(ctx.oauthDir().resolve("oauth.cert")).equals(Files.readString(cert)),
        "each task's own pair");
  }

  @Test
  void x509CertificateCarriesTheHostAndTheSameKey() throws Exception {
    TestFarm farm = TestFarm.create(json -> json.put("oauth", new JsonObject().put("cert-format", "x509")
        .put("key-bits", 3072)));
    PhaseContext ctx = farm.context("certs", "Certs");

    phase.run(ctx);

    Path key = ctx.oauthDir().resolve("oauth.key");
    Path cert = ctx.oauthDir().resolve("oauth.cert");
    assertTrue(Files.readString(cert).startsWith("-----BEGIN CERTIFICATE-----\n"));
    assertTrue(openssl("x509", "-in", cert.toString(), "-noout", "-subject").contains("CN = certs.wiki.test"));
    openssl("verify", "-CAfile", cert.toString(), cert.toString()); // a valid self-signature
    assertEquals(openssl("pkey", "-in", key.toString(), "-pubout"),
        openssl("x509", "-in", cert.toString(), "-pubkey", "-noout"));
    assertTrue(openssl("pkey", "-in", key.toString(), "-noout", "-text").startsWith("Private-Key: (3072 bit"));
    assertPhpLoads(key, cert);
  }

  @Test
  void existingDirectoryIsAConflictAndStaysUntouched() throws Exception {
    TestFarm farm = TestFarm.create();
    Path existing = Files.createDirectories(farm.oauth().resolve("taken"));
    Files.writeString(existing.resolve("oauth.key"), "someone else's key");
    Map<String, String> before = TreeSnapshot.of(existing);
    PhaseContext ctx = farm.context("taken", "Taken");

    ProvisionException e = assertThrows(ProvisionException.class, () -> phase.run(ctx));

    assertTrue(e.getMessage().contains("OAuth key directory taken already exists"), e.getMessage());
    assertEquals(before, TreeSnapshot.of(existing));
    assertEquals(List.of(), ctx.ledger().entries());
  }

  @Test
  void resumeReplacesAHalfWrittenPairAndUndoRemovesTheDirectory() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("resume", "Resume");
    Path dir = ctx.oauthDir();
    LedgerEntry entry = new LedgerEntry("oauth", "directory", dir.toAbsolutePath().toString());
    ctx.ledger().record(entry);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(".oauth.key.tmp"), "-----BEGIN PRIVATE KEY-----\nMIIE"); // torn by a crash

    phase.run(ctx);

    openssl("pkey", "-in", dir.resolve("oauth.key").toString(), "-check", "-noout");
    assertEquals(List.of(OwnershipMarker.FILE, "oauth.cert", "oauth.key"), DirCopyPhaseTest.names(dir));
    phase.undo(entry, ctx);
    assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS));
    phase.undo(entry, ctx);
  }

  @Test
  void filesAreChownedToTheConfiguredOwnerAndGroup() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    // as root, hand the files to an unprivileged account; otherwise chown to ourselves (still a real call)
    String owner = root ? "nobody" : System.getProperty("user.name");
    String group = root ? groupOf("nobody") : Files.readAttributes(Path.of(System.getProperty("java.io.tmpdir")),
        PosixFileAttributes.class).group().getName();
    TestFarm farm = TestFarm.create(json -> json.put("oauth", new JsonObject().put("owner", owner)
        .put("group", group)));
    PhaseContext ctx = farm.context("owned", "Owned");

    phase.run(ctx);

    for (Path p : List.of(ctx.oauthDir(), ctx.oauthDir().resolve("oauth.key"), ctx.oauthDir().resolve("oauth.cert"))) {
      PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      assertEquals(owner, a.owner().getName(), "owner of " + p.getFileName());
      assertEquals(group, a.group().getName(), "group of " + p.getFileName());
    }
  }

  @Test
  void unknownOwnerFailsClearly() throws Exception {
    TestFarm farm = TestFarm.create(json -> json.put("oauth", new JsonObject().put("owner", "no-such-user-xq")));
    PhaseContext ctx = farm.context("noowner", "No owner");

    ProvisionException e = assertThrows(ProvisionException.class, () -> phase.run(ctx));

    assertTrue(e.getMessage().contains("no-such-user-xq"), e.getMessage());
  }

  /** The primary group of a local account, from the real group database via id(1). */
  private static String groupOf(String user) throws Exception {
    String out = run(List.of(Prerequisites.command("id"), "-gn", user));
    return out.strip();
  }

  private static void assertPhpLoads(Path key, Path cert) throws Exception {
    JsonObject result = Php.run("$f = file($argv[1], FILE_IGNORE_NEW_LINES);"
        + "$priv = openssl_pkey_get_private(file_get_contents($f[0]));"
        + "$pub = openssl_pkey_get_public(file_get_contents($f[1]));"
        + "$same = $priv !== false && $pub !== false"
        + "  && openssl_pkey_get_details($priv)['key'] === openssl_pkey_get_details($pub)['key'];"
        + "echo json_encode(['private' => $priv !== false, 'public' => $pub !== false, 'same' => $same]);",
        List.of(key, cert));
    assertEquals(new JsonObject().put("private", true).put("public", true).put("same", true), result);
  }

  /** The DER bytes of a {@code BEGIN PUBLIC KEY} PEM. */
  private static byte[] spki(String pem) {
    return Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PUBLIC KEY-----", "")
        .replace("-----END PUBLIC KEY-----", ""));
  }

  private static String openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Prerequisites.command("openssl")));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + " failed: " + out);
    return out;
  }
}

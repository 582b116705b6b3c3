package org.wikifarm.provisioner.provision.phases;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemWriter;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Phase 4: the wiki's OAuth signing key pair, in {@code WIKIFARM_OAUTH_DIR/<slug>/}
 * (mode 0700): {@code oauth.key}, the RSA private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}, mode 0600),
 * and {@code oauth.cert}, its public half as SubjectPublicKeyInfo PEM ({@code BEGIN PUBLIC KEY}) or, when
 * {@code oauth.cert-format} is X509, a self-signed certificate for {@code CN=<slug>.<root host>} (mode 0600
 * too: only the wiki's PHP needs it). Both files are chowned to {@code oauth.owner}/{@code oauth.group}
 * when configured, so the web server user can read them.
 *
 * <p>The pair comes from the JDK's own RSA generator (public exponent 65537): it makes a 2048-bit key about
 * three times faster than BouncyCastle's, whose generator was most of a task's CPU (see docs/BENCHMARKS.md,
 * {@code keygen.rsa2048}). BouncyCastle still writes the PEM encodings and signs the certificate. The pair is
 * one of the node's {@link SpareKeyPairs} when one is ready, otherwise generated ahead ({@link #prepare}), from
 * the task's start; either way it is taken once and only ever written by {@link #run}.
 *
 * <p>The directory is recorded in the ledger before it is created; one the ledger does not attribute to this
 * task is a conflict and is left alone. Each file is written to a temp name and renamed, so a crash never
 * leaves a truncated key; on resume the directory is emptied and the pair generated afresh (no one has used
 * the keys before this phase completes).
 */
public final class OAuthKeysPhase implements Phase {
  public static final String NAME = "oauth";
  static final String KIND = "directory";
  public static final String KEY_FILE = "oauth.key";
  public static final String CERT_FILE = "oauth.cert";
  static final Duration CERT_VALIDITY = Duration.ofDays(3650);
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
  /** The JDK's RSA provider, named so a provider list with BouncyCastle first cannot swap the generator. */
  private static final String JDK_RSA = "SunRsaSign";

  private final SecureRandom random = new SecureRandom();
  private final SpareKeyPairs spares;

  public OAuthKeysPhase(SpareKeyPairs spares) {
    this.spares = spares;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    AppConfig.OAuth oauth = ctx.config().oauth();
    Path dir = ctx.oauthDir().toAbsolutePath();
    if (!Files.isDirectory(dir.getParent())) {
      throw new ProvisionException("The farm's OAuth key directory (WIKIFARM_OAUTH_DIR) does not exist; "
          + "create it or fix the configuration.");
    }
    LedgerEntry entry = new LedgerEntry(NAME, KIND, dir.toString());
    String taskId = ctx.request().taskId();
    boolean ours = ctx.ledger().has(KIND, entry.ref()) || OwnershipMarker.isOwnedBy(dir, taskId);
    if (!ours && Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw ProvisionException.conflict("OAuth key directory " + ctx.request().slug());
    }
    ctx.ledger().record(entry);
    Path partial = OwnershipMarker.partialOf(dir, taskId);
    FileTrees.deleteTree(partial);
    FileTrees.deleteTree(dir); // only reached for this task's own directory: resume starts clean
    // built under a task-specific name with the owner marker first, then renamed: the final name always
    // holds the proof of whose keys these are
    Files.createDirectory(partial, PosixFilePermissions.asFileAttribute(DIR_MODE));
    Files.setPosixFilePermissions(partial, DIR_MODE); // the create-time mode is subject to the umask
    OwnershipMarker.write(partial, taskId);

    KeyPair pair = ctx.ahead().take(NAME, KeyPair.class).orElse(null);
    if (pair == null) {
      pair = spares.take(oauth.keyBits());
    }
    String host = ctx.request().slug() + "." + ctx.config().farm().rootHost();
    String publicPem = oauth.certFormat() == AppConfig.CertFormat.X509
        ? pem(selfSignedCertificate(pair, host)) : pem(pair.getPublic());
    writeAtomically(partial.resolve(KEY_FILE), privateKeyPem(pair));
    writeAtomically(partial.resolve(CERT_FILE), publicPem);
    chown(partial, oauth);
    Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The pair is taken from the spares at the task's start; without one ready, its generation (the phase's CPU)
   * runs while the phases before it wait on I/O.
   */
  @Override
  public void prepare(PhaseContext ctx) {
    int bits = ctx.config().oauth().keyBits();
    ctx.ahead().start(NAME, () -> spares.take(bits));
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) throws IOException {
    Path dir = Path.of(entry.ref());
    FileTrees.deleteTree(OwnershipMarker.partialOf(dir, ctx.request().taskId()));
    if (OwnershipMarker.isOwnedBy(dir, ctx.request().taskId())) {
      FileTrees.deleteTree(dir); // without this task's marker it was never created by it: left untouched
    }
  }

  @Override
  public List<LedgerEntry> discover(PhaseContext ctx) {
    Path dir = ctx.oauthDir().toAbsolutePath();
    return OwnershipMarker.leftBy(dir, ctx.request().taskId())
        ? List.of(new LedgerEntry(NAME, KIND, dir.toString())) : List.of();
  }

  /** An RSA pair from the JDK's generator ({@code SunRsaSign}), e = 65537: the generator this phase uses. */
  public static KeyPair generateRsa(int bits, SecureRandom random) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", JDK_RSA);
    generator.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
    return generator.generateKeyPair();
  }

  private static String privateKeyPem(KeyPair pair) throws IOException {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(pair.getPrivate(), null)); // unencrypted PKCS#8
    }
    return out.toString();
  }

  private X509CertificateHolder selfSignedCertificate(KeyPair pair, String host) throws Exception {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, host).build();
    Instant now = Instant.now();
    BigInteger serial = new BigInteger(127, random).add(BigInteger.ONE); // positive, non-zero
    return new JcaX509v3CertificateBuilder(subject, serial, Date.from(now.minus(Duration.ofDays(1))),
        Date.from(now.plus(CERT_VALIDITY)), subject, pair.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withRSA").setProvider(BC).build(pair.getPrivate()));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  /** Temp file (created 0600) in the same directory, flushed to disk, then renamed onto {@code file}. */
  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(FILE_MODE))) {
      ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
    Files.setPosixFilePermissions(tmp, FILE_MODE);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void chown(Path dir, AppConfig.OAuth oauth) throws IOException, ProvisionException {
    boolean owner = oauth.fileOwner() != null && !oauth.fileOwner().isEmpty();
    boolean group = oauth.fileGroup() != null && !oauth.fileGroup().isEmpty();
    if (!owner && !group) {
      return;
    }
    UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal user;
    GroupPrincipal grp;
    try {
      user = owner ? lookup.lookupPrincipalByName(oauth.fileOwner()) : null;
      grp = group ? lookup.lookupPrincipalByGroupName(oauth.fileGroup()) : null;
    } catch (UserPrincipalNotFoundException e) {
      throw new ProvisionException("oauth.owner/oauth.group names an unknown user or group ("
          + e.getName() + "); fix the configuration.");
    }
    for (Path p : new Path[] {dir.resolve(KEY_FILE), dir.resolve(CERT_FILE), dir}) {
      PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS);
      if (user != null) {
        view.setOwner(user);
      }
      if (grp != null) {
        view.setGroup(grp);
      }
    }
  }
}

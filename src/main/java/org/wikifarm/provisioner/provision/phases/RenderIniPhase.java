package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.support.IniFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.support.IniFile.IniFormatException;

/**
 * Phase 2: fills the wiki's {@code pubwiki.ini} (copied unfilled from the template by {@link DirCopyPhase})
 * with its name, addresses, database account and the farm's service endpoints. Only the values of these keys
 * change; comments, blank lines, order and unrelated keys stay, and keys the template lacks are appended.
 * Values use the encoding documented on {@link IniFile}, so LocalSettings.php must read the file with PHP's
 * default scanner.
 *
 * <p>The wiki's database password is generated here (it is what {@code db_provision} later creates the user
 * with, reading it back via {@link IniFile#read}). On resume, a password this task already wrote is kept so
 * the ini and the database account never disagree.
 *
 * <p>Undo deletes the rendered file (and a leftover temp file): it holds a secret, lives in a directory this
 * task created, and is recreated from the template by a new attempt.
 */
public final class RenderIniPhase implements Phase {
  public static final String NAME = "render_ini";
  static final String KIND = "file";
  public static final String PASSWORD_KEY = "WIKI_DB_PASSWORD";
  public static final String BOOTSTRAP_KEY = "WIKI_BOOTSTRAPING";
  static final int PASSWORD_LENGTH = 32;
  private static final char[] PASSWORD_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final SecureRandom random = new SecureRandom();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    Path iniPath = ctx.iniFile().toAbsolutePath();
    if (!Files.isRegularFile(iniPath)) {
      throw new ProvisionException("pubwiki.ini is missing from the copied wiki directory; "
          + "make sure the template contains it and retry.");
    }
    LedgerEntry entry = new LedgerEntry(NAME, KIND, iniPath.toString());
    IniFile ini = parse(iniPath);
    String password = passwordToKeep(ctx, entry, ini).orElseGet(this::newPassword);
    ctx.addSecret(password);
    ctx.ledger().record(entry);
    for (Map.Entry<String, String> value : values(ctx, password).entrySet()) {
      try {
        ini.set(value.getKey(), value.getValue());
      } catch (IllegalArgumentException e) {
        // the message names the problem, never the value (it may be a secret)
        throw new ProvisionException(value.getKey() + " cannot be written to pubwiki.ini: " + e.getMessage()
            + ". Fix the request or the configuration.");
      }
    }
    ini.setFlag(BOOTSTRAP_KEY, true);
    ini.writeAtomically(iniPath);
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) throws IOException {
    Path iniPath = Path.of(entry.ref());
    Files.deleteIfExists(IniFile.tempFileFor(iniPath));
    Files.deleteIfExists(iniPath);
  }

  /** Every string key this phase fills, in the order they are appended when the template lacks them. */
  static Map<String, String> values(PhaseContext ctx, String password) {
    AppConfig config = ctx.config();
    String name = ctx.request().name();
    String rootHost = config.farm().rootHost();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("WIKI_SITE_NAME", name);
    v.put("WIKI_META_NAMESPACE", name.replace(' ', '_'));
    v.put("WIKI_LANG", ctx.request().language());
    v.put("WIKI_ROOT_HOST", rootHost);
    v.put("WIKI_HOST_URL", ctx.request().slug() + "." + rootHost);
    v.put("WIKI_DB_HOST", config.wikiDb().host());
    v.put("WIKI_DB_NAME", ctx.dbName());
    v.put("WIKI_DB_USER", ctx.dbUser());
    v.put(PASSWORD_KEY, password);
    v.put("WIKI_SHARED_DB_NAME", config.wikiDb().sharedDbName());
    v.put("OPENSEARCH_ENDPOINT", nullToEmpty(config.openSearch().endpoint()));
    v.put("OPENSEARCH_USER", nullToEmpty(config.openSearch().user()));
    v.put("OPENSEARCH_PASSWORD", config.openSearch().password().reveal());
    v.put("REDIS_SERVER", nullToEmpty(config.redis().server()));
    v.put("REDIS_PASSWORD", config.redis().password().reveal());
    return v;
  }

  /**
   * The password of an earlier attempt of this task: the ledger says this task wrote the file and it holds a
   * password the template did not ship with. Anything else gets a fresh password.
   */
  private static Optional<String> passwordToKeep(PhaseContext ctx, LedgerEntry entry, IniFile ini)
      throws Exception {
    if (!ctx.ledger().has(entry.kind(), entry.ref())) {
      return Optional.empty();
    }
    String current = ini.get(PASSWORD_KEY).orElse("");
    Path templateIni = ctx.request().templateDir().resolve("pubwiki.ini");
    String shipped = Files.isRegularFile(templateIni) ? parse(templateIni).get(PASSWORD_KEY).orElse("") : "";
    return current.isEmpty() || current.equals(shipped)
        ? Optional.empty() : Optional.of(current);
  }

  private String newPassword() {
    char[] out = new char[PASSWORD_LENGTH];
    for (int i = 0; i < out.length; i++) {
      out[i] = PASSWORD_ALPHABET[random.nextInt(PASSWORD_ALPHABET.length)];
    }
    return new String(out);
  }

  private static IniFile parse(Path iniPath) throws IOException, ProvisionException {
    try {
      return IniFile.load(iniPath);
    } catch (IniFormatException e) {
      throw new ProvisionException("pubwiki.ini of the template cannot be edited safely (" + e.getMessage()
          + "); fix the template.");
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}

package org.wikifarm.provisioner.provision;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.wikifarm.provisioner.config.AppConfig;

/**
 * Everything a phase needs for one task: the request, the configuration, the ledger, and a way to report
 * intermediate output (e.g. the last line a maintenance script printed). Derived names (directories, database
 * and user names) are computed here once so every phase agrees on them.
 */
public final class PhaseContext {
  private final WikiRequest request;
  private final AppConfig config;
  private final RollbackLedger ledger;
  private final Consumer<String> output;
  private final Redactor redactor;
  private final WorkAhead ahead = new WorkAhead();
  /** Until the runner says otherwise, an earlier run of the task may have left processes running. */
  private volatile boolean leftoverProcessesPossible = true;

  public PhaseContext(WikiRequest request, AppConfig config, RollbackLedger ledger, Redactor redactor,
      Consumer<String> output) {
    this.request = request;
    this.config = config;
    this.ledger = ledger;
    this.redactor = redactor;
    this.output = output;
  }

  /** Masks configured and generated secrets; phases register what they generate with {@link #addSecret}. */
  public Redactor redactor() {
    return redactor;
  }

  public void addSecret(String secret) {
    redactor.add(secret);
  }

  /**
   * Whether processes of this task may still be running from an interrupted earlier run (another node's, or
   * this one's before a crash) or a failed attempt of a command phase: command phases then stop them first.
   */
  public boolean mayHaveLeftoverProcesses() {
    return leftoverProcessesPossible;
  }

  /** The task never ran before (claimed from the queue): no earlier run can have left processes. */
  public void firstRun() {
    leftoverProcessesPossible = false;
  }

  /** A command did not end normally: what it started may still run, so the next attempt looks first. */
  public void commandEndedAbnormally() {
    leftoverProcessesPossible = true;
  }

  public WikiRequest request() {
    return request;
  }

  public AppConfig config() {
    return config;
  }

  public RollbackLedger ledger() {
    return ledger;
  }

  /** This task's work started before its phase's turn ({@link Phase#prepare}). */
  public WorkAhead ahead() {
    return ahead;
  }

  /** Reports a line of intermediate output (redacted by the caller's sink before it reaches users). */
  public void output(String line) {
    output.accept(redactor.redact(line));
  }

  /** {@code WIKIFARM_DIR/<slug>} on this host. */
  public Path wikiDir() {
    return config.farm().wikiDir().resolve(request.slug());
  }

  /** {@code WIKIFARM_OAUTH_DIR/<slug>}. */
  public Path oauthDir() {
    return config.farm().oauthDir().resolve(request.slug());
  }

  public Path iniFile() {
    return wikiDir().resolve("pubwiki.ini");
  }

  /** The wiki's database name and DB user name: prefix + slug with '-' → '_' (slugs never contain '_'). */
  public String dbName() {
    return dbName(config.wikiDb().namePrefix(), request.slug());
  }

  public String dbUser() {
    return dbName();
  }

  public static String dbName(String prefix, String slug) {
    return prefix + slug.replace('-', '_');
  }
}

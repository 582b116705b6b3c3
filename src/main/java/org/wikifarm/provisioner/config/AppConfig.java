package org.wikifarm.provisioner.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole, validated, immutable configuration. Built once by {@link ConfigLoader} and handed to the
 * verticles; nothing else reads environment variables or files. Secrets are {@link Secret}s so that
 * {@code toString()} of any of these records is safe to log.
 */
public record AppConfig(
    Http http,
    Database database,
    Redis redis,
    Farm farm,
    WikiDb wikiDb,
    OpenSearch openSearch,
    OAuth oauth,
    Executor executor,
    Worker worker,
    Sse sse,
    Cluster cluster,
    Audit audit) {

  public enum Identity { BODY, HEADERS }

  public enum ExecutorType { DOCKER, PORTAINER, LOCAL }

  public enum CertFormat { SPKI, X509 }

  /**
   * HTTP listener and API policy. {@code readCacheTtl}: how long a cached public list, owner list or slug answer
   * may be served at most when no change event reaches this node (zero: no cache).
   */
  public record Http(
      String host, int port, long bodyLimitBytes, Secret apiToken, Identity identity, int createRateLimit,
      Duration createRateWindow, Duration readCacheTtl) {
    public boolean loopbackOnly() {
      return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }
  }

  /**
   * The metadata database (MediaWiki's, holding the wikifarm_* tables), from DATABASE_URL. {@code connectTimeout}:
   * how long start-up keeps retrying a database that does not answer before it gives up.
   */
  public record Database(
      String host, int port, String name, String user, Secret password, int poolSize,
      Duration idleTimeout, boolean verifySchema, Duration connectTimeout) {}

  /** Redis used by the service; {@code server}/{@code password} are also rendered into every pubwiki.ini. */
  public record Redis(Secret connectionString, String server, Secret password, String keyPrefix,
      int journalMaxEvents, Duration journalRetention, Duration idempotencyTtl) {}

  /**
   * Where wikis live and what they are made from. {@code configDir} holds each wiki's generated files
   * ({@code <configDir>/<slug>/permissions.php}); it defaults to {@code wikiDir}. {@code verifyUrl} (null:
   * phase 9 is skipped) is the farm's web server that phase 9 asks for each new wiki's siteinfo, for at most
   * {@code verifyTimeout}; {@code archiveDir} (null: no archive) receives a deleted wiki's dump and files.
   */
  public record Farm(
      Path wikiDir, Path oauthDir, Path defaultTemplate, Map<String, Path> templates, String rootHost,
      String urlScheme, String defaultLanguage, Set<String> reservedSlugs, Path configDir, String verifyUrl,
      Duration verifyTimeout, Path archiveDir) {
    /** The template directory for a request: the named one, or the default when no name was given. */
    public Path templateFor(String name) {
      return name == null ? defaultTemplate : templates.get(name);
    }
  }

  /** The wiki database server as seen by the wikis (rendered into the ini) and the admin account used there. */
  public record WikiDb(
      String host, String adminAddress, String adminUser, Secret adminPassword, String sharedDbName,
      List<String> sharedTables, String namePrefix) {}

  public record OpenSearch(String user, Secret password, String endpoint) {}

  /** {@code spareKeys}: key pairs a node keeps generated ahead of the tasks that take them (0: none). */
  public record OAuth(int keyBits, CertFormat certFormat, String fileOwner, String fileGroup, int spareKeys) {}

  /**
   * How the command phases (5 install, 6 index configuration, 8 index) reach the farm's PHP: a Docker exec,
   * Portainer's Docker proxy, or host processes.
   */
  public record Executor(
      ExecutorType type, String instance, String dockerHost, String portainerEndpoint,
      Secret portainerApiKey, Path containerWikiDir, String user, List<List<String>> installCommands,
      List<List<String>> indexCfgCommands, List<List<String>> indexCommands, Duration commandTimeout,
      List<String> commandEnv) {}

  /** {@code enabled=false} makes an API-only node: it accepts and streams, other nodes provision. */
  /** {@code transientRetry}: how long a phase's transient failures (DB, Redis, engine not answering) are retried. */
  public record Worker(boolean enabled, int concurrency, Duration leaseTtl, Duration pollInterval,
      Duration transientRetry) {}

  public record Sse(Duration heartbeat, Duration throttle) {}

  /** The audit log (SPEC §8): {@code file}, when set, receives its JSON lines instead of the log; null: the log. */
  public record Audit(Path file) {}

  /**
   * Multi-node operation. {@code port} is Hazelcast's member port (membership, shared maps), {@code busPort} the
   * Vert.x event bus's TCP port (SSE events between nodes): two ports per node, both bound to {@code host}.
   * {@code minMembers}: the worker claims tasks only while this node sees at least that many members
   * (set it to a majority, e.g. 2 of 3, so an isolated node stops claiming).
   */
  public record Cluster(
      boolean enabled, String name, String host, int port, int busPort, String publicHost, List<String> members,
      int minMembers) {}
}

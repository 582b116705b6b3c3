package org.wikifarm.provisioner;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The shape of docs/ARCHITECTURE.md, enforced: imports point down only, no package cycles, the HTTP and SSE
 * layers reach MariaDB and Redis only through {@code store}, and nothing test-only lives in {@code src/main}.
 */
@AnalyzeClasses(packages = "org.wikifarm.provisioner", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String ROOT = "org.wikifarm.provisioner";

  /** Top to bottom; each layer may use only the layers listed for it (all of them below it). */
  @ArchTest
  static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("cli").definedBy(ROOT + ".cli..")
      .layer("app").definedBy(ROOT + ".app..")
      .layer("http").definedBy(ROOT + ".http..")
      .layer("manage").definedBy(ROOT + ".manage..")
      .layer("worker").definedBy(ROOT + ".worker..")
      .layer("cluster").definedBy(ROOT + ".cluster..")
      .layer("sse").definedBy(ROOT + ".sse..")
      .layer("phases").definedBy(ROOT + ".provision.phases..")
      .layer("provision").definedBy(ROOT + ".provision")
      .layer("exec").definedBy(ROOT + ".exec..")
      .layer("store").definedBy(ROOT + ".store..")
      .layer("config").definedBy(ROOT + ".config..")
      .layer("support").definedBy(ROOT + ".support..")
      .layer("task").definedBy(ROOT + ".task..")
      .whereLayer("cli").mayNotBeAccessedByAnyLayer()
      // the operator's commands read and change what the service stores (tasks, wikis, wikis list, prune: store),
      // and doctor asks the service's own executor (exec) and db_provision's admin session (phases) instead of
      // imitating them; provision hands a Cancellation (provision) to the run it starts through app
      .whereLayer("cli").mayOnlyAccessLayers("app", "cluster", "worker", "config", "support", "task", "store", "exec",
          "phases", "provision")
      .whereLayer("app").mayOnlyAccessLayers("http", "manage", "worker", "cluster", "sse", "phases", "provision", "exec",
          "store", "config", "support", "task")
      .whereLayer("http").mayOnlyAccessLayers("sse", "manage", "store", "config", "support", "task")
      .whereLayer("manage").mayOnlyAccessLayers("store", "config", "support", "task")
      .whereLayer("worker").mayOnlyAccessLayers("provision", "store", "config", "support", "task")
      .whereLayer("cluster").mayOnlyAccessLayers("config", "support")
      .whereLayer("sse").mayOnlyAccessLayers("store", "config", "support", "task")
      .whereLayer("phases").mayOnlyAccessLayers("provision", "exec", "config", "support", "task")
      .whereLayer("provision").mayOnlyAccessLayers("config", "support", "task")
      .whereLayer("exec").mayOnlyAccessLayers("config", "support", "task")
      .whereLayer("store").mayOnlyAccessLayers("config", "support", "task")
      .whereLayer("config").mayOnlyAccessLayers("support", "task")
      .whereLayer("support").mayNotAccessAnyLayer()
      .whereLayer("task").mayNotAccessAnyLayer();

  @ArchTest
  static final ArchRule noCycles = slices().matching(ROOT + ".(**)").should().beFreeOfCycles();

  /** Endpoints and streams go through store; only store, worker (its lease and ledger) and app touch clients. */
  @ArchTest
  static final ArchRule httpAndSseUseTheStore = noClasses().that().resideInAnyPackage(ROOT + ".http..", ROOT + ".sse..")
      .should().dependOnClassesThat().resideInAnyPackage("io.vertx.sqlclient..", "io.vertx.mysqlclient..",
          "io.vertx.redis..");

  @ArchTest
  static final ArchRule noTestCodeInMain = noClasses().should().dependOnClassesThat()
      .resideInAnyPackage("org.junit..", "org.testcontainers..", "org.openqa..", "ch.vorburger..", "redis.embedded..")
      .orShould().haveSimpleNameContaining("Test");
}

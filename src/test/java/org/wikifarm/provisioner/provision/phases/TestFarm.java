package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.provision.InMemoryLedger;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.Redactor;
import org.wikifarm.provisioner.provision.RollbackLedger;
import org.wikifarm.provisioner.provision.WikiRequest;

/**
 * A scratch farm (wikis/, oauth/, template/ with the canonical demo pubwiki.ini) and a configuration pointing
 * at it, plus contexts for tasks in it.
 */
final class TestFarm {
  static final Path DEMO_TEMPLATE_INI = Path.of("src", "test", "resources", "demo-template", "pubwiki.ini");

  final Path root;
  final AppConfig config;

  private TestFarm(Path root, AppConfig config) {
    this.root = root;
    this.config = config;
  }

  static TestFarm create() throws Exception {
    return create(json -> { });
  }

  /** A farm whose configuration JSON is adjusted by {@code tweak} before loading. */
  static TestFarm create(Consumer<JsonObject> tweak) throws Exception {
    Path root = TestInfra.scratch().resolve("farm-" + UUID.randomUUID());
    JsonObject json = TestConfigs.json(root);
    tweak.accept(json);
    TestFarm farm = new TestFarm(root, ConfigLoader.fromJson(json));
    Files.copy(DEMO_TEMPLATE_INI, farm.template().resolve("pubwiki.ini"), StandardCopyOption.REPLACE_EXISTING);
    return farm;
  }

  Path template() {
    return root.resolve("template");
  }

  Path wikis() {
    return root.resolve("wikis");
  }

  Path oauth() {
    return root.resolve("oauth");
  }

  PhaseContext context(String slug, String name) {
    return context(slug, name, new InMemoryLedger());
  }

  PhaseContext context(String slug, String name, RollbackLedger ledger) {
    WikiRequest request = new WikiRequest(UUID.randomUUID().toString(), 1, name, slug, "en", template());
    return new PhaseContext(request, config, ledger, new Redactor(List.of()), line -> { });
  }

  /** The same task (same id, request and ledger contents) as seen by a process that resumes it. */
  static PhaseContext resumed(PhaseContext crashed, RollbackLedger ledger) {
    return new PhaseContext(crashed.request(), crashed.config(), ledger, new Redactor(List.of()), line -> { });
  }

  /** What {@link DirCopyPhase} would leave: the wiki dir holding the template's unfilled ini. */
  static void placeTemplateIni(PhaseContext ctx) throws Exception {
    Files.createDirectories(ctx.wikiDir());
    Files.copy(ctx.request().templateDir().resolve("pubwiki.ini"), ctx.iniFile(),
        StandardCopyOption.REPLACE_EXISTING);
  }
}

package org.wikifarm.provisioner.embedded;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @HostTools.Required({Tool.PHP, …})} on a test class: on a machine without those tools the whole class
 * is reported as skipped with the reason (a check inside {@code @BeforeAll} would make it vanish from the
 * counts instead); in CI ({@code CI=true}) the class runs and its own {@link Prerequisites} checks fail loudly.
 */
public final class HostTools implements ExecutionCondition {

  public enum Tool {
    PHP(() -> Prerequisites.which("php") != null, "php is not installed (apt-get install php-cli php-mysql)"),
    OPENSSL(() -> Prerequisites.which("openssl") != null, "openssl is not installed (apt-get install openssl)"),
    MEDIAWIKI(() -> Files.isRegularFile(Path.of("/usr/share/mediawiki/includes/WebStart.php")),
        "MediaWiki is not installed (apt-get install --no-install-recommends mediawiki)"),
    CHROMIUM(() -> Prerequisites.which("chromium") != null && Prerequisites.which("chromedriver") != null,
        "chromium / chromedriver are not installed (apt-get install chromium chromium-driver)"),
    DOCKER(() -> Files.exists(Path.of(System.getenv().getOrDefault("WIKIFARM_TEST_DOCKER_HOST",
        "unix:///tmp/wikifarm-test-docker/docker.sock").replaceFirst("^unix://", ""))),
        "no test Docker engine (run scripts/test-dockerd.sh start; needs docker.io and busybox-static)");

    final BooleanSupplier present;
    final String reason;

    Tool(BooleanSupplier present, String reason) {
      this.present = present;
      this.reason = reason;
    }
  }

  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @ExtendWith(HostTools.class)
  public @interface Required {
    Tool[] value();
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Required required = context.getRequiredTestClass().getAnnotation(Required.class);
    if (required == null || Prerequisites.inCi()) {
      return ConditionEvaluationResult.enabled("CI runs everything");
    }
    List<String> missing = new ArrayList<>();
    for (Tool tool : required.value()) {
      if (!tool.present.getAsBoolean()) {
        missing.add(tool.reason);
      }
    }
    return missing.isEmpty() ? ConditionEvaluationResult.enabled("tools present")
        : ConditionEvaluationResult.disabled("skipped: " + String.join("; ", missing));
  }
}

package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.support.IniFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.provision.PhaseContext;

class FlipBootstrapPhaseTest {
  private static final String ON = "\nWIKI_BOOTSTRAPING = true";

  @Test
  void changesOnlyTheFlagsValueEvenWhenTheNameImitatesTheFlag() throws Exception {
    TestFarm farm = TestFarm.create();
    String name = "Sneaky\"\nWIKI_BOOTSTRAPING = true\n$x";
    PhaseContext ctx = farm.context("flip", name);
    TestFarm.placeTemplateIni(ctx);
    new RenderIniPhase().run(ctx);
    String before = Files.readString(ctx.iniFile());

    new FlipBootstrapPhase().run(ctx);

    String after = Files.readString(ctx.iniFile());
    int at = before.lastIndexOf(ON) + ON.length() - "true".length();
    assertEquals(before.substring(0, at) + "false" + before.substring(at + "true".length()), after);
    assertEquals("rw-r-----", DirCopyPhaseTest.mode(ctx.iniFile()));
    JsonObject php = Php.parseIniFiles(List.of(ctx.iniFile())).getJsonObject(ctx.iniFile().toString());
    assertEquals("", php.getString("WIKI_BOOTSTRAPING"), "PHP must read the flag as false");
    assertEquals(name, php.getString("WIKI_SITE_NAME"));
    assertEquals(List.of(), ctx.ledger().entries().stream().filter(e -> e.phase().equals("flip_bootstrap")).toList());
  }

  @Test
  void runningAgainLeavesTheFileAlone() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("again", "Again");
    TestFarm.placeTemplateIni(ctx);
    new RenderIniPhase().run(ctx);
    FlipBootstrapPhase phase = new FlipBootstrapPhase();
    phase.run(ctx);
    byte[] once = Files.readAllBytes(ctx.iniFile());
    FileTime stamp = FileTime.fromMillis(1_500_000_000_000L);
    Files.setLastModifiedTime(ctx.iniFile(), stamp);

    phase.run(ctx);

    assertArrayEquals(once, Files.readAllBytes(ctx.iniFile()));
    assertEquals(stamp, Files.getLastModifiedTime(ctx.iniFile()), "an idempotent re-run must not rewrite");
    assertTrue(new String(once, StandardCharsets.UTF_8).endsWith("WIKI_BOOTSTRAPING = false\n"));
  }
}

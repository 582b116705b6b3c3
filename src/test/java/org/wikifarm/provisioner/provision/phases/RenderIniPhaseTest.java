package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.support.IniFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.provision.InMemoryLedger;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

class RenderIniPhaseTest {
  /** Pieces that break naive ini writers: quotes, interpolation, comments, key injection, non-ASCII. */
  private static final List<String> NASTY = List.of(
      "\"", "'", "$", "{", "}", ";", "=", "\\", "!", "^", "~", "|", "&", "(", ")", "[", "]", "${HOME}",
      "$HOME", "${", "\n", "\r", "\t", "\r\n", "x\nWIKI_DB_HOST=evil", "\"\nWIKI_DB_HOST = \"evil",
      "'\nWIKI_DB_HOST = 'evil", "\nWIKI_BOOTSTRAPING = false\n", "\\\"", "\\\\", "\\$", "\\n", "\\",
      "中文维基", "😀", "Café Münster", "Ελληνικά", "null", "true", "false", "on", "none", "yes", " ", ";comment",
      "#hash", "[section]", "%s", "?{}|&~![()^\"", "\u00a0", "\u200b", "\ufeff", "Bob's \"Wiki\"");
  private static final Pattern TEMPLATE_KEY = Pattern.compile("(?m)^([A-Z_]+) =");

  private final RenderIniPhase phase = new RenderIniPhase();

  @Test
  void everyValueReadsBackExactlyThroughPhp() throws Exception {
    Random random = new Random(20240611);
    List<String> templateKeys = keysOf(Files.readString(TestFarm.DEMO_TEMPLATE_INI));
    Map<Path, Map<String, String>> expected = new LinkedHashMap<>();
    int wikis = 0;
    for (int farmNo = 0; farmNo < 4; farmNo++) {
      // secrets and endpoints come from the configuration: make those nasty too
      List<String> cfg = List.of(nasty(random), nasty(random), nasty(random), nasty(random), nasty(random));
      TestFarm farm = TestFarm.create(json -> {
        json.put("opensearch", new JsonObject().put("user", cfg.get(0)).put("password", cfg.get(1))
            .put("endpoint", cfg.get(2)));
        json.getJsonObject("redis").put("password", cfg.get(3)).put("server", cfg.get(4));
      });
      for (int i = 0; i < 75; i++, wikis++) {
        String name = switch (wikis) {
          case 0 -> allAsciiExceptNul();
          case 1 -> "ends with a backslash \\";
          case 2 -> "\"";
          case 3 -> "Bob's \"Wiki\" costs $5; ${HOME} = \\o/";
          case 4 -> "quote before CR\"\r";
          case 5 -> "a\"\r\nWIKI_DB_HOST = \"evil\"\n\"";
          case 6 -> "\\\"\n\\\"\n";
          default -> nasty(random);
        };
        PhaseContext ctx = farm.context("w" + wikis, name);
        TestFarm.placeTemplateIni(ctx);
        phase.run(ctx);
        Map<String, String> want = new LinkedHashMap<>();
        want.put("WIKI_SITE_NAME", name);
        want.put("WIKI_META_NAMESPACE", name.replace(' ', '_'));
        want.put("WIKI_LANG", "en");
        want.put("WIKI_ROOT_HOST", "wiki.test");
        want.put("WIKI_HOST_URL", "w" + wikis + ".wiki.test");
        want.put("WIKI_DB_HOST", farm.config.wikiDb().host());
        want.put("WIKI_DB_NAME", "wiki_w" + wikis);
        want.put("WIKI_DB_USER", "wiki_w" + wikis);
        String password = IniFile.read(ctx.iniFile()).get("WIKI_DB_PASSWORD");
        assertTrue(password.matches("[A-Za-z0-9]{24,}"), "generated password shape");
        want.put("WIKI_DB_PASSWORD", password);
        want.put("WIKI_SHARED_DB_NAME", farm.config.wikiDb().sharedDbName());
        // as loaded: the configuration layer trims surrounding whitespace
        want.put("OPENSEARCH_ENDPOINT", farm.config.openSearch().endpoint());
        want.put("OPENSEARCH_USER", farm.config.openSearch().user());
        want.put("OPENSEARCH_PASSWORD", farm.config.openSearch().password().reveal());
        want.put("REDIS_SERVER", farm.config.redis().server());
        want.put("REDIS_PASSWORD", farm.config.redis().password().reveal());
        want.put("WIKI_BOOTSTRAPING", "1"); // PHP's default scanner reads a bare true as "1"
        expected.put(ctx.iniFile(), want);

        Map<String, String> javaView = new LinkedHashMap<>(want);
        javaView.put("WIKI_BOOTSTRAPING", "true");
        assertEquals(sorted(javaView), sorted(IniFile.read(ctx.iniFile())), "IniFile.read disagrees, wiki " + wikis);
      }
    }
    assertTrue(expected.size() >= 200);

    JsonObject php = Php.parseIniFiles(new ArrayList<>(expected.keySet()));

    for (Map.Entry<Path, Map<String, String>> e : expected.entrySet()) {
      Object parsed = php.getValue(e.getKey().toString());
      assertTrue(parsed instanceof JsonObject, "PHP could not parse " + e.getKey() + ": " + parsed);
      JsonObject got = (JsonObject) parsed;
      assertEquals(templateKeys, new ArrayList<>(got.fieldNames()), "keys (and their order) in " + e.getKey());
      for (Map.Entry<String, String> kv : e.getValue().entrySet()) {
        assertEquals(kv.getValue(), got.getString(kv.getKey()), kv.getKey() + " in " + e.getKey());
      }
    }
  }

  @Test
  void keepsCommentsBlankLinesAndOrderAndWritesMode0640() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("alpha", "Alpha Wiki");
    TestFarm.placeTemplateIni(ctx);
    Files.setPosixFilePermissions(ctx.iniFile(), PosixFilePermissions.fromString("rw-rw-rw-"));

    phase.run(ctx);

    List<String> before = Files.readAllLines(TestFarm.DEMO_TEMPLATE_INI);
    List<String> after = Files.readAllLines(ctx.iniFile());
    assertEquals(before.size(), after.size(), "no line may be added or removed");
    for (int i = 0; i < before.size(); i++) {
      Matcher key = Pattern.compile("^([A-Z_]+) =").matcher(before.get(i));
      if (key.find()) {
        assertTrue(after.get(i).startsWith(key.group(1) + " = "), "line " + (i + 1) + ": " + after.get(i));
      } else {
        assertEquals(before.get(i), after.get(i), "comment/blank line " + (i + 1) + " changed");
      }
    }
    assertTrue(after.contains("WIKI_SITE_NAME = \"Alpha Wiki\""));
    assertTrue(after.contains("WIKI_META_NAMESPACE = \"Alpha_Wiki\""));
    assertTrue(after.contains("WIKI_BOOTSTRAPING = true"));
    assertEquals("rw-r-----", DirCopyPhaseTest.mode(ctx.iniFile()));
    assertEquals(List.of(new LedgerEntry("render_ini", "file", ctx.iniFile().toAbsolutePath().toString())),
        ctx.ledger().entries());
    assertFalse(Files.exists(IniFile.tempFileFor(ctx.iniFile())));
  }

  @Test
  void passwordIsLongFreshPerWikiRedactedAndKeptOnResume() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext first = farm.context("one", "One");
    PhaseContext second = farm.context("two", "Two");
    TestFarm.placeTemplateIni(first);
    TestFarm.placeTemplateIni(second);

    phase.run(first);
    phase.run(second);
    String p1 = IniFile.read(first.iniFile()).get("WIKI_DB_PASSWORD");
    String p2 = IniFile.read(second.iniFile()).get("WIKI_DB_PASSWORD");

    assertTrue(p1.length() >= 24, "password too short");
    assertNotEquals(p1, p2);
    assertEquals("db *** here", first.redactor().redact("db " + p1 + " here"));

    // a new process resumes the task: the same ledger, a fresh redactor
    PhaseContext resumed = TestFarm.resumed(first, first.ledger());
    phase.run(resumed);
    assertEquals(p1, IniFile.read(first.iniFile()).get("WIKI_DB_PASSWORD"), "resume changed the password");
    assertEquals("***", resumed.redactor().redact(p1), "a kept password must be registered as a secret again");
  }

  @Test
  void crashBetweenLedgerRecordAndWriteStillRendersOnResume() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("crash", "Crash");
    TestFarm.placeTemplateIni(ctx);
    ctx.ledger().record(new LedgerEntry("render_ini", "file", ctx.iniFile().toAbsolutePath().toString()));
    Files.writeString(IniFile.tempFileFor(ctx.iniFile()), "WIKI_SITE_NAME = \"half"); // torn temp file

    phase.run(ctx);

    Map<String, String> values = IniFile.read(ctx.iniFile());
    assertEquals("Crash", values.get("WIKI_SITE_NAME"));
    assertTrue(values.get("WIKI_DB_PASSWORD").length() >= 24);
  }

  @Test
  void appendsKeysTheTemplateLacksAndLeavesOtherLinesAlone() throws Exception {
    TestFarm farm = TestFarm.create();
    String template = "; minimal template\r\nWIKI_SITE_NAME=\r\nCUSTOM_SETTING = keep me ; operator note\r\n"
        + "[unused section]\r\n";
    Files.writeString(farm.template().resolve("pubwiki.ini"), template);
    PhaseContext ctx = farm.context("mini", "Mini");
    TestFarm.placeTemplateIni(ctx);

    phase.run(ctx);

    String text = Files.readString(ctx.iniFile());
    assertTrue(text.startsWith("; minimal template\r\nWIKI_SITE_NAME=\"Mini\"\r\n"
        + "CUSTOM_SETTING = keep me ; operator note\r\n[unused section]\r\n"), text);
    List<String> appended = keysOf(text.substring(template.length() + "\"Mini\"".length()));
    assertEquals(List.of("WIKI_META_NAMESPACE", "WIKI_LANG", "WIKI_ROOT_HOST", "WIKI_HOST_URL", "WIKI_DB_HOST",
        "WIKI_DB_NAME", "WIKI_DB_USER", "WIKI_DB_PASSWORD", "WIKI_SHARED_DB_NAME", "OPENSEARCH_ENDPOINT",
        "OPENSEARCH_USER", "OPENSEARCH_PASSWORD", "REDIS_SERVER", "REDIS_PASSWORD", "WIKI_BOOTSTRAPING"),
        appended);
    assertFalse(text.replace("\r\n", "").contains("\n"), "appended lines must use the file's CRLF endings");
    assertEquals("keep me", IniFile.read(ctx.iniFile()).get("CUSTOM_SETTING"));
  }

  @Test
  void aValuePhpCannotHoldIsRejectedWithoutEchoingItAndTheFileIsUnchanged() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("nul", "before\0after-secretish");
    TestFarm.placeTemplateIni(ctx);
    byte[] before = Files.readAllBytes(ctx.iniFile());

    ProvisionException e = assertThrows(ProvisionException.class, () -> phase.run(ctx));

    assertTrue(e.getMessage().startsWith("WIKI_SITE_NAME cannot be written"), e.getMessage());
    assertFalse(e.getMessage().contains("secretish"), "the value leaked into the message");
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(ctx.iniFile()));
  }

  @Test
  void undoDeletesTheRenderedFileAndItsTempFile() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("gone", "Gone");
    TestFarm.placeTemplateIni(ctx);
    phase.run(ctx);
    Files.writeString(IniFile.tempFileFor(ctx.iniFile()), "leftover");
    LedgerEntry entry = ctx.ledger().entries().get(0);

    phase.undo(entry, ctx);
    phase.undo(entry, ctx);

    assertEquals(List.of(), DirCopyPhaseTest.names(ctx.wikiDir()));
  }

  @Test
  void missingIniInTheWikiDirectoryFailsClearly() throws Exception {
    TestFarm farm = TestFarm.create();
    PhaseContext ctx = farm.context("noini", "No ini", new InMemoryLedger());
    Files.createDirectories(ctx.wikiDir());

    ProvisionException e = assertThrows(ProvisionException.class, () -> phase.run(ctx));
    assertTrue(e.getMessage().contains("pubwiki.ini is missing"), e.getMessage());
    assertEquals(List.of(), ctx.ledger().entries());
  }

  private static String nasty(Random random) {
    StringBuilder sb = new StringBuilder();
    int parts = 1 + random.nextInt(6);
    for (int i = 0; i < parts; i++) {
      switch (random.nextInt(3)) {
        case 0 -> sb.append(NASTY.get(random.nextInt(NASTY.size())));
        case 1 -> sb.append((char) (1 + random.nextInt(127))); // any ASCII but NUL, controls included
        default -> sb.appendCodePoint(nonAsciiCodePoint(random));
      }
    }
    return sb.toString();
  }

  /** Latin-1 up to beyond the BMP (emoji, CJK extension B); never a lone surrogate, which no file can hold. */
  private static int nonAsciiCodePoint(Random random) {
    int cp;
    do {
      cp = 0xA0 + random.nextInt(0x2FF60);
    } while (cp >= 0xD800 && cp <= 0xDFFF);
    return cp;
  }

  private static String allAsciiExceptNul() {
    StringBuilder sb = new StringBuilder();
    for (char c = 1; c < 128; c++) {
      sb.append(c);
    }
    return sb.toString();
  }

  private static List<String> keysOf(String text) {
    List<String> keys = new ArrayList<>();
    Matcher m = TEMPLATE_KEY.matcher(text);
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  private static Map<String, String> sorted(Map<String, String> m) {
    return new java.util.TreeMap<>(m);
  }
}

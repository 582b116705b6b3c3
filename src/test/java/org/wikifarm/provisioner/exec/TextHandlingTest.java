package org.wikifarm.provisioner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure pieces the executors share: line splitting, command display, path mapping. */
class TextHandlingTest {

  @Test
  void splitsOnEveryKindOfLineEndAndKeepsSplitCharacters() {
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);
    byte[] bytes = "a\r\nb\nc\rd\n\né-end".getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) { // one byte at a time: "é" arrives in two pieces
      splitter.accept(new byte[] {b}, 0, 1);
    }
    splitter.finish();
    assertEquals(List.of("a", "b", "c", "d", "", "é-end"), lines);
  }

  @Test
  void cutsEndlessLines() {
    List<String> lines = new ArrayList<>();
    LineSplitter splitter = new LineSplitter(lines::add);
    byte[] chunk = "x".repeat(LineSplitter.MAX_LINE_BYTES + 10).getBytes(StandardCharsets.US_ASCII);
    splitter.accept(chunk, 0, chunk.length);
    splitter.finish();
    assertEquals(List.of(LineSplitter.MAX_LINE_BYTES, 10), lines.stream().map(String::length).toList());
  }

  @Test
  void displaysCommandsAsTheyWouldBeTyped() {
    assertEquals("php maintenance/run installPreConfigured",
        Commands.display(List.of("php", "maintenance/run", "installPreConfigured")));
    assertEquals("sh -c 'echo '\\''hi'\\'' there' ''", Commands.display(List.of("sh", "-c", "echo 'hi' there", "")));
    assertEquals("30m", Commands.human(Duration.ofMinutes(30)));
    assertEquals("1500ms", Commands.human(Duration.ofMillis(1500)));
  }

  @Test
  void mapsWikiDirectoriesIntoTheContainer() throws Exception {
    PathMapping mapping = new PathMapping(Path.of("/data/farm/wikis"), Path.of("/srv/wikis"));
    assertEquals("/srv/wikis/demo", mapping.toContainer(Path.of("/data/farm/wikis/demo")));
    assertEquals("/srv/wikis/demo", mapping.toContainer(Path.of("/data/farm/wikis/x/../demo")));
    assertEquals("/srv/wikis", mapping.toContainer(Path.of("/data/farm/wikis")));
    assertEquals("/data/farm/wikis/demo",
        PathMapping.identity(Path.of("/data/farm/wikis")).toContainer(Path.of("/data/farm/wikis/demo")));
    assertEquals("/data/farm/wikis/demo",
        new PathMapping(Path.of("/data/farm/wikis"), null).toContainer(Path.of("/data/farm/wikis/demo")));
    assertThrows(CommandException.class, () -> mapping.toContainer(Path.of("/data/farm/wikis-other/demo")));
    assertThrows(CommandException.class, () -> mapping.toContainer(Path.of("/etc")));
  }
}

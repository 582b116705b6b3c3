package org.wikifarm.provisioner.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.wikifarm.provisioner.sse.SseClient.Event;
import org.wikifarm.provisioner.sse.SseClient.Stream;
import org.wikifarm.provisioner.store.EventJournal;

/**
 * What every complete task event stream must look like (SPEC §5), checked one way by every test that reads
 * one to its end: the lifecycle, SSE, cluster, crash and outage tests.
 */
public final class StreamAssertions {
  /**
   * The create task's phases in order (SPEC §6): the eight the extension's client counts (SPEC §4.5), then
   * phase 9, {@code verify}, which it ignores.
   */
  public static final List<String> CREATE_PHASES = List.of("dir_copy", "render_ini", "db_provision", "oauth",
      "docker_install", "docker_index_cfg", "flip_bootstrap", "index", "verify");

  /** The delete task's phases in order (SPEC §6.2). */
  public static final List<String> DELETE_PHASES = List.of("archive", "drop_db", "remove_keys", "remove_dir");

  private StreamAssertions() {}

  /** Whether a stream may contain events without a journal id. */
  public enum Ids {
    /** Redis was up throughout: every event was journaled, so every event has an id. */
    JOURNALED,
    /**
     * Redis was unavailable for a while: events sent meanwhile carry no id, or one stands for the task row
     * when the journal was lost. The ids that are there must still increase.
     */
    MAY_BE_MISSING
  }

  /** {@link #assertCompleteStream(String, Stream, Ids)}, ending with the {@code terminal} status. */
  public static Event assertCompleteStream(String what, Stream stream, String terminal, Ids ids) {
    Event last = assertCompleteStream(what, stream, ids);
    assertEquals(terminal, last.data().getString("status"), () -> what + ": " + last.data().encode());
    return last;
  }

  /**
   * A complete stream: status 200; events, the server closed the stream after the last one; that last one
   * is the only {@code status} event — succeeded at progress 100, or failed at the progress the task reached
   * (below 100, never below an earlier event's) — every other event is a
   * {@code progress} event; progress never goes back; the ids present strictly increase in journal order
   * (so none repeats), and with {@link Ids#JOURNALED} every event has one. Returns the terminal event.
   *
   * @param what names the stream in failure messages (a slug, a task id)
   */
  public static Event assertCompleteStream(String what, Stream stream, Ids ids) {
    assertEquals(200, stream.status(), () -> what + ": " + stream.rawPrefix());
    List<Event> events = stream.events();
    assertFalse(events.isEmpty(), () -> what + ": no events");
    assertTrue(stream.closedByServer(), () -> what + ": the server closes the stream after the terminal event: "
        + events);
    Event last = events.get(events.size() - 1);
    assertEquals("status", last.type(), () -> what + ": ends with the terminal status event: " + events);
    assertTrue(Set.of("succeeded", "failed").contains(last.data().getString("status")),
        () -> what + ": terminal status: " + last.data().encode());
    if ("succeeded".equals(last.data().getString("status"))) {
      assertEquals(100, last.data().getInteger("progress"), () -> what + ": terminal progress: " + last.data().encode());
    } else {
      assertTrue(last.data().getInteger("progress") < 100,
          () -> what + ": a failure keeps the progress it reached: " + last.data().encode());
    }
    int previousProgress = -1;
    String previousId = null;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (i < events.size() - 1) {
        assertEquals("progress", e.type(), () -> what + ": one terminal status event, the last: " + events);
      }
      Integer progress = e.data().getInteger("progress");
      assertNotNull(progress, () -> what + ": every event has a progress: " + e);
      int from = previousProgress;
      assertTrue(progress >= from, () -> what + ": progress went back from " + from + " to " + progress + " in "
          + events);
      previousProgress = progress;
      if (e.id() == null) {
        assertTrue(ids == Ids.MAY_BE_MISSING, () -> what + ": every event is journaled and has an id: " + events);
      } else {
        String before = previousId;
        assertTrue(before == null || EventJournal.compare(before, e.id()) < 0,
            () -> what + ": ids increase, but " + e.id() + " follows " + before + " in " + events);
        previousId = e.id();
      }
    }
    return last;
  }
}

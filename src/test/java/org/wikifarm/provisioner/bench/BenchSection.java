package org.wikifarm.provisioner.bench;

import java.util.List;

/**
 * One part of the benchmark run (HTTP lists, POST, SSE, provisioning, memory, …). The harness runs every
 * section once per code version ({@link BenchContext#codeLabel()}: the baseline commit, then the current tree)
 * unless {@link #perCodeVersion()} is false (a micro-benchmark of libraries, say), and merges the rows by id.
 */
public interface BenchSection {
  /** Its short name in the progress lines, the notes and the scratch directories ("lists", "sse", …). */
  String name();

  /** Whether the section measures the service's code (run for both versions) or not (run once). */
  default boolean perCodeVersion() {
    return true;
  }

  List<BenchRow> run(BenchContext context) throws Exception;
}

package org.wikifarm.provisioner.worker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.WikiRequest;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.store.Wiki;

/**
 * What differs between task types ({@code task.TaskType}), and nothing else: the phases, how the stored
 * request becomes what the phases work on, and how the end is recorded. Claiming, the lease, the ledger,
 * resume, progress, checkpoints and events are {@link TaskRunner}'s and {@link ProvisionWorkerVerticle}'s, the
 * same for every kind.
 */
public interface TaskKind {

  /** The phase list, with its progress values and failure policy (rollback, or stop and report). */
  Orchestrator orchestrator();

  /**
   * The request the phases work on, from the task's wiki row (null when it is missing) and its stored spec.
   *
   * @throws CannotRun when the task cannot run at all (the runner then fails it without running a phase)
   */
  WikiRequest request(String taskId, Wiki wiki, JsonObject spec) throws CannotRun;

  /** Records success: the task's rows as they end (MariaDB is the record of truth). */
  Future<Void> succeed(TaskStore tasks, String taskId, long wikiId, String message);

  /** Records failure; {@code cleanedUp}: the orchestrator left nothing behind. */
  Future<Void> fail(TaskStore tasks, String taskId, Long wikiId, String message, boolean cleanedUp);

  /** The task cannot run; the message says why and what to do. */
  final class CannotRun extends Exception {
    public CannotRun(String message) {
      super(message, null, false, false);
    }
  }
}

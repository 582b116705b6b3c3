package org.wikifarm.provisioner.store;

import org.wikifarm.provisioner.task.WikiStatus;

/** A delete was not queued: the wiki does not exist, the caller does not own it, or it is busy. */
public final class DeleteRefusedException extends RuntimeException {

  /** Why; the HTTP layer maps each to its status. */
  public enum Reason { NOT_FOUND, NOT_OWNER, BUSY }

  private final Reason reason;
  private final String slug;
  private final WikiStatus status;

  /** @param status the wiki's status when {@code reason} is BUSY because of it; null otherwise */
  public DeleteRefusedException(Reason reason, String slug, WikiStatus status) {
    super(message(reason, slug, status), null, false, false);
    this.reason = reason;
    this.slug = slug;
    this.status = status;
  }

  public Reason reason() {
    return reason;
  }

  public String slug() {
    return slug;
  }

  public WikiStatus status() {
    return status;
  }

  private static String message(Reason reason, String slug, WikiStatus status) {
    return switch (reason) {
      case NOT_FOUND -> "no wiki with the slug '" + slug + "'";
      case NOT_OWNER -> "only the owner of '" + slug + "' can delete it";
      case BUSY -> status == WikiStatus.PENDING ? "the wiki '" + slug + "' is still being created; delete it once "
          + "its creation has ended"
          : status == WikiStatus.DELETING ? "the wiki '" + slug + "' is already being deleted"
          : "another task or change of the wiki '" + slug + "' is in progress; retry shortly";
    };
  }
}

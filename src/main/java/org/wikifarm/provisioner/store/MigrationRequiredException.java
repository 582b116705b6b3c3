package org.wikifarm.provisioner.store;

/**
 * A request needs the v2 schema migration ({@link SchemaVerifier#V2_MIGRATION}), which is not applied: it is
 * refused rather than served in a way that could lose what was asked for.
 */
public final class MigrationRequiredException extends RuntimeException {
  public MigrationRequiredException(String what) {
    super(what + " needs the database migration " + SchemaVerifier.V2_MIGRATION
        + "; ask the operator to apply it (it is idempotent)");
  }
}

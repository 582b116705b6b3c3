package org.wikifarm.provisioner.task;

import java.util.UUID;
import java.util.regex.Pattern;

/** What a task id is: a random UUID in its lowercase canonical form, the primary key of {@code wikifarm_tasks}. */
public final class TaskId {
  private static final Pattern SHAPE =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  private TaskId() {}

  /** A fresh task id. */
  public static String newId() {
    return UUID.randomUUID().toString();
  }

  /** Whether {@code s} has the shape of a task id (anything else never reaches the database). */
  public static boolean isValid(String s) {
    return s != null && SHAPE.matcher(s).matches();
  }
}

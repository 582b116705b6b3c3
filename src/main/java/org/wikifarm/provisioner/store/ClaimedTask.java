package org.wikifarm.provisioner.store;

import org.wikifarm.provisioner.task.TaskType;

/** A task a worker took (a fresh claim, or a recovery of one whose node died): its id and what kind it is. */
public record ClaimedTask(String id, TaskType type) {}

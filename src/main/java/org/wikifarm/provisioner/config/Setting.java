package org.wikifarm.provisioner.config;

/**
 * One row of {@code check-config}: a key, the environment variable that sets it (empty when none does), its
 * value as configured (secrets masked, empty when unset) and the layer it came from ({@code default},
 * {@code file}, {@code env}, {@code flag}, or {@code -} when no layer sets it).
 */
public record Setting(String key, String envName, String value, String origin) {}

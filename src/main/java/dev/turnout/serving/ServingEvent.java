package dev.turnout.serving;

/**
 * A change in what this replica serves of one model, fired synchronously as it happens (rollout records it).
 *
 * @param serving the version answering requests now, or null
 * @param target the version being moved to, or null when there is none
 */
public record ServingEvent(String model, Integer serving, Integer target, VersionState state, String error) {
}

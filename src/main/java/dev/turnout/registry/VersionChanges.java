package dev.turnout.registry;

import java.util.Map;

/**
 * What a PATCH merges into a version. A null map value removes that metric or tag; a null map or description leaves
 * it as it is.
 */
public record VersionChanges(Map<String, Double> metrics, Map<String, String> tags, String description) {
}

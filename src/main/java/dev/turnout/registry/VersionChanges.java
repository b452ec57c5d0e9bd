package dev.turnout.registry;

import java.util.Map;

/**
 * What a PATCH merges into a version. A null map value removes that metric or tag; a null map or description leaves
 * it as it is.
 */
public record VersionChanges(Map<String, Double> metrics, Map<String, String> tags, String description) {

    /** Which of metrics, tags and description the PATCH carried, for the event it writes. */
    public java.util.List<String> changed() {
        java.util.List<String> fields = new java.util.ArrayList<>();
        if (metrics != null) {
            fields.add("metrics");
        }
        if (tags != null) {
            fields.add("tags");
        }
        if (description != null) {
            fields.add("description");
        }
        return fields;
    }
}

package dev.turnout.registry.rest;

import dev.turnout.http.JsonBodyNeed;
import dev.turnout.registry.RegistryRules;
import jakarta.inject.Singleton;

/**
 * The longest PATCH of a version within {@link RegistryRules}: every metric and tag, with names and values of the
 * longest length, and the longest description, every character escaped (~8 MB). A version upload's fields are form
 * parts, bounded apart (quarkus.http.limits.max-form-attribute-size).
 */
@Singleton
public class VersionPatchBodyNeed implements JsonBodyNeed {

    /** A double as Java or Python print it is at most 24 characters. */
    private static final int NUMBER_LENGTH = 32;
    /** Quotes, colon, comma and a blank around one entry or field. */
    private static final int PUNCTUATION = 8;
    /** The braces and field names of {"metrics": {...}, "tags": {...}, "description": "..."}. */
    private static final int FRAME = 64;

    @Override
    public long maxBytes() {
        long name = (long) RegistryRules.MAX_KEY_LENGTH * BYTES_PER_ESCAPED_CHARACTER + PUNCTUATION;
        long metrics = RegistryRules.MAX_ENTRIES * (name + NUMBER_LENGTH);
        long tags = RegistryRules.MAX_ENTRIES
                * (name + (long) RegistryRules.MAX_TAG_VALUE_LENGTH * BYTES_PER_ESCAPED_CHARACTER + PUNCTUATION);
        long description = (long) RegistryRules.MAX_DESCRIPTION_LENGTH * BYTES_PER_ESCAPED_CHARACTER + PUNCTUATION;
        return FRAME + metrics + tags + description;
    }
}

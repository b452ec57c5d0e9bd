package dev.turnout.registry;

import java.time.Instant;

/** A model as the API shows it. */
public record ModelInfo(String name, String description, Instant createdAt, Integer activeVersion,
                        Integer latestVersion, long versionCount) {
}

package dev.turnout.dataset;

import java.time.Instant;

/** A dataset as the list shows it; {@code latestVersion} is null once every version was deleted. */
public record DatasetInfo(String name, Instant createdAt, Integer latestVersion, long versionCount) {
}

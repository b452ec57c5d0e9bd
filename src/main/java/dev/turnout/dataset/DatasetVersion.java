package dev.turnout.dataset;

import java.time.Instant;
import java.util.List;
import java.util.SortedMap;

/**
 * A dataset version as the API shows it. {@code rowCount} counts every data row, {@code malformedRows} those of them
 * that did not parse, {@code problems} the first few of those ({@link DatasetRules#MAX_PROBLEMS}).
 */
public record DatasetVersion(String name, int version, String format, String sha256, long sizeBytes, long rowCount,
                             List<String> columns, long malformedRows, List<DatasetProblem> problems,
                             String description, SortedMap<String, String> tags, String actor, Instant createdAt) {
}

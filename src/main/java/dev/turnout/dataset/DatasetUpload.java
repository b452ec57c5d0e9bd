package dev.turnout.dataset;

import java.nio.file.Path;
import java.util.Map;

/**
 * A dataset upload as the API received it.
 *
 * @param data   a spooled file the caller deletes afterwards
 * @param format null to recognise it from the file
 */
public record DatasetUpload(String name, Path data, DatasetFormat format, String description, Map<String, String> tags) {
}

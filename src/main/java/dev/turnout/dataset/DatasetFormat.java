package dev.turnout.dataset;

import java.util.Arrays;
import java.util.Optional;

/** The formats a dataset version may have. */
public enum DatasetFormat {
    /** RFC 4180 comma-separated values with a header row, UTF-8. */
    CSV("csv", "text/csv; charset=utf-8", ".csv"),
    /** JSON Lines: one flat JSON object per line, UTF-8. */
    JSONL("jsonl", "application/jsonl; charset=utf-8", ".jsonl");

    public static final String ACCEPTED = "csv, jsonl";

    private final String id;
    private final String mediaType;
    private final String extension;

    DatasetFormat(String id, String mediaType, String extension) {
        this.id = id;
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String id() {
        return id;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    public static Optional<DatasetFormat> parse(String id) {
        return Arrays.stream(values()).filter(format -> format.id.equals(id)).findFirst();
    }

    @Override
    public String toString() {
        return id;
    }
}

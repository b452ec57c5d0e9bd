package dev.turnout.dataset;

/** The limits a dataset upload can hit, stated once (names and versions follow the registry's rules). */
public final class DatasetRules {

    /** A row (a CSV record, a JSON line) longer than this is malformed, and reading resumes at the next line. */
    public static final int MAX_ROW_BYTES = 1 << 20;
    /** Columns a dataset may have. */
    public static final int MAX_COLUMNS = 4096;
    /** Malformed rows a version records the problem of; all of them are counted. */
    public static final int MAX_PROBLEMS = 10;

    private DatasetRules() {
    }
}

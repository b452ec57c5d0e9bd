package dev.turnout.dataset;

/**
 * The rows of a dataset version as the doubles of its parsed columns ({@link DatasetSource#parsedColumns()}), one row
 * at a time: what a pass reads instead of the text when every column it needs was parsed at upload. A version has
 * such rows only when none of its rows is malformed, so every row here is a data row, in order.
 */
public interface ParsedRows extends AutoCloseable {

    /** Moves to the next row; false at the end. */
    boolean advance();

    /** The current row's value of parsed column {@code column} (its index in the parsed columns). */
    double value(int column);

    @Override
    void close();
}

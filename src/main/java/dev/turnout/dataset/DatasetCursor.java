package dev.turnout.dataset;

import java.util.List;

/**
 * The rows of a dataset version read in place, one at a time, for a pass that reads every row (an evaluation): no
 * object per row, columns by index. After {@link #advance} a row is either malformed ({@link #problem} says why, as
 * {@link DatasetRow#problem()} would) or has a value per column. A column whose {@link #plain} is true has its text
 * as ASCII bytes {@code bytes()[start(c)..end(c))}, so numbers can be parsed without a String; otherwise (non-ASCII,
 * or a format that does not keep bytes) {@link #text} is the only view. Same streaming and failure rules as
 * {@link DatasetRows}.
 */
public interface DatasetCursor extends AutoCloseable {

    /** The columns in order; a column's index here is the index the other methods take. */
    List<String> columns();

    /** Moves to the next row; false at the end. */
    boolean advance();

    /** The current row's number (data rows from 1). */
    long number();

    /** Why the current row is malformed, or null when it parsed. */
    String problem();

    /** The current row's value of {@code column} (as {@link DatasetRow#values()} has it; null for JSON null). */
    String text(int column);

    /** Whether {@code column}'s value is ASCII bytes in {@link #bytes()} (then equal to {@link #text}). */
    boolean plain(int column);

    /** The current row's bytes; valid until the next {@link #advance}. */
    byte[] bytes();

    int start(int column);

    int end(int column);

    @Override
    void close();
}

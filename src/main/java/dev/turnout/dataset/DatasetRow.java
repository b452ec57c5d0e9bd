package dev.turnout.dataset;

import java.util.Map;

/**
 * One data row of a dataset version. {@code number} counts data rows from 1 (the CSV header and blank lines are not
 * rows). A row that parses has its {@code values} by column, in column order, and no {@code problem}; a malformed one
 * has {@code values} null and {@code problem} saying what was wrong (with its line in the file). CSV values are the
 * fields' text ("" for an empty field); JSON Lines scalars are their text, nested arrays and objects their JSON text,
 * and JSON null is null.
 */
public record DatasetRow(long number, Map<String, String> values, String problem) {

    public static DatasetRow parsed(long number, Map<String, String> values) {
        return new DatasetRow(number, values, null);
    }

    public static DatasetRow malformed(long number, String problem) {
        return new DatasetRow(number, null, problem);
    }

    public boolean isMalformed() {
        return problem != null;
    }
}

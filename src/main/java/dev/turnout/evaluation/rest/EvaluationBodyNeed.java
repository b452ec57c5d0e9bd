package dev.turnout.evaluation.rest;

import dev.turnout.dataset.DatasetRules;
import dev.turnout.http.JsonBodyNeed;
import jakarta.inject.Singleton;

/**
 * The longest evaluation request within the rules: a mapping of up to {@link EvaluationResource#MAX_COLUMNS} columns
 * of a dataset whose names, all of them in one header row, fill at most {@link DatasetRules#MAX_ROW_BYTES} bytes of
 * UTF-8; escaped, a byte is at most six (a control character as a backslash, 'u' and four hex digits). It assumes each
 * column is named once; one long name mapped to many inputs over and over is not a request anyone sends.
 */
@Singleton
public class EvaluationBodyNeed implements JsonBodyNeed {

    /** Quotes, comma and a blank around one column name. */
    private static final int PUNCTUATION = 4;
    /** The other fields (dataset, version, task, label, compare_with) and the model's input names. */
    private static final int OTHER_FIELDS = 64 * 1024;

    @Override
    public long maxBytes() {
        return (long) DatasetRules.MAX_ROW_BYTES * BYTES_PER_ESCAPED_CHARACTER
                + (long) EvaluationResource.MAX_COLUMNS * PUNCTUATION + OTHER_FIELDS;
    }
}

package dev.turnout.evaluation;

import dev.turnout.engine.Tensor;

import java.util.Map;

/**
 * Figures of one version over a stream of rows, in one pass. Labels are read (and refused) before a row is run, so a
 * row reaches {@link #add} only with a label {@link #label} accepted.
 */
interface Accumulator {

    /** The label as a number, or throws {@link IllegalArgumentException} saying why the row cannot be scored. */
    double label(String text);

    /**
     * The label from its value already parsed (as {@code Double.parseDouble} reads its text): the same answer as
     * {@link #label(String)}, or throws {@link IllegalArgumentException} where that refuses (with a plainer reason).
     */
    double label(double value);

    /** Scores row {@code row} of the model's output against its label; returns the prediction (class id or value). */
    double add(double label, Tensor output, int row);

    /** Whether two predictions of {@link #add} agree (same class; values within 1e-6, relative). */
    boolean agree(double a, double b);

    /** The headline figures, each exposed as {@code eval.<dataset>.<name>}. */
    Map<String, Double> metrics();

    /** Everything else worth showing (per class, confusion matrix), for the results JSON. */
    Map<String, Object> details();
}

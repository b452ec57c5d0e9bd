package dev.turnout.evaluation;

import java.util.List;
import java.util.Map;

/**
 * What an evaluation runs, as stored with it: the column mapping onto the model's inputs, the label column, and the
 * version compared with (resolved from "active" to a number when the evaluation was accepted), or null.
 */
public record EvaluationSettings(Map<String, List<String>> inputs, String label, Integer compareWith,
                                 int batchSize) {
}

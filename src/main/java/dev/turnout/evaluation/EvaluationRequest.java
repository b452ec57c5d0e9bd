package dev.turnout.evaluation;

import java.util.List;
import java.util.Map;

/**
 * A request to evaluate a version: dataset and its version, task, the columns feeding each model input (in order),
 * the label column, and optionally the version to compare with ("active" or a number; null for none).
 */
public record EvaluationRequest(String dataset, int datasetVersion, Task task, Map<String, List<String>> inputs,
                                String label, String compareWith) {

    public static final String ACTIVE = "active";
}

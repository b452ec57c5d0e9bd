package dev.turnout.evaluation;

import dev.turnout.engine.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RMSE, MAE, R² and the largest absolute error of one value per row against a numeric label, in constant memory
 * (the labels' spread for R² by Welford's running mean and sum of squares).
 */
final class RegressionAccumulator implements Accumulator {

    private long rows;
    private double squaredErrors;
    private double absoluteErrors;
    private double maxAbsoluteError;
    private double labelMean;
    private double labelSquares;

    @Override
    public double label(String text) {
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("the label '" + text + "' is not a number");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("the label '" + text + "' is not a finite number");
        }
        return value;
    }

    @Override
    public double label(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("the label " + value + " is not a finite number");
        }
        return value;
    }

    @Override
    public double add(double label, Tensor output, int row) {
        double predicted = OutputValues.at(output, row);
        double error = label - predicted;
        rows++;
        squaredErrors += error * error;
        absoluteErrors += Math.abs(error);
        maxAbsoluteError = Math.max(maxAbsoluteError, Math.abs(error));
        double delta = label - labelMean;
        labelMean += delta / rows;
        labelSquares += delta * (label - labelMean);
        return predicted;
    }

    @Override
    public boolean agree(double a, double b) {
        return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }

    @Override
    public Map<String, Double> metrics() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (rows == 0) {
            return metrics;
        }
        metrics.put("rmse", Math.sqrt(squaredErrors / rows));
        metrics.put("mae", absoluteErrors / rows);
        if (labelSquares > 0) { // R² is undefined when every label is the same
            metrics.put("r2", 1 - squaredErrors / labelSquares);
        }
        metrics.put("max_abs_error", maxAbsoluteError);
        return metrics;
    }

    @Override
    public Map<String, Object> details() {
        return Map.of();
    }
}

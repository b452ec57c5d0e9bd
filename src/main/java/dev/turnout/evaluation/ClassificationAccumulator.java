package dev.turnout.evaluation;

import dev.turnout.engine.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy, precision / recall / F1 per class and macro-averaged over classes 0..k-1, a confusion matrix, log loss
 * (when the model gives scores) and ROC AUC (binary scores). The model's output per row is read as:
 * <ul>
 *   <li>one integer: a class id;</li>
 *   <li>one floating-point value: the probability of class 1 (binary; predicted class 1 when it is at least 0.5);</li>
 *   <li>k floating-point values: a score per class, predicted class the largest; rows that are not probabilities
 *   (a negative value, or a sum off 1 by more than 1e-3) are softmaxed for the log loss.</li>
 * </ul>
 * Labels are class ids 0..k-1 (for class-id outputs, up to {@link #MAX_CLASSES}). Memory: k² counts, plus one double
 * per row for binary ROC AUC.
 */
final class ClassificationAccumulator implements Accumulator {

    static final int MAX_CLASSES = 1000;
    private static final double EPSILON = 1e-15;

    enum Output { CLASS_IDS, BINARY_SCORE, CLASS_SCORES }

    private final Output output;
    private int classes;
    private long[][] confusion;
    private long rows;
    private double logLossSum;
    private final DoubleList positives = new DoubleList();
    private final DoubleList negatives = new DoubleList();

    /** @param classes classes the output scores (k), or 0 when it gives class ids */
    ClassificationAccumulator(Output output, int classes) {
        this.output = output;
        this.classes = output == Output.BINARY_SCORE ? 2 : Math.max(classes, 1);
        this.confusion = new long[this.classes][this.classes];
    }

    @Override
    public double label(String text) {
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException | NullPointerException e) {
            value = Double.NaN;
        }
        if (!isClassId(value)) {
            throw new IllegalArgumentException("the label '" + text + "' is not a class id (a whole number from 0)");
        }
        return label(value);
    }

    @Override
    public double label(double value) {
        if (!isClassId(value)) {
            throw new IllegalArgumentException("the label " + value + " is not a class id (a whole number from 0)");
        }
        long id = (long) value;
        long limit = output == Output.CLASS_IDS ? MAX_CLASSES : classes;
        if (id >= limit) {
            throw new IllegalArgumentException("the label " + id + " is not one of the model's classes 0.."
                    + (limit - 1));
        }
        return id;
    }

    private static boolean isClassId(double value) {
        return value == Math.rint(value) && value >= 0; // NaN is neither
    }

    @Override
    public double add(double label, Tensor tensor, int row) {
        int actual = (int) label;
        int predicted;
        switch (output) {
            case CLASS_IDS -> {
                double id = OutputValues.at(tensor, row);
                if (id < 0 || id >= MAX_CLASSES || id != Math.rint(id)) {
                    throw new IllegalArgumentException("the model answered " + id + ", not a class id 0.."
                            + (MAX_CLASSES - 1));
                }
                predicted = (int) id;
            }
            case BINARY_SCORE -> {
                double p = OutputValues.at(tensor, row);
                predicted = p >= 0.5 ? 1 : 0;
                logLossSum -= Math.log(clip(actual == 1 ? p : 1 - p));
                (actual == 1 ? positives : negatives).add(p);
            }
            default -> predicted = scores(tensor, row, actual);
        }
        grow(Math.max(actual, predicted) + 1);
        confusion[actual][predicted]++;
        rows++;
        return predicted;
    }

    /** The arg-max of the row's k scores; adds the row's log loss. */
    private int scores(Tensor tensor, int row, int actual) {
        int k = classes;
        int base = row * k;
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        boolean probabilities = true;
        for (int c = 0; c < k; c++) {
            double v = OutputValues.at(tensor, base + c);
            if (v > max) {
                max = v;
                best = c;
            }
            probabilities &= v >= 0;
            sum += v;
        }
        double p;
        if (probabilities && Math.abs(sum - 1) <= 1e-3) {
            p = OutputValues.at(tensor, base + actual);
        } else {
            double exps = 0;
            for (int c = 0; c < k; c++) {
                exps += Math.exp(OutputValues.at(tensor, base + c) - max);
            }
            p = Math.exp(OutputValues.at(tensor, base + actual) - max) / exps;
        }
        logLossSum -= Math.log(clip(p));
        return best;
    }

    private static double clip(double p) {
        return Math.min(Math.max(p, EPSILON), 1 - EPSILON);
    }

    private void grow(int needed) {
        if (needed > classes) {
            long[][] bigger = new long[needed][needed];
            for (int i = 0; i < classes; i++) {
                System.arraycopy(confusion[i], 0, bigger[i], 0, classes);
            }
            confusion = bigger;
            classes = needed;
        }
    }

    @Override
    public boolean agree(double a, double b) {
        return a == b;
    }

    @Override
    public Map<String, Double> metrics() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (rows == 0) {
            return metrics;
        }
        long correct = 0;
        double precision = 0;
        double recall = 0;
        double f1 = 0;
        for (int c = 0; c < classes; c++) {
            correct += confusion[c][c];
            PerClass figures = perClass(c);
            precision += figures.precision;
            recall += figures.recall;
            f1 += figures.f1;
        }
        metrics.put("accuracy", (double) correct / rows);
        metrics.put("precision", precision / classes);
        metrics.put("recall", recall / classes);
        metrics.put("f1", f1 / classes);
        if (output != Output.CLASS_IDS) {
            metrics.put("log_loss", logLossSum / rows);
        }
        if (output == Output.BINARY_SCORE && positives.size() > 0 && negatives.size() > 0) {
            metrics.put("roc_auc", rocAuc(positives.sorted(), positives.size(), negatives.sorted(), negatives.size()));
        }
        return metrics;
    }

    /** Mann-Whitney: the chance a positive scores above a negative, ties counting half. Both arrays sorted. */
    static double rocAuc(double[] pos, int npos, double[] neg, int nneg) {
        double wins = 0;
        int below = 0;
        int upTo = 0;
        for (int i = 0; i < npos; i++) {
            double s = pos[i];
            while (below < nneg && neg[below] < s) {
                below++;
            }
            upTo = Math.max(upTo, below);
            while (upTo < nneg && neg[upTo] == s) {
                upTo++;
            }
            wins += below + 0.5 * (upTo - below);
        }
        return wins / ((double) npos * nneg);
    }

    private record PerClass(double precision, double recall, double f1, long support) {
    }

    private PerClass perClass(int c) {
        long tp = confusion[c][c];
        long predicted = 0;
        long actual = 0;
        for (int i = 0; i < classes; i++) {
            predicted += confusion[i][c];
            actual += confusion[c][i];
        }
        double precision = predicted == 0 ? 0 : (double) tp / predicted;
        double recall = actual == 0 ? 0 : (double) tp / actual;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new PerClass(precision, recall, f1, actual);
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> perClass = new LinkedHashMap<>();
        List<List<Long>> matrix = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            PerClass figures = perClass(c);
            perClass.put(Integer.toString(c), Map.of("precision", figures.precision, "recall", figures.recall,
                    "f1", figures.f1, "support", figures.support));
            List<Long> line = new ArrayList<>();
            for (long count : confusion[c]) {
                line.add(count);
            }
            matrix.add(line);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("per_class", perClass);
        details.put("confusion_matrix", matrix); // rows: actual class, columns: predicted class
        return details;
    }
}

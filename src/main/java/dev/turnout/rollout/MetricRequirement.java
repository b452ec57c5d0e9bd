package dev.turnout.rollout;

import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A metric guard such as {@code accuracy >= 0.9}, or relative to the version serving now, such as
 * {@code eval.golden.accuracy >= active - 0.005}: a version without the metric, or outside the bound, is refused.
 *
 * @param bound the number, or for a relative guard the offset added to the active version's value
 * @param relative whether the bound is relative to the active version
 */
public record MetricRequirement(String metric, String operator, double bound, boolean relative) {

    public static final String FORM = "'<metric> <op> <number>' or '<metric> <op> active [+|- <number>]' with op one "
            + "of >=, >, <=, <, == (e.g. 'accuracy >= 0.9', 'eval.golden.accuracy >= active - 0.005')";
    private static final String NUMBER = "[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?";
    /** Any metric name the registry stores (RegistryRules.KEY_PATTERN, spaces inside included), an operator, a bound. */
    private static final Pattern SYNTAX = Pattern.compile("\\s*(" + RegistryRules.KEY_PATTERN + "?)\\s*(>=|<=|==|>|<)"
            + "\\s*(?:(-?" + NUMBER + ")|active(?:\\s*([-+])\\s*(" + NUMBER + "))?)\\s*");
    private static final String DATASET_VERSION = "dataset_version";

    public MetricRequirement(String metric, String operator, double bound) {
        this(metric, operator, bound, false);
    }

    public static MetricRequirement parse(String text) {
        Matcher matcher = SYNTAX.matcher(text == null ? "" : text);
        if (!matcher.matches()) {
            throw TurnoutException.invalid("invalid metric requirement '" + RegistryRules.printable(text)
                    + "'; expected " + FORM);
        }
        boolean relative = matcher.group(3) == null;
        double bound = relative ? (matcher.group(5) == null ? 0 : Double.parseDouble(matcher.group(5))
                * ("-".equals(matcher.group(4)) ? -1 : 1)) : Double.parseDouble(matcher.group(3));
        if (!Double.isFinite(bound)) {
            throw TurnoutException.invalid("the bound of '" + RegistryRules.printable(text) + "' is not a finite "
                    + "number; expected " + FORM);
        }
        return new MetricRequirement(matcher.group(1).strip(), matcher.group(2), bound, relative);
    }

    /** Why {@code metrics} fail this (absolute) requirement, or empty when they meet it. */
    public Optional<String> violation(int version, Map<String, Double> metrics) {
        return violation(version, metrics, null, Map.of());
    }

    /**
     * Why {@code metrics} fail this requirement, or empty when they meet it. A relative requirement compares with the
     * active version's value of the metric: met when no version is active (nothing serves to be worse than), refused
     * when the active version lacks the metric, or when both were evaluated on different dataset versions.
     */
    public Optional<String> violation(int version, Map<String, Double> metrics, Integer activeVersion,
                                      Map<String, Double> activeMetrics) {
        Double value = metrics.get(metric);
        if (value == null) {
            return Optional.of("version " + version + " has no metric '" + metric + "', which the guard '" + this
                    + "' requires" + evaluationHint(version, metrics, activeMetrics));
        }
        double threshold = bound;
        String against = "";
        if (relative) {
            if (activeVersion == null) {
                return Optional.empty();
            }
            Double active = activeMetrics.get(metric);
            if (active == null) {
                return Optional.of("active version " + activeVersion + " has no metric '" + metric + "', which the "
                        + "guard '" + this + "' compares with" + evaluationHint(activeVersion, activeMetrics, metrics));
            }
            Optional<String> mismatch = datasetMismatch(version, metrics, activeVersion, activeMetrics);
            if (mismatch.isPresent()) {
                return mismatch;
            }
            threshold = active + bound;
            against = " (active version " + activeVersion + " has " + active + ")";
        }
        boolean met = switch (operator) {
            case ">=" -> value >= threshold;
            case ">" -> value > threshold;
            case "<=" -> value <= threshold;
            case "<" -> value < threshold;
            default -> value == threshold;
        };
        return met ? Optional.empty() : Optional.of("version " + version + " has " + metric + " = " + value
                + ", which fails the guard '" + this + "'" + against);
    }

    /** {@code eval.<dataset>.<figure>} names the dataset; empty for any other metric. */
    private Optional<String> dataset() {
        if (!metric.startsWith(RegistryRules.EVALUATION_PREFIX)) {
            return Optional.empty();
        }
        String rest = metric.substring(RegistryRules.EVALUATION_PREFIX.length());
        int dot = rest.lastIndexOf('.');
        return dot <= 0 ? Optional.empty() : Optional.of(rest.substring(0, dot));
    }

    /** For a missing eval.* metric: which evaluation to run (on the dataset version the other side used). */
    private String evaluationHint(int version, Map<String, Double> metrics, Map<String, Double> other) {
        return dataset().map(dataset -> {
            Double datasetVersion = other.get(RegistryRules.EVALUATION_PREFIX + dataset + "." + DATASET_VERSION);
            return "; evaluate version " + version + " on dataset '" + dataset + "'"
                    + (datasetVersion == null ? "" : " version " + datasetVersion.intValue())
                    + " first (POST /api/models/{name}/versions/" + version + "/evaluations)";
        }).orElse("");
    }

    private Optional<String> datasetMismatch(int version, Map<String, Double> metrics, int activeVersion,
                                             Map<String, Double> activeMetrics) {
        return dataset().flatMap(dataset -> {
            String key = RegistryRules.EVALUATION_PREFIX + dataset + "." + DATASET_VERSION;
            Double mine = metrics.get(key);
            Double theirs = activeMetrics.get(key);
            if (mine == null || mine.equals(theirs)) {
                return Optional.empty();
            }
            return Optional.of("the guard '" + this + "' compares evaluations on the same dataset version, but version "
                    + version + " was evaluated on '" + dataset + "' version " + mine.intValue() + " and active version "
                    + activeVersion + (theirs == null ? " was not" : " on version " + theirs.intValue())
                    + "; evaluate active version " + activeVersion + " on '" + dataset + "' version " + mine.intValue()
                    + " first (POST /api/models/{name}/versions/" + activeVersion + "/evaluations)");
        });
    }

    @Override
    public String toString() {
        if (relative) {
            String offset = bound == 0 ? "" : (bound < 0 ? " - " + (-bound) : " + " + bound);
            return metric + " " + operator + " active" + offset;
        }
        return metric + " " + operator + " " + bound;
    }
}

package dev.turnout.rollout;

import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A metric guard such as {@code accuracy >= 0.9}: a version without the metric, or outside the bound, is refused. */
public record MetricRequirement(String metric, String operator, double bound) {

    public static final String FORM = "'<metric> <op> <number>' with op one of >=, >, <=, <, == (e.g. 'accuracy >= 0.9')";
    /** Any metric name the registry stores (RegistryRules.KEY_PATTERN, spaces inside included), an operator, a number. */
    private static final Pattern SYNTAX = Pattern.compile("\\s*(" + RegistryRules.KEY_PATTERN + "?)\\s*(>=|<=|==|>|<)"
            + "\\s*(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\\s*");

    public static MetricRequirement parse(String text) {
        Matcher matcher = SYNTAX.matcher(text == null ? "" : text);
        if (!matcher.matches()) {
            throw TurnoutException.invalid("invalid metric requirement '" + RegistryRules.printable(text)
                    + "'; expected " + FORM);
        }
        double bound = Double.parseDouble(matcher.group(3));
        if (!Double.isFinite(bound)) {
            throw TurnoutException.invalid("the bound of '" + RegistryRules.printable(text) + "' is not a finite "
                    + "number; expected " + FORM);
        }
        return new MetricRequirement(matcher.group(1).strip(), matcher.group(2), bound);
    }

    /** Why {@code metrics} fail this requirement, or empty when they meet it. */
    public Optional<String> violation(int version, Map<String, Double> metrics) {
        Double value = metrics.get(metric);
        if (value == null) {
            return Optional.of("version " + version + " has no metric '" + metric + "', which the guard '" + this
                    + "' requires");
        }
        boolean met = switch (operator) {
            case ">=" -> value >= bound;
            case ">" -> value > bound;
            case "<=" -> value <= bound;
            case "<" -> value < bound;
            default -> value == bound;
        };
        return met ? Optional.empty() : Optional.of("version " + version + " has " + metric + " = " + value
                + ", which fails the guard '" + this + "'");
    }

    @Override
    public String toString() {
        return metric + " " + operator + " " + bound;
    }
}

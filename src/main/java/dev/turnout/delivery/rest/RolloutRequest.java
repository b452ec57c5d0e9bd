package dev.turnout.delivery.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.delivery.AnalysisThresholds;
import dev.turnout.delivery.DeliveryConfig;
import dev.turnout.delivery.RolloutPlan;
import dev.turnout.delivery.Strategy;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.JsonIntegers;
import dev.turnout.registry.RegistryRules;
import dev.turnout.rollout.FlipRequest;
import dev.turnout.rollout.MetricRequirement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and checks the body of {@code POST /api/models/{name}/rollouts}; every problem is a 400 saying what is accepted. */
final class RolloutRequest {

    static final String FORM = "{\"version\": 3, \"strategy\": \"canary\", \"steps\": [5, 25, 50], "
            + "\"step_duration\": \"2m\", \"analysis\": {\"max_error_rate\": 0.01, \"max_p99_ratio\": 1.5, "
            + "\"min_requests\": 200}} or {\"version\": 3, \"strategy\": \"shadow\", \"sample\": 0.2, "
            + "\"duration\": \"10m\", \"analysis\": {\"max_disagreement\": 0.02}}";
    static final Set<String> FIELDS = Set.of("version", "strategy", "steps", "step_duration", "sample", "duration",
            "analysis", "reason", "require", "force");
    private static final Set<String> CANARY_ANALYSIS = Set.of("max_error_rate", "max_p99_ratio", "min_requests");
    private static final Set<String> SHADOW_ANALYSIS = Set.of("max_disagreement", "max_error_rate", "min_requests");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    /** The minimum requests per step when the request names none. */
    static final long DEFAULT_MIN_REQUESTS = 100;

    private RolloutRequest() {
    }

    static RolloutPlan parse(JsonNode request, DeliveryConfig config, String actor) {
        int version = JsonIntegers.positiveInt(request, "version", ": the candidate to roll out");
        JsonNode strategyNode = request.get("strategy");
        Strategy strategy = strategyNode == null || strategyNode.isNull() ? Strategy.CANARY
                : Strategy.parse(strategyNode.isTextual() ? strategyNode.textValue() : "").orElseThrow(() ->
                        TurnoutException.invalid("'strategy' must be \"canary\" or \"shadow\""));
        JsonNode force = request.get("force");
        if (force != null && !force.isBoolean()) {
            throw TurnoutException.invalid("'force' must be true or false");
        }
        List<Integer> steps = List.of();
        Duration stepDuration = null;
        Double sample = null;
        Duration duration = null;
        if (strategy == Strategy.CANARY) {
            refuse(request, "sample", "duration");
            steps = steps(request.get("steps"), config.maxSteps());
            stepDuration = duration(request.get("step_duration"), "step_duration", config.maxDuration());
        } else {
            refuse(request, "steps", "step_duration");
            sample = sample(request.get("sample"));
            duration = duration(request.get("duration"), "duration", config.maxDuration());
        }
        AnalysisThresholds analysis = analysis(request.get("analysis"), strategy);
        return new RolloutPlan(version, strategy, steps, stepDuration, sample, duration, analysis,
                reason(request.get("reason")), requirements(request.get("require")),
                force != null && force.booleanValue(), actor);
    }

    private static void refuse(JsonNode request, String... fields) {
        for (String field : fields) {
            if (request.has(field)) {
                throw TurnoutException.invalid("'" + field + "' does not apply to this strategy; expected " + FORM);
            }
        }
    }

    static List<Integer> steps(JsonNode steps, int maxSteps) {
        String accepted = "'steps' must be a non-empty array of at most " + maxSteps + " whole percentages from 1 to "
                + "99, each larger than the one before (e.g. [5, 25, 50]); after the last, the candidate is promoted "
                + "(turnout.delivery.max-steps)";
        if (steps == null || !steps.isArray() || steps.isEmpty() || steps.size() > maxSteps) {
            throw TurnoutException.invalid(accepted);
        }
        List<Integer> weights = new ArrayList<>();
        for (JsonNode step : steps) {
            if (!JsonIntegers.isPositiveInt(step) || step.intValue() > 99
                    || !weights.isEmpty() && step.intValue() <= weights.get(weights.size() - 1)) {
                throw TurnoutException.invalid(accepted);
            }
            weights.add(step.intValue());
        }
        return List.copyOf(weights);
    }

    static Duration duration(JsonNode value, String field, Duration max) {
        String accepted = "'" + field + "' must be a duration such as \"500ms\", \"30s\", \"2m\" or \"1h\", above 0 "
                + "and at most " + max.toMinutes() + "m (turnout.delivery.max-duration)";
        if (value == null || !value.isTextual()) {
            throw TurnoutException.invalid(accepted);
        }
        Matcher matcher = DURATION.matcher(value.textValue());
        if (!matcher.matches()) {
            throw TurnoutException.invalid(accepted);
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration duration = switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (duration.isZero() || duration.compareTo(max) > 0) {
            throw TurnoutException.invalid(accepted);
        }
        return duration;
    }

    private static Double sample(JsonNode sample) {
        if (sample == null || !sample.isNumber() || !(sample.doubleValue() > 0) || sample.doubleValue() > 1) {
            throw TurnoutException.invalid("'sample' must be a number in (0, 1]: the share of requests mirrored to "
                    + "the candidate");
        }
        return sample.doubleValue();
    }

    static AnalysisThresholds analysis(JsonNode analysis, Strategy strategy) {
        Set<String> accepted = strategy == Strategy.CANARY ? CANARY_ANALYSIS : SHADOW_ANALYSIS;
        if (analysis == null || analysis.isNull()) {
            return new AnalysisThresholds(null, null, DEFAULT_MIN_REQUESTS, null);
        }
        if (!analysis.isObject()) {
            throw TurnoutException.invalid("'analysis' must be an object with any of " + accepted);
        }
        analysis.fieldNames().forEachRemaining(field -> {
            if (!accepted.contains(field)) {
                throw TurnoutException.invalid("unknown field 'analysis." + RegistryRules.printable(field) + "' for a "
                        + strategy.wireName() + "; accepted: " + accepted);
            }
        });
        Double maxErrorRate = fraction(analysis.get("max_error_rate"), "max_error_rate");
        Double maxDisagreement = fraction(analysis.get("max_disagreement"), "max_disagreement");
        Double maxP99Ratio = null;
        JsonNode ratio = analysis.get("max_p99_ratio");
        if (ratio != null && !ratio.isNull()) {
            if (!ratio.isNumber() || !(ratio.doubleValue() >= 1) || ratio.doubleValue() > 1000) {
                throw TurnoutException.invalid("'analysis.max_p99_ratio' must be a number from 1 to 1000: the "
                        + "candidate's p99 latency over the active version's");
            }
            maxP99Ratio = ratio.doubleValue();
        }
        long minRequests = DEFAULT_MIN_REQUESTS;
        JsonNode min = analysis.get("min_requests");
        if (min != null && !min.isNull()) {
            if (!JsonIntegers.isLong(min) || min.longValue() < 1
                    || min.longValue() > 1_000_000_000L) {
                throw TurnoutException.invalid("'analysis.min_requests' must be a whole number from 1 to 1000000000: "
                        + "the requests the candidate must answer in a step before it is judged");
            }
            minRequests = min.longValue();
        }
        return new AnalysisThresholds(maxErrorRate, maxP99Ratio, minRequests, maxDisagreement);
    }

    private static Double fraction(JsonNode value, String field) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || !(value.doubleValue() >= 0) || value.doubleValue() > 1) {
            throw TurnoutException.invalid("'analysis." + field + "' must be a number from 0 to 1");
        }
        return value.doubleValue();
    }

    static String reason(JsonNode reason) {
        if (reason == null || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual() || reason.textValue().length() > FlipRequest.MAX_REASON_LENGTH) {
            throw TurnoutException.invalid("'reason' must be a string of at most " + FlipRequest.MAX_REASON_LENGTH
                    + " characters");
        }
        RegistryRules.checkStorable("'reason'", reason.textValue());
        return reason.textValue();
    }

    private static List<MetricRequirement> requirements(JsonNode require) {
        if (require == null || require.isNull()) {
            return List.of();
        }
        if (!require.isArray() || require.size() > 32) {
            throw TurnoutException.invalid("'require' must be an array of at most 32 guards, each "
                    + MetricRequirement.FORM);
        }
        List<MetricRequirement> requirements = new ArrayList<>();
        for (JsonNode guard : require) {
            if (!guard.isTextual()) {
                throw TurnoutException.invalid("each 'require' entry must be a string " + MetricRequirement.FORM);
            }
            requirements.add(MetricRequirement.parse(guard.textValue()));
        }
        return requirements;
    }
}

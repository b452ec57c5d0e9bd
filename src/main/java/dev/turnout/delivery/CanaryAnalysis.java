package dev.turnout.delivery;

import java.time.Duration;
import java.util.Locale;

/**
 * The judgement of one canary analysis, from the step's figures of both versions (summed across replicas). A pure
 * function: the caller applies the verdict.
 * <ul>
 *   <li>ABORT when the candidate's errors exceed {@code max_error_rate} of its requests, counted as at least
 *       {@code min_requests} (so a burst of failures aborts before the step has its minimum: with 200 and 0.01, the
 *       third error does), or when both versions have {@code min_requests} and the candidate's p99 is over
 *       {@code max_p99_ratio} times the active version's;</li>
 *   <li>otherwise HOLD while paused; STEP (PROMOTE after the last step) once the step lasted {@code step_duration}
 *       and the candidate answered {@code min_requests}; WAIT before.</li>
 * </ul>
 */
public final class CanaryAnalysis {

    private CanaryAnalysis() {
    }

    public record Decision(Verdict verdict, String detail) {
    }

    public static Decision judge(AnalysisThresholds thresholds, VersionFigures candidate, VersionFigures active,
                                 boolean paused, boolean lastStep, Duration inStep, Duration stepDuration) {
        long min = thresholds.minRequests();
        if (thresholds.maxErrorRate() != null && candidate.errors() > 0) {
            double rate = (double) candidate.errors() / Math.max(candidate.requests(), min);
            if (rate > thresholds.maxErrorRate()) {
                return new Decision(Verdict.ABORT, String.format(Locale.ROOT, "error rate of version %d is %.4f "
                                + "(%d errors in %d requests%s), over max_error_rate %s", candidate.version(), rate,
                        candidate.errors(), candidate.requests(), candidate.requests() < min
                                ? ", counted as min_requests " + min : "", thresholds.maxErrorRate()));
            }
        }
        boolean enough = candidate.requests() >= min;
        if (thresholds.maxP99Ratio() != null && enough && active.requests() >= min && candidate.p99Ms() != null
                && active.p99Ms() != null && active.p99Ms() > 0) {
            double ratio = candidate.p99Ms() / active.p99Ms();
            if (ratio > thresholds.maxP99Ratio()) {
                return new Decision(Verdict.ABORT, String.format(Locale.ROOT, "p99 of version %d is %.3f ms, %.2f "
                                + "times the %.3f ms of version %d, over max_p99_ratio %s", candidate.version(),
                        candidate.p99Ms(), ratio, active.p99Ms(), active.version(), thresholds.maxP99Ratio()));
            }
        }
        if (paused) {
            return new Decision(Verdict.HOLD, "paused; the figures pass");
        }
        if (!enough) {
            return new Decision(Verdict.WAIT, "version " + candidate.version() + " answered " + candidate.requests()
                    + " of the " + min + " requests (min_requests) this step needs");
        }
        if (inStep.compareTo(stepDuration) < 0) {
            return new Decision(Verdict.WAIT, "the step has run " + inStep.toMillis() + " ms of its "
                    + stepDuration.toMillis() + " ms (step_duration)");
        }
        return lastStep ? new Decision(Verdict.PROMOTE, "the last step passed")
                : new Decision(Verdict.STEP, "the step passed");
    }
}

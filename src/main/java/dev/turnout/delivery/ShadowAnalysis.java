package dev.turnout.delivery;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The judgement of one shadow analysis, from the shadow runs of every replica (a pure function; the caller applies
 * it). A shadow run is one sampled request run again on the candidate; it disagrees when its outputs differ from the
 * active version's (serving/ShadowComparison) or when the candidate failed.
 * <ul>
 *   <li>ABORT when the disagreements exceed {@code max_disagreement} of the runs, counted as at least
 *       {@code min_requests} (so a clearly different candidate is stopped before the minimum: with 100 and 0.02, the
 *       third disagreement does), or when the failures alone exceed {@code max_error_rate} in the same way;</li>
 *   <li>otherwise HOLD while paused; WAIT until the runs reach {@code min_requests} and the shadow has run for
 *       {@code duration}; then PASS: the shadow has done its job. A shadow never promotes itself (Seldon's and
 *       KServe's shadows do not either): it is paused, still mirrored and watched, until an operator promotes or
 *       aborts it.</li>
 * </ul>
 */
public final class ShadowAnalysis {

    private ShadowAnalysis() {
    }

    /** What the candidate did in the shadow, over every replica. */
    public record Figures(int version, long runs, long failures, long disagreements,
                          @JsonProperty("disagreement") double disagreementRate) {

        public static Figures of(int version, long runs, long failures, long disagreements) {
            return new Figures(version, runs, failures, disagreements,
                    runs == 0 ? 0 : (double) disagreements / runs);
        }

        /**
         * From the rollout_traffic rows of a shadow (see {@link ShadowRollouts}): the candidate's row counts its runs
         * and failures, the row of {@code -candidate} its runs and disagreements (failures included).
         */
        static Figures of(int candidate, Map<Integer, VersionFigures> rows) {
            VersionFigures runs = rows.get(candidate);
            VersionFigures compared = rows.get(-candidate);
            return of(candidate, runs == null ? 0 : runs.requests(), runs == null ? 0 : runs.errors(),
                    compared == null ? 0 : compared.errors());
        }
    }

    /** PASS is the shadow's own verdict: recorded as HOLD, and the rollout is paused for the operator. */
    public enum Outcome { WAIT, HOLD, PASS, ABORT }

    public record Decision(Outcome outcome, String detail) {
        public Verdict verdict() {
            return switch (outcome) {
                case WAIT -> Verdict.WAIT;
                case HOLD, PASS -> Verdict.HOLD;
                case ABORT -> Verdict.ABORT;
            };
        }
    }

    public static Decision judge(AnalysisThresholds thresholds, Figures shadow, boolean paused, Duration running,
                                 Duration duration) {
        long min = thresholds.minRequests();
        long counted = Math.max(shadow.runs(), min);
        if (thresholds.maxErrorRate() != null && shadow.failures() > 0
                && (double) shadow.failures() / counted > thresholds.maxErrorRate()) {
            return new Decision(Outcome.ABORT, String.format(Locale.ROOT, "version %d failed in %d of %d shadow runs%s "
                            + "(%.4f), over max_error_rate %s", shadow.version(), shadow.failures(), shadow.runs(),
                    counted > shadow.runs() ? ", counted as min_requests " + min : "",
                    (double) shadow.failures() / counted, thresholds.maxErrorRate()));
        }
        if (thresholds.maxDisagreement() != null && shadow.disagreements() > 0
                && (double) shadow.disagreements() / counted > thresholds.maxDisagreement()) {
            return new Decision(Outcome.ABORT, String.format(Locale.ROOT, "version %d disagreed with the active "
                            + "version in %d of %d shadow runs%s (%.4f), over max_disagreement %s", shadow.version(),
                    shadow.disagreements(), shadow.runs(), counted > shadow.runs()
                            ? ", counted as min_requests " + min : "",
                    (double) shadow.disagreements() / counted, thresholds.maxDisagreement()));
        }
        if (paused) {
            return new Decision(Outcome.HOLD, "paused; the shadow runs pass (" + line(shadow) + "): promote or abort");
        }
        if (shadow.runs() < min) {
            return new Decision(Outcome.WAIT, "version " + shadow.version() + " has " + shadow.runs() + " of the "
                    + min + " shadow runs (min_requests) the analysis needs");
        }
        if (running.compareTo(duration) < 0) {
            return new Decision(Outcome.WAIT, "the shadow has run " + running.toMillis() + " ms of its "
                    + duration.toMillis() + " ms (duration); " + line(shadow));
        }
        return new Decision(Outcome.PASS, "the shadow passed after " + duration.toMillis() + " ms (" + line(shadow)
                + "); paused for an operator to promote or abort");
    }

    private static String line(Figures f) {
        return String.format(Locale.ROOT, "%d runs, %d disagreements, %d failures, disagreement %.4f", f.runs(),
                f.disagreements(), f.failures(), f.disagreementRate());
    }
}

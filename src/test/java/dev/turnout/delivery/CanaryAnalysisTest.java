package dev.turnout.delivery;

import dev.turnout.serving.VersionTraffic;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verdicts of one analysis, from figures alone. */
class CanaryAnalysisTest {

    static final AnalysisThresholds THRESHOLDS = new AnalysisThresholds(0.01, 1.5, 200, null);
    static final Duration STEP = Duration.ofMinutes(2);

    static VersionFigures figures(int version, long requests, long errors, int latencyBucket) {
        long[] latency = new long[VersionTraffic.BUCKETS];
        latency[latencyBucket] = requests;
        return VersionFigures.of(version, requests, errors, latency);
    }

    static Verdict judge(VersionFigures candidate, VersionFigures active, boolean paused, boolean last, Duration in) {
        return CanaryAnalysis.judge(THRESHOLDS, candidate, active, paused, last, in, STEP).verdict();
    }

    @Test
    void waitsForRequestsAndTimeThenStepsOrPromotes() {
        VersionFigures active = figures(1, 5000, 0, 20);
        assertEquals(Verdict.WAIT, judge(figures(2, 199, 0, 20), active, false, false, Duration.ofHours(1)));
        assertEquals(Verdict.WAIT, judge(figures(2, 500, 0, 20), active, false, false, Duration.ofMinutes(1)));
        assertEquals(Verdict.STEP, judge(figures(2, 500, 0, 20), active, false, false, STEP));
        assertEquals(Verdict.PROMOTE, judge(figures(2, 500, 0, 20), active, false, true, STEP));
        assertEquals(Verdict.HOLD, judge(figures(2, 500, 0, 20), active, true, true, STEP));
    }

    @Test
    void errorsAbortEvenBeforeMinRequestsWhenTheyAlreadyExceedTheRate() {
        VersionFigures active = figures(1, 5000, 0, 20);
        assertEquals(Verdict.WAIT, judge(figures(2, 10, 2, 20), active, false, false, STEP), "2 of at least 200");
        assertEquals(Verdict.ABORT, judge(figures(2, 10, 3, 20), active, false, false, STEP), "3 of at least 200");
        assertEquals(Verdict.ABORT, judge(figures(2, 1000, 11, 20), active, true, false, STEP), "paused still aborts");
        assertEquals(Verdict.STEP, judge(figures(2, 1000, 10, 20), active, false, false, STEP), "exactly at the rate");
    }

    @Test
    void aSlowerCandidateAbortsOnceBothHaveMinRequests() {
        VersionFigures active = figures(1, 5000, 0, 20);
        assertEquals(Verdict.ABORT, judge(figures(2, 500, 0, 22), active, false, false, Duration.ZERO),
                "two buckets up is 1.5625 times");
        assertEquals(Verdict.WAIT, judge(figures(2, 500, 0, 21), active, false, false, Duration.ZERO),
                "one bucket up is 1.25 times");
        assertEquals(Verdict.WAIT, judge(figures(2, 500, 0, 30), figures(1, 100, 0, 20), false, false, Duration.ZERO),
                "the active version has too few requests to compare");
    }

    @Test
    void quantilesComeFromSummedBuckets() {
        long[] latency = new long[VersionTraffic.BUCKETS];
        latency[0] = 98;
        latency[10] = 2;
        VersionFigures f = VersionFigures.of(1, 100, 0, latency);
        assertEquals(VersionTraffic.BUCKET_MICROS[0] / 1000.0, f.p50Ms());
        assertEquals(VersionTraffic.BUCKET_MICROS[10] / 1000.0, f.p99Ms());
        assertTrue(VersionFigures.of(1, 0, 0, new long[VersionTraffic.BUCKETS]).p99Ms() == null);
    }
}

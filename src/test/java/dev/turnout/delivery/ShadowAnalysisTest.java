package dev.turnout.delivery;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shadow verdicts: abort on disagreement or failures (counted as at least min_requests), wait, hold, pass. */
class ShadowAnalysisTest {

    private static final AnalysisThresholds MAX_2_PERCENT = new AnalysisThresholds(null, null, 100, 0.02);
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    private static ShadowAnalysis.Decision judge(AnalysisThresholds thresholds, long runs, long failures,
                                                 long disagreements, boolean paused, Duration running) {
        return ShadowAnalysis.judge(thresholds, ShadowAnalysis.Figures.of(3, runs, failures, disagreements), paused,
                running, TEN_MINUTES);
    }

    @Test
    void disagreementOverTheMaximumAborts() {
        ShadowAnalysis.Decision decision = judge(MAX_2_PERCENT, 1000, 0, 21, false, Duration.ofMinutes(1));
        assertEquals(ShadowAnalysis.Outcome.ABORT, decision.outcome());
        assertEquals(Verdict.ABORT, decision.verdict());
        assertTrue(decision.detail().contains("21 of 1000"), decision.detail());
        assertEquals(ShadowAnalysis.Outcome.WAIT, judge(MAX_2_PERCENT, 1000, 0, 20, false, Duration.ofMinutes(1))
                .outcome(), "exactly the maximum passes");
    }

    @Test
    void aBurstBeforeTheMinimumIsCountedAgainstTheMinimum() {
        assertEquals(ShadowAnalysis.Outcome.WAIT, judge(MAX_2_PERCENT, 10, 0, 2, false, Duration.ZERO).outcome(),
                "2 of at least 100 is 0.02");
        ShadowAnalysis.Decision third = judge(MAX_2_PERCENT, 10, 0, 3, false, Duration.ZERO);
        assertEquals(ShadowAnalysis.Outcome.ABORT, third.outcome());
        assertTrue(third.detail().contains("counted as min_requests 100"), third.detail());
    }

    @Test
    void failuresAbortOnMaxErrorRate() {
        AnalysisThresholds both = new AnalysisThresholds(0.01, null, 100, 0.5);
        ShadowAnalysis.Decision decision = judge(both, 200, 3, 3, false, Duration.ofMinutes(1));
        assertEquals(ShadowAnalysis.Outcome.ABORT, decision.outcome());
        assertTrue(decision.detail().contains("failed in 3 of 200"), decision.detail());
    }

    @Test
    void waitsForTheMinimumAndTheDurationThenPasses() {
        assertTrue(judge(MAX_2_PERCENT, 50, 0, 0, false, Duration.ofMinutes(11)).detail().contains("50 of the 100"));
        assertEquals(ShadowAnalysis.Outcome.WAIT, judge(MAX_2_PERCENT, 500, 0, 1, false, Duration.ofMinutes(9))
                .outcome());
        ShadowAnalysis.Decision passed = judge(MAX_2_PERCENT, 500, 0, 1, false, TEN_MINUTES);
        assertEquals(ShadowAnalysis.Outcome.PASS, passed.outcome());
        assertEquals(Verdict.HOLD, passed.verdict(), "a shadow never promotes itself");
    }

    @Test
    void aPausedShadowHoldsButABreachStillAborts() {
        assertEquals(ShadowAnalysis.Outcome.HOLD, judge(MAX_2_PERCENT, 500, 0, 1, true, Duration.ofMinutes(20))
                .outcome());
        assertEquals(ShadowAnalysis.Outcome.ABORT, judge(MAX_2_PERCENT, 500, 0, 50, true, Duration.ofMinutes(20))
                .outcome());
    }

    @Test
    void figuresComeFromTheCandidateRowAndTheComparisonRow() {
        var rows = new java.util.TreeMap<Integer, VersionFigures>();
        rows.put(3, VersionFigures.of(3, 400, 4, new long[0]));
        rows.put(-3, VersionFigures.of(-3, 400, 10, new long[0]));
        rows.put(2, VersionFigures.of(2, 9999, 0, new long[0]));
        ShadowAnalysis.Figures figures = ShadowAnalysis.Figures.of(3, rows);
        assertEquals(ShadowAnalysis.Figures.of(3, 400, 4, 10), figures);
        assertEquals(0.025, figures.disagreementRate());
    }
}

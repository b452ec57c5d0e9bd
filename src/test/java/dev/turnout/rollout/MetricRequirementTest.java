package dev.turnout.rollout;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing metric guards such as {@code accuracy >= 0.9} and judging versions' metrics against them. */
class MetricRequirementTest {

    @Test
    void parsesEveryOperatorWithOrWithoutSpaces() {
        assertEquals(new MetricRequirement("accuracy", ">=", 0.9), MetricRequirement.parse("accuracy >= 0.9"));
        assertEquals(new MetricRequirement("accuracy", ">", 0.9), MetricRequirement.parse("accuracy>0.9"));
        assertEquals(new MetricRequirement("rmse", "<=", 2), MetricRequirement.parse("  rmse<=2  "));
        assertEquals(new MetricRequirement("rmse", "<", 2), MetricRequirement.parse("rmse\t<\t2"));
        assertEquals(new MetricRequirement("drift", "==", 0), MetricRequirement.parse("drift == 0"));
        // the two-character operators win over their one-character prefixes
        assertEquals(new MetricRequirement("a", ">=", -1), MetricRequirement.parse("a>=-1"));
        assertEquals(new MetricRequirement("a", "<=", 1), MetricRequirement.parse("a<=1"));
    }

    @Test
    void numbersMayBeNegativeFractionalOrInScientificNotation() {
        assertEquals(-0.5, MetricRequirement.parse("loss > -0.5").bound());
        assertEquals(0.001, MetricRequirement.parse("loss < 1e-3").bound());
        assertEquals(250.0, MetricRequirement.parse("latency_ms <= 2.5E+2").bound());
    }

    @Test
    void metricNamesMayCarryPathLikeCharactersUpTo128() {
        assertEquals("eval/top-1.acc:v2", MetricRequirement.parse("eval/top-1.acc:v2 >= 0.5").metric());
        assertEquals("_private", MetricRequirement.parse("_private >= 0.5").metric());
        String longest = "m".repeat(128);
        assertEquals(longest, MetricRequirement.parse(longest + " >= 1").metric());
        refused("m".repeat(129) + " >= 1");
    }

    @Test
    void refusesWhatIsNotMetricOperatorNumber() {
        for (String text : new String[] {"", "   ", "accuracy", "accuracy >=", ">= 0.9", "accuracy = 0.9",
                "accuracy => 0.9", "accuracy != 0.9", "accuracy >= 0.9 and loss < 1", "accuracy >= 0.9,",
                "0.9 <= accuracy", "accuracy >= .9", "accuracy >= 1.", "accuracy >= +1", "accuracy >= 0x10",
                "accuracy >= NaN", "accuracy >= Infinity", ".hidden >= 1", "-dash >= 1", "accuracy >= 0.9\n1"}) {
            TurnoutException e = refused(text);
            assertTrue(e.getMessage().endsWith("; expected " + MetricRequirement.FORM), e.getMessage());
        }
    }

    @Test
    void aRefusalSaysWhatIsAccepted() {
        TurnoutException e = refused("accuracy = 0.9");
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("invalid metric requirement 'accuracy = 0.9'; expected '<metric> <op> <number>' or '<metric> <op> "
                + "active [+|- <number>]' with op one of >=, >, <=, <, == (e.g. 'accuracy >= 0.9', "
                + "'eval.golden.accuracy >= active - 0.005')", e.getMessage());
        assertTrue(refused(null).getMessage().endsWith("; expected " + MetricRequirement.FORM));
    }

    @Test
    void eachOperatorAtItsBoundary() {
        Map<String, Double> atBound = Map.of("m", 0.9);
        assertEquals(Optional.empty(), MetricRequirement.parse("m >= 0.9").violation(1, atBound));
        assertEquals(Optional.empty(), MetricRequirement.parse("m <= 0.9").violation(1, atBound));
        assertEquals(Optional.empty(), MetricRequirement.parse("m == 0.9").violation(1, atBound));
        assertTrue(MetricRequirement.parse("m > 0.9").violation(1, atBound).isPresent());
        assertTrue(MetricRequirement.parse("m < 0.9").violation(1, atBound).isPresent());
        assertTrue(MetricRequirement.parse("m == 0.9").violation(1, Map.of("m", Math.nextUp(0.9))).isPresent());
        assertEquals(Optional.empty(), MetricRequirement.parse("m > 0.9").violation(1, Map.of("m", Math.nextUp(0.9))));
        assertEquals(Optional.empty(),
                MetricRequirement.parse("m < 0.9").violation(1, Map.of("m", Math.nextDown(0.9))));
    }

    @Test
    void aViolationNamesTheVersionTheValueAndTheGuard() {
        assertEquals(Optional.of("version 3 has accuracy = 0.85, which fails the guard 'accuracy >= 0.9'"),
                MetricRequirement.parse("accuracy >= 0.9").violation(3, Map.of("accuracy", 0.85, "rmse", 0.1)));
    }

    @Test
    void aVersionWithoutTheMetricFailsEveryGuardOnIt() {
        // a missing metric is not read as zero: "loss < 1" would otherwise pass
        assertEquals(Optional.of("version 2 has no metric 'loss', which the guard 'loss < 1.0' requires"),
                MetricRequirement.parse("loss < 1").violation(2, Map.of("accuracy", 0.95)));
        assertEquals(Optional.of("version 2 has no metric 'Accuracy', which the guard 'Accuracy >= 0.5' requires"),
                MetricRequirement.parse("Accuracy >= 0.5").violation(2, Map.of("accuracy", 0.95)));
    }

    private static TurnoutException refused(String text) {
        return assertThrows(TurnoutException.class, () -> MetricRequirement.parse(text), text);
    }

    @Test
    void everyMetricNameTheRegistryStoresCanBeGuarded() {
        MetricRequirement spaced = MetricRequirement.parse("top 1 accuracy >= 0.8");
        assertEquals("top 1 accuracy", spaced.metric());
        assertEquals(Optional.empty(), spaced.violation(1, Map.of("top 1 accuracy", 0.9)));
    }

    @Test
    void aBoundMustBeAFiniteNumber() {
        TurnoutException e = assertThrows(TurnoutException.class, () -> MetricRequirement.parse("m < 1e400"));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }

    @Test
    void aRefusalEchoesTheInputBoundedAndWithoutLineBreaks() {
        TurnoutException e = assertThrows(TurnoutException.class,
                () -> MetricRequirement.parse("x\n".repeat(2500)));
        assertTrue(e.getMessage().length() < 400, e.getMessage().length() + " characters");
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aRelativeGuardComparesWithTheActiveVersionOnTheSameDatasetVersion() {
        MetricRequirement guard = MetricRequirement.parse("eval.golden.accuracy >= active - 0.005");
        assertEquals(new MetricRequirement("eval.golden.accuracy", ">=", -0.005, true), guard);
        assertEquals("eval.golden.accuracy >= active - 0.005", guard.toString());
        Map<String, Double> active = Map.of("eval.golden.accuracy", 0.90, "eval.golden.dataset_version", 2.0);
        assertEquals(Optional.empty(), guard.violation(3, Map.of("eval.golden.accuracy", 0.896,
                "eval.golden.dataset_version", 2.0), 1, active));
        assertTrue(guard.violation(3, Map.of("eval.golden.accuracy", 0.894, "eval.golden.dataset_version", 2.0), 1,
                active).orElseThrow().contains("active version 1 has 0.9"));
        String otherDataset = guard.violation(3, Map.of("eval.golden.accuracy", 0.95, "eval.golden.dataset_version",
                3.0), 1, active).orElseThrow();
        assertTrue(otherDataset.contains("evaluate active version 1 on 'golden' version 3"), otherDataset);
        String missing = guard.violation(3, Map.of("eval.golden.accuracy", 0.95, "eval.golden.dataset_version", 2.0),
                1, Map.of()).orElseThrow();
        assertTrue(missing.contains("active version 1 has no metric 'eval.golden.accuracy'"), missing);
        assertTrue(missing.contains("evaluate version 1 on dataset 'golden' version 2"), missing);
        assertEquals(Optional.empty(), guard.violation(3, Map.of("eval.golden.accuracy", 0.1), null, Map.of()),
                "nothing serves, so nothing to be worse than");
        assertEquals(new MetricRequirement("rmse", "<=", 0, true), MetricRequirement.parse("rmse <= active"));
        assertEquals(0.5, MetricRequirement.parse("m > active + 0.5").bound());
    }
}

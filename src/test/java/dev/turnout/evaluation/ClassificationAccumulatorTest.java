package dev.turnout.evaluation;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassificationAccumulatorTest {

    private static Tensor scores(int k, float... values) {
        return new Tensor("y", DataType.FP32, new long[] {values.length / k, k}, values);
    }

    @Test
    void classScoresGiveAccuracyPerClassFiguresMacroAveragesAndLogLoss() {
        var acc = new ClassificationAccumulator(ClassificationAccumulator.Output.CLASS_SCORES, 3);
        Tensor out = scores(3, 0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f, 0.5f, 0.25f, 0.25f, 0.2f, 0.2f, 0.6f);
        double[] labels = {0, 1, 2, 2};
        for (int i = 0; i < 4; i++) {
            acc.add(acc.label(Integer.toString((int) labels[i])), out, i);
        }
        Map<String, Double> m = acc.metrics();
        assertEquals(0.75, m.get("accuracy"), 1e-12);
        // class 0: p = 1/2, r = 1; class 1: p = r = 1; class 2: p = 1, r = 1/2
        assertEquals((0.5 + 1 + 1) / 3, m.get("precision"), 1e-12);
        assertEquals((1 + 1 + 0.5) / 3, m.get("recall"), 1e-12);
        assertEquals((2.0 / 3 + 1 + 2.0 / 3) / 3, m.get("f1"), 1e-12);
        double logLoss = -(Math.log(0.7f) + Math.log(0.8f) + Math.log(0.25f) + Math.log(0.6f)) / 4;
        assertEquals(logLoss, m.get("log_loss"), 1e-12);
        assertEquals(List.of(List.of(1L, 0L, 0L), List.of(0L, 1L, 0L), List.of(1L, 0L, 1L)),
                acc.details().get("confusion_matrix"));
    }

    @Test
    void scoresThatAreNotProbabilitiesAreSoftmaxedForTheLogLoss() {
        var acc = new ClassificationAccumulator(ClassificationAccumulator.Output.CLASS_SCORES, 2);
        acc.add(1, scores(2, 1f, 3f), 0);
        double expected = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(3)));
        assertEquals(expected, acc.metrics().get("log_loss"), 1e-12);
        assertEquals(1.0, acc.metrics().get("accuracy"));
    }

    @Test
    void binaryScoresGiveRocAucWithTiesCountingHalf() {
        var acc = new ClassificationAccumulator(ClassificationAccumulator.Output.BINARY_SCORE, 2);
        Tensor out = new Tensor("p", DataType.FP32, new long[] {4, 1}, new float[] {0.8f, 0.5f, 0.5f, 0.2f});
        double[] labels = {1, 1, 0, 0};
        for (int i = 0; i < 4; i++) {
            acc.add(labels[i], out, i);
        }
        assertEquals(3.5 / 4, acc.metrics().get("roc_auc"), 1e-12);
        assertEquals(0.75, acc.metrics().get("accuracy"), 1e-12); // 0.5 counts as class 1
    }

    @Test
    void classIdOutputsGrowTheMatrixAndHaveNoLogLoss() {
        var acc = new ClassificationAccumulator(ClassificationAccumulator.Output.CLASS_IDS, 0);
        Tensor out = new Tensor("c", DataType.INT64, new long[] {3}, new long[] {0, 4, 2});
        acc.add(0, out, 0);
        acc.add(4, out, 1);
        acc.add(1, out, 2);
        assertEquals(2.0 / 3, acc.metrics().get("accuracy"), 1e-12);
        assertTrue(!acc.metrics().containsKey("log_loss"));
        assertEquals(5, ((List<?>) acc.details().get("confusion_matrix")).size());
    }

    @Test
    void labelsMustBeClassIdsOfTheModel() {
        var acc = new ClassificationAccumulator(ClassificationAccumulator.Output.CLASS_SCORES, 3);
        assertEquals(2.0, acc.label(" 2 "));
        assertEquals(1.0, acc.label("1.0"));
        assertThrows(IllegalArgumentException.class, () -> acc.label("3"));
        assertThrows(IllegalArgumentException.class, () -> acc.label("-1"));
        assertThrows(IllegalArgumentException.class, () -> acc.label("1.5"));
        assertThrows(IllegalArgumentException.class, () -> acc.label("setosa"));
    }
}

package dev.turnout.evaluation;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RegressionAccumulatorTest {

    @Test
    void rmseMaeR2AndMaxAbsoluteError() {
        var acc = new RegressionAccumulator();
        Tensor out = new Tensor("y", DataType.FP64, new long[] {4, 1}, new double[] {1.5, 2, 2, 5});
        double[] labels = {1, 2, 3, 4};
        for (int i = 0; i < 4; i++) {
            acc.add(labels[i], out, i);
        }
        Map<String, Double> m = acc.metrics();
        assertEquals(Math.sqrt((0.25 + 0 + 1 + 1) / 4), m.get("rmse"), 1e-12);
        assertEquals((0.5 + 0 + 1 + 1) / 4, m.get("mae"), 1e-12);
        assertEquals(1 - 2.25 / 5, m.get("r2"), 1e-12); // labels' sum of squares about their mean: 5
        assertEquals(1.0, m.get("max_abs_error"));
    }

    @Test
    void labelsMustBeFiniteNumbers() {
        var acc = new RegressionAccumulator();
        assertEquals(-2.5, acc.label("-2.5"));
        assertThrows(IllegalArgumentException.class, () -> acc.label("NaN"));
        assertThrows(IllegalArgumentException.class, () -> acc.label("x"));
    }
}

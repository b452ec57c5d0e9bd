package dev.turnout.serving;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Classification outputs agree by argmax per row, regression outputs within the tolerances. */
class ShadowComparisonTest {

    private final ShadowComparison comparison = new ShadowComparison(0.01, 0.1);

    private static Tensor[] fp32(long[] shape, float... data) {
        return new Tensor[] {new Tensor("y", DataType.FP32, shape, data)};
    }

    @Test
    void classificationRowsAgreeWhenTheirArgmaxIsTheSame() {
        Tensor[] active = fp32(new long[] {2, 3}, 0.1f, 0.7f, 0.2f, 0.9f, 0.05f, 0.05f);
        Tensor[] sameClasses = fp32(new long[] {2, 3}, 0.3f, 0.4f, 0.3f, 0.5f, 0.2f, 0.3f);
        Tensor[] secondRowDiffers = fp32(new long[] {2, 3}, 0.1f, 0.7f, 0.2f, 0.1f, 0.05f, 0.85f);
        assertTrue(comparison.agree(active, sameClasses), "scores differ, classes do not");
        assertFalse(comparison.agree(active, secondRowDiffers));
    }

    @Test
    void regressionAgreesWithinAbsolutePlusRelativeTolerance() {
        Tensor[] active = fp32(new long[] {3, 1}, 1f, 10f, 0f);
        assertTrue(comparison.agree(active, fp32(new long[] {3, 1}, 1.1f, 11f, 0.01f)), "0.01 + 0.1 * |a|");
        assertFalse(comparison.agree(active, fp32(new long[] {3, 1}, 1f, 11.2f, 0f)));
        assertFalse(comparison.agree(active, fp32(new long[] {3, 1}, 1f, 10f, 0.02f)), "near 0 only the absolute");
    }

    @Test
    void aSingleColumnIsARegressionEvenWithTwoDimensions() {
        assertFalse(comparison.agree(fp32(new long[] {1, 1}, 7f), fp32(new long[] {1, 1}, 11f)));
        assertTrue(comparison.agree(fp32(new long[] {1}, 7f), fp32(new long[] {1}, 7.5f)));
    }

    @Test
    void aNonFiniteCandidateValueDisagreesUnlessTheActiveGaveTheSame() {
        assertFalse(comparison.agree(fp32(new long[] {1}, 1f), fp32(new long[] {1}, Float.NaN)));
        assertFalse(comparison.agree(fp32(new long[] {1}, 1f), fp32(new long[] {1}, Float.POSITIVE_INFINITY)));
        assertTrue(comparison.agree(fp32(new long[] {1}, Float.NaN), fp32(new long[] {1}, Float.NaN)));
        assertFalse(comparison.agree(fp32(new long[] {1, 2}, 1f, 2f), fp32(new long[] {1, 2}, Float.NaN, Float.NaN)),
                "no class wins");
    }

    @Test
    void differentShapesOrMissingOutputsDisagree() {
        assertFalse(comparison.agree(fp32(new long[] {2, 1}, 1f, 2f), fp32(new long[] {1, 2}, 1f, 2f)));
        assertFalse(comparison.agree(fp32(new long[] {1}, 1f), new Tensor[0]));
        Tensor[] two = {new Tensor("a", DataType.FP32, new long[] {1}, new float[] {1f}),
                new Tensor("b", DataType.FP32, new long[] {1}, new float[] {2f})};
        Tensor[] renamed = {new Tensor("a", DataType.FP32, new long[] {1}, new float[] {1f}),
                new Tensor("c", DataType.FP32, new long[] {1}, new float[] {2f})};
        assertTrue(comparison.agree(two, two));
        assertFalse(comparison.agree(two, renamed));
    }

    @Test
    void integerAndByteOutputsCompareAsNumbers() {
        Tensor[] labels = {new Tensor("label", DataType.INT64, new long[] {2}, new long[] {3, 4})};
        assertTrue(comparison.agree(labels, labels));
        assertFalse(comparison.agree(labels,
                new Tensor[] {new Tensor("label", DataType.INT64, new long[] {2}, new long[] {3, 5})}));
        Tensor u8 = new Tensor("y", DataType.UINT8, new long[] {1}, new byte[] {(byte) 200});
        assertEquals(200.0, ShadowComparison.numbers(u8)[0]);
    }

    @Test
    void negativeTolerancesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ShadowComparison(-1, 0));
    }
}

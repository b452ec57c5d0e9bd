package dev.turnout.serving.rest;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinaryTensorsTest {

    @Test
    void elementsAreLittleEndianInTheirNativeSize() {
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, (byte) 0x80, 0x3f},
                BinaryTensors.toBytes(tensor(DataType.INT32, new int[] {1}), tensor(DataType.FP32, new float[] {1f})));
        assertArrayEquals(new int[] {1, -2}, (int[]) BinaryTensors.toArray("x", DataType.INT32,
                new byte[] {9, 1, 0, 0, 0, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff}, 1, 2));
        assertEquals(4, BinaryTensors.elementSize("x", DataType.FP32));
        assertEquals(8, BinaryTensors.elementSize("x", DataType.FP64));
        assertEquals(4, BinaryTensors.elementSize("x", DataType.INT32));
        assertEquals(8, BinaryTensors.elementSize("x", DataType.INT64));
        assertEquals(1, BinaryTensors.elementSize("x", DataType.BOOL));
    }

    @Test
    void everyServableTypeRoundTrips() {
        roundTrip(DataType.FP32, new float[] {1.5f, -0f, Float.MAX_VALUE});
        roundTrip(DataType.FP64, new double[] {1.5, -2.25, Double.MIN_VALUE});
        roundTrip(DataType.INT32, new int[] {Integer.MIN_VALUE, 0, 7});
        roundTrip(DataType.INT64, new long[] {Long.MAX_VALUE, -1, 3});
        roundTrip(DataType.BOOL, new boolean[] {true, false, true});
        roundTrip(DataType.UINT8, new byte[] {0, (byte) 255, 7});
        roundTrip(DataType.INT8, new byte[] {-128, 127, 0});
        roundTrip(DataType.FP16, new short[] {0x3c00, (short) 0xc000, 0x7bff}); // 1.0, -2.0, 65504
    }

    @Test
    void smallTypesHaveTheirOwnWidth() {
        assertEquals(1, BinaryTensors.elementSize("x", DataType.UINT8));
        assertEquals(1, BinaryTensors.elementSize("x", DataType.INT8));
        assertEquals(2, BinaryTensors.elementSize("x", DataType.FP16));
        assertArrayEquals(new byte[] {0x00, 0x3c}, BinaryTensors.toBytes(tensor(DataType.FP16, new short[] {0x3c00})));
    }

    @Test
    void aJsonHeaderOfNoBytesIsRefusedAsSuch() {
        // it was read as a body of no JSON: "the request body is empty", for a body that is not
        TurnoutException e = assertThrows(TurnoutException.class,
                () -> BinaryTensors.Section.headerLength("0", 120));
        assertTrue(e.getMessage().contains("Inference-Header-Content-Length") && e.getMessage().contains("is 0"),
                e.getMessage());
        assertEquals(120, BinaryTensors.Section.headerLength(null, 120));
        assertEquals(7, BinaryTensors.Section.headerLength("7", 120));
    }

    @Test
    void anEmptyHeaderIsRefusedAsEmptyNotAsNoHeader() {
        for (String empty : new String[] {"", " ", "\t "}) {
            TurnoutException e = assertThrows(TurnoutException.class,
                    () -> BinaryTensors.Section.headerLength(empty, 120));
            assertTrue(e.getMessage().contains("Inference-Header-Content-Length header is empty")
                    && e.getMessage().contains("from 1 to 120"), e.getMessage());
        }
    }

    @Test
    void theHeaderIsTakenOnceOrNotAtAll() {
        assertEquals(null, BinaryTensors.Section.sentOnce(java.util.List.of()));
        assertEquals("", BinaryTensors.Section.sentOnce(java.util.List.of("")));
        TurnoutException e = assertThrows(TurnoutException.class,
                () -> BinaryTensors.Section.sentOnce(java.util.List.of("7", "7")));
        assertTrue(e.getMessage().contains("Inference-Header-Content-Length header is given 2 times"), e.getMessage());
    }

    @Test
    void boolIsOneByteZeroOrOne() {
        assertArrayEquals(new byte[] {1, 0}, BinaryTensors.toBytes(tensor(DataType.BOOL, new boolean[] {true, false})));
        TurnoutException e = assertThrows(TurnoutException.class,
                () -> BinaryTensors.toArray("input 'b'", DataType.BOOL, new byte[] {1, 2}, 0, 2));
        assertTrue(e.getMessage().contains("input 'b'") && e.getMessage().contains("0 or 1"), e.getMessage());
    }

    @Test
    void aTypeThatCannotBeServedHasNoBinaryForm() {
        TurnoutException e = assertThrows(TurnoutException.class,
                () -> BinaryTensors.elementSize("input 'u'", DataType.INT16));
        assertTrue(e.getMessage().contains("input 'u'") && e.getMessage().contains("INT16"), e.getMessage());
    }

    private static void roundTrip(DataType type, Object array) {
        int count = java.lang.reflect.Array.getLength(array);
        byte[] bytes = BinaryTensors.toBytes(tensor(type, array));
        assertEquals(count * BinaryTensors.elementSize("x", type), bytes.length);
        Object back = BinaryTensors.toArray("x", type, bytes, 0, count);
        assertEquals(java.util.Arrays.deepToString(new Object[] {array}),
                java.util.Arrays.deepToString(new Object[] {back}), type.name());
    }

    private static Tensor tensor(DataType type, Object data) {
        return new Tensor("t", type, new long[] {java.lang.reflect.Array.getLength(data)}, data);
    }
}

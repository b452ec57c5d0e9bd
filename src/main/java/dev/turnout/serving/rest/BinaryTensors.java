package dev.turnout.serving.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The Open Inference Protocol's binary tensor data extension: tensors as raw little-endian, row-major bytes after the
 * JSON header of a request or response. A new datatype is one case in {@link #elementSize}, {@link #toArray} and
 * {@link #put}.
 */
final class BinaryTensors {

    /** Gives the length of the JSON header; the tensor bytes follow it. */
    static final String HEADER = "Inference-Header-Content-Length";

    private BinaryTensors() {
    }

    /** Bytes per element in the binary form; BOOL is one byte, 0 or 1. */
    static int elementSize(String where, DataType type) {
        return switch (type) {
            case BOOL, UINT8, INT8 -> 1;
            case FP16 -> 2;
            case INT32, FP32 -> 4;
            case INT64, FP64 -> 8;
            default -> throw TurnoutException.invalid(where + " is " + type + ", which has no binary form here (it "
                    + "cannot be served yet); servable datatypes: " + DataType.SERVABLE);
        };
    }

    /** Reads {@code count} elements starting at {@code offset} into the Java array the engine takes for the type. */
    static Object toArray(String where, DataType type, byte[] bytes, int offset, int count) {
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, count * elementSize(where, type)).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FP32 -> {
                float[] data = new float[count];
                in.asFloatBuffer().get(data);
                return data;
            }
            case FP64 -> {
                double[] data = new double[count];
                in.asDoubleBuffer().get(data);
                return data;
            }
            case INT32 -> {
                int[] data = new int[count];
                in.asIntBuffer().get(data);
                return data;
            }
            case INT64 -> {
                long[] data = new long[count];
                in.asLongBuffer().get(data);
                return data;
            }
            case UINT8, INT8 -> { // the raw bytes, as the engine takes them (see DataType)
                byte[] data = new byte[count];
                in.get(data);
                return data;
            }
            case FP16 -> { // IEEE 754 half-precision bits
                short[] data = new short[count];
                in.asShortBuffer().get(data);
                return data;
            }
            default -> { // BOOL; elementSize refused the rest
                boolean[] data = new boolean[count];
                for (int i = 0; i < count; i++) {
                    byte value = bytes[offset + i];
                    if (value != 0 && value != 1) {
                        throw TurnoutException.invalid(where + " element " + i + " is the byte " + value
                                + "; BOOL bytes must be 0 or 1");
                    }
                    data[i] = value == 1;
                }
                return data;
            }
        }
    }

    /** The binary form of a tensor's data. */
    static int sizeOf(Tensor tensor) {
        return java.lang.reflect.Array.getLength(tensor.data()) * elementSize("output '" + tensor.name() + "'",
                tensor.datatype());
    }

    /** The tensors' data, one after another. */
    static byte[] toBytes(Tensor... tensors) {
        int size = 0;
        for (Tensor tensor : tensors) {
            size += sizeOf(tensor);
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor tensor : tensors) {
            put(tensor, out);
        }
        return out.array();
    }

    /** Appends a tensor's data to a little-endian buffer with room for it. */
    static void put(Tensor tensor, ByteBuffer out) {
        int start = out.position();
        int size = sizeOf(tensor);
        switch (tensor.datatype()) {
            case FP32 -> out.asFloatBuffer().put((float[]) tensor.data());
            case FP64 -> out.asDoubleBuffer().put((double[]) tensor.data());
            case INT32 -> out.asIntBuffer().put((int[]) tensor.data());
            case INT64 -> out.asLongBuffer().put((long[]) tensor.data());
            case UINT8, INT8 -> out.put((byte[]) tensor.data());
            case FP16 -> out.asShortBuffer().put((short[]) tensor.data());
            default -> { // BOOL; sizeOf refused the rest
                for (boolean value : (boolean[]) tensor.data()) {
                    out.put(value ? (byte) 1 : (byte) 0);
                }
            }
        }
        out.position(start + size); // the typed views write without moving the byte buffer
    }

    /**
     * The tensor bytes of one request, after its JSON header, handed out in the order the inputs are listed.
     * {@link #NONE} stands for a request without the header: all JSON, so binary_data_size has nothing to refer to.
     */
    static final class Section {
        static final Section NONE = new Section(null, 0);

        private final byte[] body;
        private int offset;

        Section(byte[] body, int start) {
            this.body = body;
            this.offset = start;
        }

        /**
         * The one value of the {@value #HEADER} header among the request's ({@code values}, as sent), or null when it
         * has none; two values are refused, since which one counts would be a guess.
         */
        static String sentOnce(List<String> values) {
            if (values == null || values.isEmpty()) {
                return null;
            }
            if (values.size() > 1) {
                throw TurnoutException.invalid("the " + HEADER + " header is given " + values.size() + " times; give it "
                        + "once, with the length in bytes of the JSON at the start of the body");
            }
            return values.get(0);
        }

        /**
         * The JSON header's length from the {@value #HEADER} header as sent; null: no header, the whole body is JSON.
         * A header sent empty is refused, not read as no header: the client meant to send a length.
         */
        static int headerLength(String header, int bodyLength) {
            if (header == null) {
                return bodyLength;
            }
            if (header.isBlank()) {
                throw TurnoutException.invalid("the " + HEADER + " header is empty; " + accepted(bodyLength));
            }
            long length;
            try {
                length = Long.parseLong(header.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length < 0) {
                throw TurnoutException.invalid("the " + HEADER + " header '" + RegistryRules.printable(header)
                        + "' is not a number of bytes; " + accepted(bodyLength));
            }
            if (length == 0) {
                throw TurnoutException.invalid("the " + HEADER + " header is 0: it gives the length of the JSON "
                        + "request at the start of the body, which is never empty");
            }
            if (length > bodyLength) {
                throw TurnoutException.invalid("the " + HEADER + " header (" + length
                        + ") is longer than the body (" + bodyLength + " bytes)");
            }
            return (int) length;
        }

        private static String accepted(int bodyLength) {
            return "it takes the length of the JSON at the start of the body, a whole number of bytes from 1 to "
                    + bodyLength + ", the body's length (without the header the whole body is JSON)";
        }

        /** The next tensor's data; {@code size} (its binary_data_size) must be exactly count × element size. */
        Object next(String where, DataType type, long count, JsonNode size) {
            if (body == null) {
                throw TurnoutException.invalid(where + " has binary_data_size but the request has no " + HEADER
                        + " header to say where its JSON ends");
            }
            if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
                throw TurnoutException.invalid(where + " has binary_data_size " + size + "; it must be a whole number "
                        + "of bytes");
            }
            long expected = count * elementSize(where, type); // count is bounded by max-tensor-elements: no overflow
            if (size.longValue() != expected) {
                throw TurnoutException.invalid(where + " has binary_data_size " + size.longValue()
                        + " but its shape of " + count + " " + type + " elements needs " + expected + " bytes");
            }
            if (expected > body.length - offset) {
                throw TurnoutException.invalid(where + " needs " + expected + " bytes of binary data but only "
                        + (body.length - offset) + " bytes are left in the body");
            }
            Object data = toArray(where, type, body, offset, (int) count);
            offset += (int) expected;
            return data;
        }

        /** Refuses bytes no input claimed. */
        void finish() {
            if (body != null && offset != body.length) {
                throw TurnoutException.invalid("the body has " + (body.length - offset) + " bytes after the last tensor"
                        + " (" + HEADER + " plus every binary_data_size must add up to the body's length)");
            }
        }
    }
}

package dev.turnout.evaluation;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;

import java.util.Map;

/**
 * Rows parsed into the model's input tensors, batch by batch, reusing its buffers. A row whose value does not parse
 * is refused alone ({@link #add} says why) and leaves the batch as it was.
 */
final class RowBatch {

    private final ColumnMapping mapping;
    private final int capacity;
    private final Object[] buffers;
    private final double[] labels;
    private final long[] numbers;
    private int size;

    RowBatch(ColumnMapping mapping, int capacity) {
        this.mapping = mapping;
        this.capacity = capacity;
        this.buffers = new Object[mapping.inputs().size()];
        for (int i = 0; i < buffers.length; i++) {
            ColumnMapping.Input input = mapping.inputs().get(i);
            int length = capacity * input.columns().size();
            buffers[i] = switch (input.spec().datatype()) {
                case FP64 -> new double[length];
                case INT64 -> new long[length];
                case INT32 -> new int[length];
                default -> new float[length];
            };
        }
        this.labels = new double[capacity];
        this.numbers = new long[capacity];
    }

    boolean full() {
        return size == capacity;
    }

    int size() {
        return size;
    }

    double label(int row) {
        return labels[row];
    }

    long number(int row) {
        return numbers[row];
    }

    /** Adds a row; returns null, or why the row cannot be used (it is then not added). */
    String add(long number, Map<String, String> values, double label) {
        for (int i = 0; i < buffers.length; i++) {
            ColumnMapping.Input input = mapping.inputs().get(i);
            int width = input.columns().size();
            for (int c = 0; c < width; c++) {
                String column = input.columns().get(c);
                String text = values.get(column);
                if (text == null || text.isBlank()) {
                    return "column '" + column + "' has no value";
                }
                try {
                    put(buffers[i], input.spec().datatype(), size * width + c, text.strip());
                } catch (NumberFormatException e) {
                    return "column '" + column + "' holds '" + printable(text) + "', not a " + input.spec().datatype()
                            + " number";
                }
            }
        }
        labels[size] = label;
        numbers[size] = number;
        size++;
        return null;
    }

    private static void put(Object buffer, DataType type, int index, String text) {
        switch (type) {
            case FP64 -> ((double[]) buffer)[index] = finite(Double.parseDouble(text));
            case INT64 -> ((long[]) buffer)[index] = Long.parseLong(text);
            case INT32 -> ((int[]) buffer)[index] = Integer.parseInt(text);
            default -> ((float[]) buffer)[index] = (float) finite(Float.parseFloat(text));
        }
    }

    private static double finite(double value) {
        if (Double.isNaN(value)) {
            throw new NumberFormatException();
        }
        return value;
    }

    /** The batch as input tensors in signature order (copies: a tensor may outlive the next batch's parsing). */
    Tensor[] tensors() {
        Tensor[] tensors = new Tensor[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            ColumnMapping.Input input = mapping.inputs().get(i);
            int width = input.columns().size();
            int length = size * width;
            Object data = switch (input.spec().datatype()) {
                case FP64 -> java.util.Arrays.copyOf((double[]) buffers[i], length);
                case INT64 -> java.util.Arrays.copyOf((long[]) buffers[i], length);
                case INT32 -> java.util.Arrays.copyOf((int[]) buffers[i], length);
                default -> java.util.Arrays.copyOf((float[]) buffers[i], length);
            };
            long[] shape = input.spec().shape().size() == 1 ? new long[] {size} : new long[] {size, width};
            tensors[i] = new Tensor(input.spec().name(), input.spec().datatype(), shape, data);
        }
        return tensors;
    }

    /** Forgets the row added last (the other version refused it). */
    void dropLast() {
        size--;
    }

    void clear() {
        size = 0;
    }

    private static String printable(String text) {
        return dev.turnout.registry.RegistryRules.printable(text.length() > 40 ? text.substring(0, 40) + "…" : text);
    }
}

package dev.turnout.evaluation;

import dev.turnout.dataset.DatasetCursor;
import dev.turnout.dataset.Decimals;
import dev.turnout.dataset.ParsedRows;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;

import java.util.List;

/**
 * Rows parsed into the model's input tensors, batch by batch, reusing its buffers. A row whose value does not parse
 * is refused alone ({@link #add} says why) and leaves the batch as it was. Columns are found by index, resolved once;
 * plain ASCII values are parsed from the row's bytes ({@link Decimals}), anything else from its text, with the same
 * results either way.
 */
final class RowBatch {

    private final ColumnMapping mapping;
    private final int capacity;
    private final Object[] buffers;
    private final DataType[] types;
    private final int[][] columns;
    private final double[] labels;
    private int size;

    /**
     * {@code datasetColumns}: the columns rows are read by, in order (the dataset's, or its parsed ones); the mapping's
     * are among them.
     */
    RowBatch(ColumnMapping mapping, int capacity, List<String> datasetColumns) {
        this.mapping = mapping;
        this.capacity = capacity;
        this.buffers = new Object[mapping.inputs().size()];
        this.types = new DataType[buffers.length];
        this.columns = new int[buffers.length][];
        for (int i = 0; i < buffers.length; i++) {
            ColumnMapping.Input input = mapping.inputs().get(i);
            types[i] = input.spec().datatype();
            columns[i] = input.columns().stream().mapToInt(datasetColumns::indexOf).toArray();
            int length = capacity * input.columns().size();
            buffers[i] = switch (input.spec().datatype()) {
                case FP64 -> new double[length];
                case INT64 -> new long[length];
                case INT32 -> new int[length];
                default -> new float[length];
            };
        }
        this.labels = new double[capacity];
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


    /** Adds the cursor's row; returns null, or why the row cannot be used (it is then not added). */
    String add(DatasetCursor row, double label) {
        for (int i = 0; i < buffers.length; i++) {
            int[] indexes = columns[i];
            int width = indexes.length;
            for (int c = 0; c < width; c++) {
                int column = indexes[c];
                int index = size * width + c;
                if (!row.plain(column) || !putPlain(buffers[i], types[i], index, row.bytes(), row.start(column),
                        row.end(column))) {
                    String problem = putText(i, c, index, row.text(column));
                    if (problem != null) {
                        return problem;
                    }
                }
            }
        }
        labels[size] = label;
        size++;
        return null;
    }

    /** Adds the row's parsed values, each cast to its input's type (exact: the pass {@code canRead} them). */
    void add(ParsedRows row, double label) {
        for (int i = 0; i < buffers.length; i++) {
            int[] indexes = columns[i];
            int width = indexes.length;
            int base = size * width;
            switch (types[i]) {
                case FP64 -> {
                    double[] buffer = (double[]) buffers[i];
                    for (int c = 0; c < width; c++) {
                        buffer[base + c] = row.value(indexes[c]);
                    }
                }
                case INT64 -> {
                    long[] buffer = (long[]) buffers[i];
                    for (int c = 0; c < width; c++) {
                        buffer[base + c] = (long) row.value(indexes[c]);
                    }
                }
                case INT32 -> {
                    int[] buffer = (int[]) buffers[i];
                    for (int c = 0; c < width; c++) {
                        buffer[base + c] = (int) row.value(indexes[c]);
                    }
                }
                default -> {
                    float[] buffer = (float[]) buffers[i];
                    for (int c = 0; c < width; c++) {
                        buffer[base + c] = (float) row.value(indexes[c]);
                    }
                }
            }
        }
        labels[size] = label;
        size++;
    }

    /** Parses a plain value in place; false when {@link Decimals} leaves it to the JDK (an empty one too). */
    private static boolean putPlain(Object buffer, DataType type, int index, byte[] bytes, int from, int to) {
        switch (type) {
            case FP64 -> {
                double value = Decimals.parseDouble(bytes, from, to);
                if (Double.isNaN(value)) {
                    return false;
                }
                ((double[]) buffer)[index] = value;
            }
            case INT64 -> {
                long value = Decimals.parseLong(bytes, from, to);
                if (value == Decimals.NOT_PARSED) {
                    return false;
                }
                ((long[]) buffer)[index] = value;
            }
            case INT32 -> {
                long value = Decimals.parseLong(bytes, from, to);
                if (value == Decimals.NOT_PARSED || value != (int) value) {
                    return false;
                }
                ((int[]) buffer)[index] = (int) value;
            }
            default -> {
                float value = Decimals.parseFloat(bytes, from, to);
                if (Float.isNaN(value)) {
                    return false;
                }
                ((float[]) buffer)[index] = value;
            }
        }
        return true;
    }

    /** Parses a value from its text as the JDK reads it; null, or why it cannot be used. */
    private String putText(int input, int c, int index, String text) {
        String column = mapping.inputs().get(input).columns().get(c);
        if (text == null || text.isBlank()) {
            return "column '" + column + "' has no value";
        }
        try {
            put(buffers[input], types[input], index, text.strip());
        } catch (NumberFormatException e) {
            return "column '" + column + "' holds '" + printable(text) + "', not a " + types[input] + " number";
        }
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

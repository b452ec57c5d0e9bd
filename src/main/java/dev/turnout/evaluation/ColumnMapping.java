package dev.turnout.evaluation;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which dataset columns feed which model input, checked against the version's signature before anything runs: every
 * input mapped, each of rank 1 (one column) or 2 ({@code [batch, columns]}), of a numeric type, every column present
 * in the dataset and none of them the label; and an output the task can read. Every mismatch is named in one 422.
 */
final class ColumnMapping {

    /** Problems, and names in one, a refusal lists; the rest are counted. */
    private static final int MAX_LISTED = 10;
    static final Set<DataType> INPUT_TYPES = Set.of(DataType.FP32, DataType.FP64, DataType.INT32, DataType.INT64);

    /** One input: its spec and, in order, the columns that make its row. */
    record Input(TensorSpec spec, List<String> columns) {
    }

    private final List<Input> inputs;
    private final TensorSpec output;
    private final int maxBatch;

    private ColumnMapping(List<Input> inputs, TensorSpec output, int maxBatch) {
        this.inputs = inputs;
        this.output = output;
        this.maxBatch = maxBatch;
    }

    List<Input> inputs() {
        return inputs;
    }

    /** The output scored: the model's first. */
    TensorSpec output() {
        return output;
    }

    /** 1 when an input's first dimension is fixed to 1, else unbounded (the caller's batch size). */
    int maxBatch() {
        return maxBatch;
    }

    static ColumnMapping check(int version, Signature signature, Map<String, List<String>> mapping,
                               List<String> datasetColumns, String label, Task task) {
        List<String> problems = new ArrayList<>();
        boolean columnMissing = false;
        Set<String> columns = new HashSet<>(datasetColumns);
        Map<String, TensorSpec> byName = new LinkedHashMap<>();
        signature.inputs().forEach(spec -> byName.put(spec.name(), spec));
        for (String name : mapping.keySet()) {
            if (!byName.containsKey(name)) {
                problems.add("the model has no input '" + RegistryRules.printable(name) + "' (its inputs: "
                        + listed(byName.keySet()) + ")");
            }
        }
        List<Input> inputs = new ArrayList<>();
        int maxBatch = Integer.MAX_VALUE;
        for (TensorSpec spec : signature.inputs()) {
            List<String> mapped = mapping.get(spec.name());
            if (mapped == null) {
                problems.add("input '" + spec.name() + "' is not mapped to any column");
                continue;
            }
            for (String column : mapped) {
                if (!columns.contains(column)) {
                    problems.add("input '" + spec.name() + "': the dataset has no column '"
                            + RegistryRules.printable(column) + "'");
                    columnMissing = true;
                } else if (column.equals(label)) { // the model would be handed the answer it is scored on
                    problems.add("input '" + spec.name() + "': column '" + RegistryRules.printable(column)
                            + "' is the label column; the label cannot also be an input");
                }
            }
            if (!INPUT_TYPES.contains(spec.datatype())) {
                problems.add("input " + spec + " is " + spec.datatype() + "; evaluations fill inputs of type "
                        + INPUT_TYPES.stream().map(Enum::name).sorted().toList() + " from columns");
            }
            List<Long> shape = spec.shape();
            if (shape.isEmpty() || shape.size() > 2) {
                problems.add("input " + spec + " has rank " + shape.size() + "; evaluations fill inputs of rank 1 "
                        + "[batch] or 2 [batch, columns]");
                continue;
            }
            long rows = shape.get(0);
            if (rows != TensorSpec.DYNAMIC && rows != 1) {
                problems.add("input " + spec + " takes exactly " + rows + " rows per call; evaluations need a first "
                        + "dimension of -1 or 1");
            } else if (rows == 1) {
                maxBatch = 1;
            }
            long width = shape.size() == 1 ? 1 : shape.get(1);
            if (width != TensorSpec.DYNAMIC && width != mapped.size()) {
                problems.add("input " + spec + " takes " + width + " value(s) per row, but " + mapped.size()
                        + " column(s) are mapped to it");
            }
            inputs.add(new Input(spec, List.copyOf(mapped)));
        }
        if (label == null || !columns.contains(label)) {
            problems.add("the dataset has no label column '" + RegistryRules.printable(label) + "'");
            columnMissing = true;
        }
        TensorSpec output = signature.outputs().isEmpty() ? null : signature.outputs().get(0);
        if (output == null) {
            problems.add("the model has no output");
        } else {
            outputProblem(output, task).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            // bounded: the request names up to 4096 columns, the dataset has up to 4096, each name up to 1 MiB
            throw new TurnoutException(ErrorCode.SIGNATURE_MISMATCH, "the column mapping does not fit version "
                    + version + "'s signature: " + String.join("; ", problems.subList(0, Math.min(MAX_LISTED,
                    problems.size()))) + (problems.size() > MAX_LISTED ? "; and " + (problems.size() - MAX_LISTED)
                    + " more" : "") + (columnMissing ? " (the dataset's columns: " + listed(datasetColumns) + ")" : ""));
        }
        return new ColumnMapping(List.copyOf(inputs), output, maxBatch);
    }

    /** Names in a message: the first {@link #MAX_LISTED}, each bounded and printable. */
    private static String listed(Collection<String> names) {
        List<String> shown = names.stream().limit(MAX_LISTED).map(RegistryRules::printable).toList();
        return shown + (names.size() > MAX_LISTED ? " and " + (names.size() - MAX_LISTED) + " more" : "");
    }

    private static java.util.Optional<String> outputProblem(TensorSpec output, Task task) {
        List<Long> shape = output.shape();
        if (!output.datatype().servable() || shape.isEmpty() || shape.size() > 2) {
            return java.util.Optional.of("output " + output + " is not a numeric tensor of rank 1 or 2 that "
                    + "evaluations can score");
        }
        long perRow = shape.size() == 1 ? 1 : shape.get(1);
        if (perRow == TensorSpec.DYNAMIC) {
            return java.util.Optional.of("output " + output + " has a dynamic second dimension; evaluations need "
                    + "to know how many values each row gets");
        }
        if (task == Task.REGRESSION && perRow != 1) {
            return java.util.Optional.of("output " + output + " gives " + perRow + " values per row; regression "
                    + "scores one value per row");
        }
        boolean floating = output.datatype() == DataType.FP32 || output.datatype() == DataType.FP64
                || output.datatype() == DataType.FP16;
        if (task == Task.CLASSIFICATION && !floating && perRow != 1) {
            return java.util.Optional.of("output " + output + " gives " + perRow + " integers per row; "
                    + "classification reads integers as one class id per row, or floating-point scores");
        }
        if (task == Task.CLASSIFICATION && perRow > ClassificationAccumulator.MAX_CLASSES) {
            return java.util.Optional.of("output " + output + " scores " + perRow + " classes; at most "
                    + ClassificationAccumulator.MAX_CLASSES);
        }
        return java.util.Optional.empty();
    }

    /** The accumulator reading this mapping's output for {@code task}. */
    Accumulator accumulator(Task task) {
        if (task == Task.REGRESSION) {
            return new RegressionAccumulator();
        }
        int perRow = output.shape().size() == 1 ? 1 : Math.toIntExact(output.shape().get(1));
        boolean floating = output.datatype() == DataType.FP32 || output.datatype() == DataType.FP64
                || output.datatype() == DataType.FP16;
        if (!floating) {
            return new ClassificationAccumulator(ClassificationAccumulator.Output.CLASS_IDS, 0);
        }
        return perRow == 1 ? new ClassificationAccumulator(ClassificationAccumulator.Output.BINARY_SCORE, 2)
                : new ClassificationAccumulator(ClassificationAccumulator.Output.CLASS_SCORES, perRow);
    }
}

package dev.turnout.evaluation;

import dev.turnout.dataset.DatasetCursor;
import dev.turnout.dataset.Decimals;
import dev.turnout.dataset.ParsedColumn;
import dev.turnout.dataset.ParsedRows;
import dev.turnout.engine.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * One pass over a dataset: rows are parsed into batches, each batch is run through the version (and the version it is
 * compared with, on the very same rows), and the accumulators score every output. Memory is one batch plus what the
 * figures need.
 */
final class EvaluationPass {

    /** A version to run: the production model (its engine, translator and signature checks). */
    interface Model {
        Tensor[] predict(Tensor[] inputs) throws Exception;
    }

    /** What a pass found: the headline figures of the evaluated version, and the whole results document. */
    record Outcome(Map<String, Double> metrics, Map<String, Object> results) {
    }

    /** Where a pass read its rows from ({@code rows_read_from} in the results). */
    static final String TEXT = "text";
    static final String PARSED = "parsed_columns";

    private final ColumnMapping mapping;
    private final ColumnMapping otherMapping;
    private final Task task;
    private final String label;
    private final int batchSize;

    EvaluationPass(ColumnMapping mapping, ColumnMapping otherMapping, Task task, String label, int batchSize) {
        this.mapping = mapping;
        this.otherMapping = otherMapping;
        this.task = task;
        this.label = label;
        int limit = otherMapping == null ? mapping.maxBatch() : Math.min(mapping.maxBatch(), otherMapping.maxBatch());
        this.batchSize = Math.max(1, Math.min(batchSize, limit));
    }

    /**
     * A pass over the dataset's text: each row parsed into the batches, or refused with its reason.
     *
     * @param other the version compared with, or null
     * @param progress told the rows read so far after each batch
     */
    Outcome run(DatasetCursor rows, Model model, Model other, LongConsumer progress) throws Exception {
        Scored mine = new Scored(mapping, task);
        Scored theirs = other == null ? null : new Scored(otherMapping, task);
        Refusals refusals = new Refusals();
        RowBatch batch = new RowBatch(mapping, batchSize, rows.columns());
        RowBatch otherBatch = other == null ? null : new RowBatch(otherMapping, batchSize, rows.columns());
        int labelColumn = rows.columns().indexOf(label);
        long read = 0;
        long[] agreed = {0};
        while (rows.advance()) {
            read++;
            String problem = rows.problem() != null ? rows.problem()
                    : add(rows, labelColumn, mine.accumulator, batch, otherBatch);
            if (problem != null) {
                refusals.refuse(rows.number(), problem);
            }
            if (batch.full()) {
                score(mine, theirs, batch, otherBatch, model, other, agreed);
                progress.accept(read);
            }
        }
        return finish(mine, theirs, batch, otherBatch, model, other, agreed, read, progress, refusals, TEXT);
    }

    /**
     * Whether a pass can read the dataset's parsed columns instead of its text and get the very same values: every
     * column it reads is among them, in a form exact for the input's type ({@link ParsedColumn}), and every label is
     * one the task accepts (a refusal's reason quotes the text, which parsed columns do not keep).
     */
    boolean canRead(List<ParsedColumn> parsed) {
        Map<String, ParsedColumn> byName = new HashMap<>();
        parsed.forEach(column -> byName.put(column.name(), column));
        return canRead(mapping, byName) && (otherMapping == null || canRead(otherMapping, byName));
    }

    private boolean canRead(ColumnMapping inputs, Map<String, ParsedColumn> parsed) {
        for (ColumnMapping.Input input : inputs.inputs()) {
            for (String name : input.columns()) {
                ParsedColumn column = parsed.get(name);
                boolean exact = column != null && switch (input.spec().datatype()) {
                    case FP64 -> true;
                    case FP32 -> column.float32();
                    case INT64 -> column.int64();
                    case INT32 -> column.int32();
                    default -> false;
                };
                if (!exact) {
                    return false;
                }
            }
        }
        ParsedColumn labels = parsed.get(label);
        if (labels == null || (task == Task.CLASSIFICATION && !labels.whole())) {
            return false;
        }
        Accumulator accumulator = inputs.accumulator(task);
        try {
            // whole numbers (or any, for regression) from min to max: both accepted means every one is
            accumulator.label(labels.min());
            accumulator.label(labels.max());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A pass over the dataset's parsed columns, for a pass that {@link #canRead} them: no row is refused.
     *
     * @param columns the parsed columns, as {@code rows} indexes them
     */
    Outcome run(ParsedRows rows, List<ParsedColumn> columns, Model model, Model other, LongConsumer progress)
            throws Exception {
        List<String> names = columns.stream().map(ParsedColumn::name).toList();
        Scored mine = new Scored(mapping, task);
        Scored theirs = other == null ? null : new Scored(otherMapping, task);
        RowBatch batch = new RowBatch(mapping, batchSize, names);
        RowBatch otherBatch = other == null ? null : new RowBatch(otherMapping, batchSize, names);
        int labelColumn = names.indexOf(label);
        long read = 0;
        long[] agreed = {0};
        while (rows.advance()) {
            read++;
            double value = mine.accumulator.label(rows.value(labelColumn));
            batch.add(rows, value);
            if (otherBatch != null) {
                otherBatch.add(rows, value);
            }
            if (batch.full()) {
                score(mine, theirs, batch, otherBatch, model, other, agreed);
                progress.accept(read);
            }
        }
        return finish(mine, theirs, batch, otherBatch, model, other, agreed, read, progress, new Refusals(), PARSED);
    }

    /** Scores the last batch, and gathers the figures. */
    private Outcome finish(Scored mine, Scored theirs, RowBatch batch, RowBatch otherBatch, Model model, Model other,
                           long[] agreed, long read, LongConsumer progress, Refusals refusals, String readFrom)
            throws Exception {
        if (batch.size() > 0) {
            score(mine, theirs, batch, otherBatch, model, other, agreed);
        }
        progress.accept(read);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("rows", read);
        results.put("rows_scored", mine.rows);
        results.put("rows_refused", refusals.count());
        results.put("refusals", refusals.first());
        results.put("rows_read_from", readFrom);
        results.putAll(mine.results());
        if (theirs != null) {
            Map<String, Object> compared = new LinkedHashMap<>(theirs.results());
            compared.put("agreement", mine.rows == 0 ? null : (double) agreed[0] / mine.rows);
            results.put("compared", compared);
        }
        return new Outcome(mine.accumulator.metrics(), results);
    }

    /** Runs a full (or the last) batch through the version, and the compared one; then empties both. */
    private static void score(Scored mine, Scored theirs, RowBatch batch, RowBatch otherBatch, Model model,
                              Model other, long[] agreed) throws Exception {
        double[] predicted = mine.score(batch, model);
        if (theirs != null) {
            double[] compared = theirs.score(otherBatch, other);
            for (int i = 0; i < predicted.length; i++) {
                agreed[0] += mine.accumulator.agree(predicted[i], compared[i]) ? 1 : 0;
            }
            otherBatch.clear();
        }
        batch.clear();
    }

    /** Parses the row's label and values into the batch (and the other version's); null, or why it was refused. */
    private String add(DatasetCursor row, int labelColumn, Accumulator accumulator, RowBatch batch,
                       RowBatch otherBatch) {
        double value = Double.NaN;
        if (row.plain(labelColumn)) {
            double parsed = Decimals.parseDouble(row.bytes(), row.start(labelColumn), row.end(labelColumn));
            if (!Double.isNaN(parsed)) {
                try {
                    value = accumulator.label(parsed);
                } catch (IllegalArgumentException e) {
                    value = Double.NaN; // refused: the text's path below says why, in its words
                }
            }
        }
        if (Double.isNaN(value)) {
            String text = row.text(labelColumn);
            if (text == null || text.isBlank()) {
                return "the label column '" + label + "' has no value";
            }
            try {
                value = accumulator.label(text);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        if (otherBatch != null) {
            // the other version may take other types: parse for it first, so a refusal leaves neither batch changed
            String problem = otherBatch.add(row, value);
            if (problem != null) {
                return problem;
            }
            problem = batch.add(row, value);
            if (problem != null) {
                otherBatch.dropLast();
            }
            return problem;
        }
        return batch.add(row, value);
    }

    /** One version's figures and latency. */
    private static final class Scored {
        final ColumnMapping mapping;
        final Accumulator accumulator;
        final LatencyRecorder latency = new LatencyRecorder();
        long rows;

        Scored(ColumnMapping mapping, Task task) {
            this.mapping = mapping;
            this.accumulator = mapping.accumulator(task);
        }

        double[] score(RowBatch batch, Model model) throws Exception {
            Tensor[] inputs = batch.tensors();
            long start = System.nanoTime();
            Tensor[] outputs = model.predict(inputs);
            latency.batch(System.nanoTime() - start, batch.size());
            Tensor output = outputs[0];
            for (Tensor candidate : outputs) {
                if (candidate.name().equals(mapping.output().name())) {
                    output = candidate;
                }
            }
            if (output.shape().length == 0 || output.shape()[0] != batch.size()) {
                throw new IllegalStateException("the model answered " + output + " for a batch of " + batch.size()
                        + " rows");
            }
            double[] predicted = new double[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                predicted[i] = accumulator.add(batch.label(i), output, i);
            }
            rows += batch.size();
            return predicted;
        }

        Map<String, Object> results() {
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("metrics", accumulator.metrics());
            results.putAll(accumulator.details());
            results.put("latency_ms", latency.percentiles());
            return results;
        }
    }
}

package dev.turnout.evaluation;

import dev.turnout.dataset.DatasetCursor;
import dev.turnout.dataset.ParsedColumnsFixture;
import dev.turnout.dataset.ParsedRows;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whenever a pass {@link EvaluationPass#canRead can read} a CSV's parsed columns, they give the model the very inputs
 * (bit for bit) and the results the very figures its text gives: random CSVs of values chosen to be hard (signs,
 * zeros, whitespace, quotes, non-ASCII rows, hex, suffixes, exponents, long digit strings, float ties, the edges of
 * int, 2^53 and long), every input type, both tasks, the three kinds of output, with and without a compared version
 * of another input type.
 */
class ParsedColumnsEquivalenceTest {

    private static final String[] VALUES = {"0", "-0", "+0", "00012", "1", "-1", "+7", "1.5", " 2.5", "2.5 ", "\"3\"",
            "1e3", "1E-3", "+.5e1", "1e+3", "1e-0", ".5", "5.", "-.5", "0x1p3", "0x10", "1f", "1d", "1_0", "1e", "",
            "é1", "\"\"\"1\"", "\"1,0\"", "\t1", "Infinity", "-Infinity", "NaN", "1.0", "0.0", "-0.0", "0e5", "-0e-5",
            "2147483647", "2147483648", "-2147483648", "-2147483649", "16777216", "16777217", "-16777217", "33554433",
            "9007199254740992", "9007199254740993", "-9007199254740992", "-9007199254740993", "9223372036854775807",
            "-9223372036854775808", "123456789012345678901234567890", "000000000000000000000000001",
            "0000000000000000001.5", "1.00000000000000000000001", "1.000000059604644775390625000001",
            "1.00000011920928955078125", "0.30000000000000004", "3.4028235e38", "3.4028236e38", "1e39", "1e-46",
            "1.4e-45", "7.038531e-26", "1.1754943508222875e-38", "2.2250738585072011e-308", "4.9e-324", "2.5e-324",
            "1e22", "1e23", "1e308", "1.7976931348623157e308", "8.589973e9", "0.1"};
    private static final String[] LABELS = {"0", "1", "2", "-0", "+1", "01", "1.0", "1e0", " 1", "2 ", "\"1\"", "3",
            "-1", "1.5", "0.0", "1e-0", "0e9", "0x1p0", "1d", "255", "256", "9007199254740993", "1e300"};
    private static final DataType[] TYPES = {DataType.FP32, DataType.FP64, DataType.INT32, DataType.INT64};
    private static final TensorSpec[] OUTPUTS = {new TensorSpec("out", DataType.FP32, List.of(-1L, 1L)),
            new TensorSpec("out", DataType.FP32, List.of(-1L, 3L)), new TensorSpec("out", DataType.INT64, List.of(-1L))};

    @TempDir
    Path dir;

    @Test
    void theParsedColumnsGiveWhatTheTextGivesWheneverAPassCanReadThem() throws Exception {
        Random random = new Random(20261207);
        int compared = 0;
        for (int trial = 0; trial < 1500; trial++) {
            int width = 1 + random.nextInt(3);
            List<String> columns = new ArrayList<>();
            for (int c = 0; c < width; c++) {
                columns.add("c" + c);
            }
            columns.add("label");
            boolean note = random.nextInt(4) == 0; // a text column, sometimes non-ASCII: such rows are parsed as text
            if (note) {
                columns.add("note");
            }
            int rows = 1 + random.nextInt(6);
            Path csv = csv(random, columns, width, rows, note);
            Path target = dir.resolve("parsed");
            Files.deleteIfExists(target);
            Optional<ParsedColumnsFixture.Parsed> parsed = ParsedColumnsFixture.parse(csv, rows, columns, target);
            if (parsed.isEmpty()) {
                continue;
            }
            for (DataType type : TYPES) {
                for (Task task : Task.values()) {
                    for (TensorSpec output : OUTPUTS) {
                        if (task == Task.REGRESSION && output.shape().size() == 2 && output.shape().get(1) != 1) {
                            continue; // regression scores one value a row
                        }
                        DataType otherType = random.nextBoolean() ? null : TYPES[random.nextInt(TYPES.length)];
                        EvaluationPass pass = pass(columns.subList(0, width), type, otherType, output, task);
                        if (pass.canRead(parsed.get().columns())) {
                            compare(pass, csv, parsed.get(), otherType != null, output,
                                    Files.readString(csv) + " as " + type + "/" + otherType + ", " + task + ", " + output);
                            compared++;
                        }
                    }
                }
            }
        }
        assertTrue(compared > 1000, "only " + compared + " passes could read parsed columns: the values drifted");
    }

    private Path csv(Random random, List<String> columns, int width, int rows, boolean note) throws Exception {
        String[][] pools = new String[width + 1][];
        for (int c = 0; c < width; c++) {
            pools[c] = pick(random, VALUES, 1 + random.nextInt(3)); // few values a column: some columns stay numeric
        }
        pools[width] = pick(random, LABELS, 1 + random.nextInt(3));
        StringBuilder text = new StringBuilder(String.join(",", columns)).append('\n');
        for (int r = 0; r < rows; r++) {
            List<String> row = new ArrayList<>();
            for (String[] pool : pools) {
                row.add(pool[random.nextInt(pool.length)]);
            }
            if (note) {
                row.add(random.nextBoolean() ? "é" : "x");
            }
            text.append(String.join(",", row)).append(random.nextBoolean() ? "\n" : "\r\n");
        }
        Path csv = dir.resolve("data.csv");
        Files.writeString(csv, text, StandardCharsets.UTF_8);
        return csv;
    }

    private static String[] pick(Random random, String[] from, int count) {
        String[] picked = new String[count];
        Arrays.setAll(picked, i -> from[random.nextInt(from.length)]);
        return picked;
    }

    private static EvaluationPass pass(List<String> inputs, DataType type, DataType otherType, TensorSpec output,
                                       Task task) {
        List<String> columns = new ArrayList<>(inputs);
        columns.add("label");
        ColumnMapping mapping = mapping(1, inputs, type, output, columns, task);
        ColumnMapping other = otherType == null ? null : mapping(2, inputs, otherType, output, columns, task);
        return new EvaluationPass(mapping, other, task, "label", 2);
    }

    private static ColumnMapping mapping(int version, List<String> inputs, DataType type, TensorSpec output,
                                         List<String> columns, Task task) {
        Signature signature = new Signature(List.of(new TensorSpec("x", type, List.of(-1L, (long) inputs.size()))),
                List.of(output));
        return ColumnMapping.check(version, signature, Map.of("x", inputs), columns, "label", task);
    }

    private static void compare(EvaluationPass pass, Path csv, ParsedColumnsFixture.Parsed parsed, boolean other,
                                TensorSpec output, String what) throws Exception {
        List<String> fromText = new ArrayList<>();
        EvaluationPass.Outcome text;
        try (DatasetCursor rows = ParsedColumnsFixture.cursor(csv)) {
            text = pass.run(rows, model(fromText, output), other ? model(fromText, output) : null, read -> { });
        }
        List<String> fromParsed = new ArrayList<>();
        EvaluationPass.Outcome numbers;
        try (ParsedRows rows = parsed.open()) {
            numbers = pass.run(rows, parsed.columns(), model(fromParsed, output),
                    other ? model(fromParsed, output) : null, read -> { });
        }
        assertEquals(fromText, fromParsed, "the inputs the model was given, for " + what);
        assertEquals(figures(text), figures(numbers), "the results, for " + what);
    }

    /** The results without what differs between two passes over the same rows: timings, and where rows came from. */
    private static String figures(EvaluationPass.Outcome outcome) {
        Map<String, Object> results = new HashMap<>(outcome.results());
        results.remove("latency_ms");
        results.remove("rows_read_from");
        if (results.get("compared") instanceof Map<?, ?> compared) {
            Map<Object, Object> figures = new HashMap<>(compared);
            figures.remove("latency_ms");
            results.put("compared", figures);
        }
        return new TreeMap<>(results).toString();
    }

    /** A model that notes each batch's inputs bit for bit and answers the same outputs whatever they are. */
    private static EvaluationPass.Model model(List<String> seen, TensorSpec output) {
        return inputs -> {
            Tensor input = inputs[0];
            seen.add(input.datatype() + " " + switch (input.datatype()) {
                case FP32 -> bits((float[]) input.data());
                case FP64 -> Arrays.toString(Arrays.stream((double[]) input.data())
                        .mapToLong(Double::doubleToRawLongBits).toArray());
                case INT32 -> Arrays.toString((int[]) input.data());
                default -> Arrays.toString((long[]) input.data());
            });
            int rows = (int) input.shape()[0];
            if (output.datatype() == DataType.INT64) {
                return new Tensor[] {new Tensor("out", DataType.INT64, new long[] {rows}, new long[rows])};
            }
            int perRow = output.shape().get(1).intValue();
            float[] scores = new float[rows * perRow];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = (float) (i * 0.37 % 1);
            }
            return new Tensor[] {new Tensor("out", DataType.FP32, new long[] {rows, perRow}, scores)};
        };
    }

    private static String bits(float[] values) {
        int[] bits = new int[values.length];
        Arrays.setAll(bits, i -> Float.floatToRawIntBits(values[i]));
        return Arrays.toString(bits);
    }
}

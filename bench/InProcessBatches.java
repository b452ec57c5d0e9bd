import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * In-process baselines for bench/evaluation.sh: the rows per second of one ONNX classifier (x FP32 [-1, 4]) called
 * through DJL in batches of BATCH rows on one thread (one predictor, inter- and intra-op threads 1: what an evaluation
 * thread gets), over the feature columns f1..f4 of CSV.
 * <ul>
 * <li>model calls (the issue's baseline): the rows parsed before the clock starts; no HTTP, database, parsing or
 * scoring, the model calls alone;</li>
 * <li>CSV + model calls (shown beside it): what a user evaluating in-process also pays, the file read and parsed the
 * plain way (BufferedReader, split, Float.parseFloat) on the same thread, batch by batch.</li>
 * </ul>
 * It loads the rows and the model once, then runs one pass of each for every line {@code pass} read from standard
 * input and prints {@code pass rows_per_s=... csv_rows_per_s=...}, until standard input ends. The bench sends the
 * first line (the warm-up: JIT, ONNX Runtime's first runs) before the server starts, and each later one right before
 * a server evaluation, so a pass and the evaluation it is compared with run a few seconds apart, one at a time.
 *
 * <pre>
 * java -cp 'APP/lib/main/*:APP/app/*' bench/InProcessBatches.java MODEL.onnx DATA.csv [BATCH=256] [CACHE_DIR]
 * </pre>
 */
public class InProcessBatches {

    static final class Batch implements NoBatchifyTranslator<float[], float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[] input) {
            NDArray x = ctx.getNDManager().create(input, new Shape(input.length / 4, 4));
            x.setName("x");
            return new NDList(x);
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.singletonOrThrow().toFloatArray();
        }
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path csv = Path.of(args[1]);
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        Path cache = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("djl-inprocess");
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.onnx.disable_alternative", "true");
        System.setProperty("DJL_CACHE_DIR", cache.toString());
        System.setProperty("ENGINE_CACHE_DIR", cache.toString());

        float[] features = readFeatures(csv);
        Criteria<float[], float[]> criteria = Criteria.builder().setTypes(float[].class, float[].class)
                .optEngine("OnnxRuntime").optModelPath(model).optTranslator(new Batch())
                .optOption("interOpNumThreads", "1").optOption("intraOpNumThreads", "1").build();
        try (ZooModel<float[], float[]> zoo = criteria.loadModel();
             Predictor<float[], float[]> predictor = zoo.newPredictor();
             BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("ready rows=" + features.length / 4 + " batch=" + batch);
            String command;
            while ((command = commands.readLine()) != null) {
                if (!command.equals("pass")) {
                    throw new IllegalArgumentException("unknown command '" + command + "' (only 'pass')");
                }
                double a = calls(predictor, features, batch);
                double b = csvAndCalls(predictor, csv, batch);
                System.out.printf("pass rows_per_s=%.0f csv_rows_per_s=%.0f%n", a, b);
            }
        }
    }

    /** Rows per second of the model calls alone, over rows parsed beforehand. */
    private static double calls(Predictor<float[], float[]> predictor, float[] features, int batch) throws Exception {
        int rows = features.length / 4;
        long start = System.nanoTime();
        double sink = 0;
        for (int from = 0; from < rows; from += batch) {
            int n = Math.min(batch, rows - from);
            float[] input = new float[n * 4];
            System.arraycopy(features, from * 4, input, 0, n * 4);
            sink += predictor.predict(input)[0];
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (sink == 42.4242) {
            System.out.print("");
        }
        return rows / seconds;
    }

    /** Rows per second of reading the CSV and calling the model, batch by batch, on this thread. */
    private static double csvAndCalls(Predictor<float[], float[]> predictor, Path csv, int batch) throws Exception {
        long start = System.nanoTime();
        long rows = 0;
        double sink = 0;
        float[] input = new float[batch * 4];
        int n = 0;
        try (BufferedReader reader = Files.newBufferedReader(csv)) {
            reader.readLine(); // header: f1,f2,f3,f4,species
            String line;
            while ((line = reader.readLine()) != null) {
                String[] fields = line.split(",", -1);
                for (int c = 0; c < 4; c++) {
                    input[n * 4 + c] = Float.parseFloat(fields[c]);
                }
                rows++;
                if (++n == batch) {
                    sink += predictor.predict(Arrays.copyOf(input, n * 4))[0];
                    n = 0;
                }
            }
        }
        if (n > 0) {
            sink += predictor.predict(Arrays.copyOf(input, n * 4))[0];
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (sink == 42.4242) {
            System.out.print("");
        }
        return rows / seconds;
    }

    private static float[] readFeatures(Path csv) throws Exception {
        long lines = 0;
        try (var stream = Files.lines(csv)) {
            lines = stream.count() - 1;
        }
        float[] features = new float[Math.toIntExact(lines * 4)];
        try (BufferedReader reader = Files.newBufferedReader(csv)) {
            reader.readLine(); // header: f1,f2,f3,f4,species
            String line;
            int i = 0;
            while ((line = reader.readLine()) != null) {
                String[] fields = line.split(",", -1);
                for (int c = 0; c < 4; c++) {
                    features[i++] = Float.parseFloat(fields[c]);
                }
            }
        }
        return features;
    }
}

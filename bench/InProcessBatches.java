import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * In-process baseline for bench/evaluation.sh: the rows per second of one ONNX classifier (x FP32 [-1, 4]) called
 * through DJL in batches of BATCH rows on one thread (one predictor, inter- and intra-op threads 1: what an evaluation
 * thread gets), over the feature columns f1..f4 of CSV, parsed before the clock starts. No HTTP, database, parsing or
 * scoring: the model calls alone.
 *
 * <pre>
 * java -cp 'APP/lib/main/*:APP/app/*' bench/InProcessBatches.java MODEL.onnx DATA.csv [BATCH=256] [PASSES=2] [CACHE_DIR]
 * </pre>
 *
 * Prints one line per pass: {@code in-process pass=N rows=... batch=... seconds=... rows_per_s=...}; the last pass
 * (JIT warm) is the baseline.
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
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Path cache = args.length > 4 ? Path.of(args[4]) : Files.createTempDirectory("djl-inprocess");
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.onnx.disable_alternative", "true");
        System.setProperty("DJL_CACHE_DIR", cache.toString());
        System.setProperty("ENGINE_CACHE_DIR", cache.toString());

        float[] features = readFeatures(csv);
        int rows = features.length / 4;
        Criteria<float[], float[]> criteria = Criteria.builder().setTypes(float[].class, float[].class)
                .optEngine("OnnxRuntime").optModelPath(model).optTranslator(new Batch())
                .optOption("interOpNumThreads", "1").optOption("intraOpNumThreads", "1").build();
        try (ZooModel<float[], float[]> zoo = criteria.loadModel();
             Predictor<float[], float[]> predictor = zoo.newPredictor()) {
            for (int pass = 1; pass <= passes; pass++) {
                long start = System.nanoTime();
                double sink = 0;
                for (int from = 0; from < rows; from += batch) {
                    int n = Math.min(batch, rows - from);
                    float[] input = new float[n * 4];
                    System.arraycopy(features, from * 4, input, 0, n * 4);
                    sink += predictor.predict(input)[0];
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("in-process pass=%d rows=%d batch=%d seconds=%.2f rows_per_s=%.0f sink=%.3f%n", pass,
                        rows, batch, seconds, rows / seconds, sink);
            }
        }
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

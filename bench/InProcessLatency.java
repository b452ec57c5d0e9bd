import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * In-process DJL baseline for bench/serving.sh: the latency of one ONNX Runtime prediction of a [1,1] FP32 tensor
 * through DJL, with no HTTP, JSON or registry in the way. Same engine options as Turnout (inter- and intra-op
 * threads 1).
 *
 * <pre>
 * java -cp '/tmp/serving-bench-app/lib/main/*:/tmp/serving-bench-app/app/*' bench/InProcessLatency.java \
 *     src/test/resources/models/linear-v1.onnx [N=20000] [WARMUP=5000] [CACHE_DIR=a new temp dir]
 * </pre>
 *
 * Prints one line: {@code in-process n=N p50_us=... p99_us=... mean_us=... max_us=...}, after checking 3.0 gives 7.0.
 */
public class InProcessLatency {

    /** float[] in, float[] out; the input becomes a [1, n] tensor named x. */
    static final class FloatTranslator implements NoBatchifyTranslator<float[], float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[] input) {
            NDArray x = ctx.getNDManager().create(input, new Shape(1, input.length));
            x.setName("x");
            return new NDList(x);
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.singletonOrThrow().toFloatArray();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: InProcessLatency MODEL.onnx [N] [WARMUP] [CACHE_DIR]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        Path cache = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("djl-inprocess");
        Files.createDirectories(cache);

        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.onnx.disable_alternative", "true");
        System.setProperty("DJL_CACHE_DIR", cache.toString());
        System.setProperty("ENGINE_CACHE_DIR", cache.toString());

        Criteria<float[], float[]> criteria = Criteria.builder()
                .setTypes(float[].class, float[].class)
                .optEngine("OnnxRuntime")
                .optModelPath(model)
                .optTranslator(new FloatTranslator())
                // DJL's OnnxRuntime engine applies intraOpNumThreads only when interOpNumThreads is set as well.
                .optOption("interOpNumThreads", "1")
                .optOption("intraOpNumThreads", "1")
                .build();

        try (ZooModel<float[], float[]> zoo = criteria.loadModel();
             Predictor<float[], float[]> predictor = zoo.newPredictor()) {
            float[] check = predictor.predict(new float[] {3.0f});
            if (check.length != 1 || Math.abs(check[0] - 7.0f) > 1e-5) {
                throw new IllegalStateException("expected [7.0] for [3.0], got " + Arrays.toString(check));
            }
            float[] input = {3.0f};
            float sink = 0;
            for (int i = 0; i < warmup; i++) {
                sink += predictor.predict(input)[0];
            }
            long[] nanos = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                float[] out = predictor.predict(input);
                nanos[i] = System.nanoTime() - t0;
                sink += out[0];
            }
            if (sink != 7.0f * (warmup + n)) {
                throw new IllegalStateException("some prediction was not 7.0 (sum " + sink + ")");
            }
            long total = 0;
            for (long t : nanos) {
                total += t;
            }
            Arrays.sort(nanos);
            System.out.printf("in-process n=%d p50_us=%.1f p99_us=%.1f mean_us=%.1f max_us=%.1f engine=%s%n",
                    n, percentile(nanos, 50) / 1e3, percentile(nanos, 99) / 1e3, total / (double) n / 1e3,
                    nanos[n - 1] / 1e3, zoo.getNDManager().getEngine().getEngineName() + " "
                            + zoo.getNDManager().getEngine().getVersion());
        }
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}

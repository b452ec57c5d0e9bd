import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-process DJL baseline for bench/heavy-payloads.sh: the throughput of one ONNX model called through DJL with no
 * HTTP, JSON or registry in the way, on THREADS inference threads (one predictor each, the engine options Turnout
 * uses: inter- and intra-op threads 1), fed by CALLERS closed-loop callers as a server at that concurrency would be.
 *
 * <pre>
 * java -cp 'APP/lib/main/*:APP/app/*' bench/InProcessThroughput.java MODEL.onnx INPUT.bin \
 *     [THREADS=2] [CALLERS=8] [WARMUP_S=10] [DURATION_S=15] [CACHE_DIR]
 * </pre>
 *
 * INPUT.bin is one [1, 3, 224, 224] FP32 tensor, little-endian. Prints one line:
 * {@code in-process threads=2 callers=8 n=... per_s=... argmax=... engine=...}.
 */
public class InProcessThroughput {

    static final class FloatTranslator implements NoBatchifyTranslator<float[], float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[] input) {
            NDArray x = ctx.getNDManager().create(input, new Shape(1, 3, 224, 224));
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
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(Path.of(args[1]))).order(ByteOrder.LITTLE_ENDIAN);
        float[] input = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(input);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int callers = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        int duration = args.length > 5 ? Integer.parseInt(args[5]) : 15;
        Path cache = args.length > 6 ? Path.of(args[6]) : Files.createTempDirectory("djl-inprocess");
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
                .optOption("interOpNumThreads", "1")
                .optOption("intraOpNumThreads", "1")
                .build();
        try (ZooModel<float[], float[]> zoo = criteria.loadModel()) {
            List<Predictor<float[], float[]>> predictors = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                predictors.add(zoo.newPredictor());
            }
            float[] check = predictors.get(0).predict(input);
            int argmax = 0;
            for (int i = 1; i < check.length; i++) {
                argmax = check[i] > check[argmax] ? i : argmax;
            }
            AtomicLong next = new AtomicLong();
            ThreadLocal<Predictor<float[], float[]>> mine = ThreadLocal.withInitial(
                    () -> predictors.get((int) next.getAndIncrement()));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicBoolean counting = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong done = new AtomicLong();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                Thread client = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            Future<float[]> answer = pool.submit(() -> mine.get().predict(input));
                            if (answer.get().length != check.length) {
                                throw new IllegalStateException("wrong output length");
                            }
                            if (counting.get()) {
                                done.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                client.start();
                clients.add(client);
            }
            Thread.sleep(warmup * 1000L);
            long t0 = System.nanoTime();
            counting.set(true);
            Thread.sleep(duration * 1000L);
            counting.set(false);
            long n = done.get();
            double seconds = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            for (Thread client : clients) {
                client.join();
            }
            pool.shutdown();
            predictors.forEach(Predictor::close);
            System.out.printf("in-process threads=%d callers=%d n=%d per_s=%.1f argmax=%d engine=%s%n", threads,
                    callers, n, n / seconds, argmax, zoo.getNDManager().getEngine().getEngineName() + " "
                            + zoo.getNDManager().getEngine().getVersion());
        }
    }
}

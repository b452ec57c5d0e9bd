package dev.turnout.engine;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** A model loaded into its engine, ready to predict from any thread. Close it to free the engine's memory. */
public final class LoadedModel implements AutoCloseable {

    private final ModelFormat format;
    private final Signature signature;
    private final ZooModel<Tensor[], Tensor[]> model;
    private final PredictorPool predictors;
    private final LongAdder inferences = new LongAdder();
    private volatile Duration loadTime = Duration.ZERO;
    private volatile Duration warmupTime = Duration.ZERO;

    LoadedModel(ModelFormat format, Signature signature, ZooModel<Tensor[], Tensor[]> model, PoolSize pool) {
        this.format = format;
        this.signature = signature;
        this.model = model;
        try {
            this.predictors = new PredictorPool(model, pool.predictors(), pool.maxQueued());
        } catch (RuntimeException e) {
            model.close(); // its native memory would outlive this failed load otherwise
            throw e;
        }
    }

    public ModelFormat format() {
        return format;
    }

    public Signature signature() {
        return signature;
    }

    /** How many predictors a model gets, and how many calls may wait for one before the next is refused. */
    public record PoolSize(int predictors, int maxQueued) {
        public static final PoolSize SINGLE = new PoolSize(1, 0);
    }

    /**
     * Runs the model. Inputs must already be checked against {@link #signature()} and ordered as its inputs.
     *
     * @throws OverloadedException when every predictor is busy and the wait queue is full
     * @throws OutputTooLargeException when an output has more elements than a prediction may return
     */
    public Tensor[] predict(Tensor[] inputs) throws TranslateException, InterruptedException {
        Tensor[] outputs;
        try {
            outputs = predictors.predict(inputs);
        } catch (TranslateException e) {
            if (e.getCause() instanceof OutputTooLargeException tooLarge) { // DJL wraps what the translator throws
                throw tooLarge;
            }
            throw e;
        }
        inferences.increment();
        return outputs;
    }

    /**
     * Runs the model and describes its outputs (name, datatype, shape) without copying their data out of the engine:
     * the smoke test and warm-ups, before the model takes traffic. Each call has its own predictor, so it is safe
     * from any thread and never waits for, or is refused by, the serving predictors.
     */
    TensorSpec[] probe(Tensor[] inputs) throws TranslateException {
        try (Predictor<Tensor[], TensorSpec[]> predictor = model.newPredictor(new OutputShapeTranslator(signature))) {
            TensorSpec[] outputs = predictor.predict(inputs);
            inferences.increment();
            return outputs;
        }
    }

    /** How long loading took (engine and predictors), and then the warm-up inferences. */
    public Duration loadTime() {
        return loadTime;
    }

    public Duration warmupTime() {
        return warmupTime;
    }

    void timings(Duration load, Duration warmup) {
        this.loadTime = load;
        this.warmupTime = warmup;
    }

    /** Inferences run so far, warm-ups included. */
    public long inferences() {
        return inferences.sum();
    }

    PredictorPool pool() {
        return predictors;
    }

    /** Predictors first, then the model: the order DJL needs to free native memory cleanly. */
    @Override
    public void close() {
        predictors.close();
        model.close();
    }
}

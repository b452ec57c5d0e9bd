package dev.turnout.engine;

import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

/** A model loaded into its engine, ready to predict from any thread. Close it to free the engine's memory. */
public final class LoadedModel implements AutoCloseable {

    private final ModelFormat format;
    private final Signature signature;
    private final ZooModel<Tensor[], Tensor[]> model;
    private final PredictorPool predictors;

    LoadedModel(ModelFormat format, Signature signature, ZooModel<Tensor[], Tensor[]> model, int predictors) {
        this.format = format;
        this.signature = signature;
        this.model = model;
        this.predictors = new PredictorPool(model, predictors);
    }

    public ModelFormat format() {
        return format;
    }

    public Signature signature() {
        return signature;
    }

    /** Runs the model. Inputs must already be checked against {@link #signature()} and ordered as its inputs. */
    public Tensor[] predict(Tensor[] inputs) throws TranslateException, InterruptedException {
        return predictors.predict(inputs);
    }

    /** Predictors first, then the model: the order DJL needs to free native memory cleanly. */
    @Override
    public void close() {
        predictors.close();
        model.close();
    }
}

package dev.turnout.engine;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/** A fixed set of predictors over one model: DJL predictors are not thread-safe, so each call borrows one. */
final class PredictorPool implements AutoCloseable {

    private final BlockingQueue<Predictor<Tensor[], Tensor[]>> idle;
    private final List<Predictor<Tensor[], Tensor[]>> all = new ArrayList<>();

    PredictorPool(ZooModel<Tensor[], Tensor[]> model, int size) {
        idle = new ArrayBlockingQueue<>(size);
        for (int i = 0; i < size; i++) {
            Predictor<Tensor[], Tensor[]> predictor = model.newPredictor();
            all.add(predictor);
            idle.add(predictor);
        }
    }

    Tensor[] predict(Tensor[] inputs) throws TranslateException, InterruptedException {
        Predictor<Tensor[], Tensor[]> predictor = idle.take();
        try {
            return predictor.predict(inputs);
        } finally {
            idle.add(predictor);
        }
    }

    @Override
    public void close() {
        all.forEach(Predictor::close);
    }
}

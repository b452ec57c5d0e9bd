package dev.turnout.engine;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * A fixed set of predictors over one model (DJL predictors are not thread-safe, so each call borrows one), with
 * admission control: at most {@code size + maxQueued} calls are inside at once; the next is refused at once rather
 * than queued without bound.
 */
final class PredictorPool implements AutoCloseable {

    private final BlockingQueue<Predictor<Tensor[], Tensor[]>> idle;
    private final List<Predictor<Tensor[], Tensor[]>> all = new ArrayList<>();
    private final Semaphore admission;

    PredictorPool(ZooModel<Tensor[], Tensor[]> model, int size, int maxQueued) {
        idle = new ArrayBlockingQueue<>(size);
        admission = new Semaphore(size + maxQueued);
        try {
            for (int i = 0; i < size; i++) {
                Predictor<Tensor[], Tensor[]> predictor = model.newPredictor();
                all.add(predictor);
                idle.add(predictor);
            }
        } catch (RuntimeException e) {
            close(); // the predictors made so far
            throw e;
        }
    }

    Tensor[] predict(Tensor[] inputs) throws TranslateException, InterruptedException {
        try (Borrowed borrowed = borrow()) {
            return borrowed.predictor.predict(inputs);
        }
    }

    /** Admits the caller (or refuses at once), then waits for an idle predictor. */
    Borrowed borrow() throws InterruptedException {
        if (!admission.tryAcquire()) {
            throw new OverloadedException("all " + all.size() + " predictors are busy and the wait queue is full");
        }
        try {
            return new Borrowed(idle.take());
        } catch (InterruptedException | RuntimeException e) {
            admission.release();
            throw e;
        }
    }

    /** A predictor taken from the pool, returned (and the caller's admission released) on close. */
    final class Borrowed implements AutoCloseable {
        final Predictor<Tensor[], Tensor[]> predictor;

        private Borrowed(Predictor<Tensor[], Tensor[]> predictor) {
            this.predictor = predictor;
        }

        @Override
        public void close() {
            idle.add(predictor);
            admission.release();
        }
    }

    @Override
    public void close() {
        all.forEach(Predictor::close);
    }
}

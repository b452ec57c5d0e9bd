package dev.turnout.serving;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.OverloadedException;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads predictions run on: by default one per CPU core, as many as each model has predictors, fed by one
 * bounded queue. Under load a thread takes the next request straight from the queue instead of parking and being
 * woken for each one (what a large shared worker pool does); when the queue is full the request is refused at once
 * ({@link OverloadedException}, 503 with Retry-After) rather than queued without bound.
 */
@ApplicationScoped
public class InferenceExecutor implements Executor {

    private final ThreadPoolExecutor pool;
    private final int queueCapacity;

    public InferenceExecutor(TurnoutConfig config) {
        TurnoutConfig.Serving serving = config.serving();
        int threads = serving.inferenceThreads() > 0 ? serving.inferenceThreads()
                : Runtime.getRuntime().availableProcessors();
        this.queueCapacity = serving.maxQueuedRequests();
        BlockingQueue<Runnable> queue = queueCapacity == 0 ? new SynchronousQueue<>()
                : new LinkedBlockingQueue<>(queueCapacity);
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, queue, runnable -> {
            Thread thread = new Thread(runnable, "turnout-inference-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, (task, executor) -> {
            throw new OverloadedException("all " + threads + " inference threads are busy and " + queueCapacity
                    + " requests are waiting (turnout.serving.max-queued-requests)");
        });
    }

    /** Runs {@code task} on an inference thread, or throws {@link OverloadedException} at once when full. */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    public int threads() {
        return pool.getMaximumPoolSize();
    }

    /** Requests waiting for a thread now. */
    public int queued() {
        return pool.getQueue().size();
    }

    /** In-flight requests finish (HTTP's graceful shutdown has waited for them); nothing new is taken. */
    void stop(@Observes ShutdownEvent event) {
        pool.shutdown();
    }
}

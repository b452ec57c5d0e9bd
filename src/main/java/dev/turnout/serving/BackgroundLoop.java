package dev.turnout.serving;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Work a replica repeats in the background on its own daemon thread (reconcile, heartbeat). Every round survives any
 * throwable, an OutOfMemoryError or UnsatisfiedLinkError included: it is logged and the next round runs, since a
 * stopped loop would leave the replica serving stale versions while it reports live. Should the loop end anyway,
 * {@link #alive()} says so and liveness turns DOWN, so the orchestrator restarts the replica.
 */
public final class BackgroundLoop {

    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class);
    /** How long {@link #stop()} waits for a round in progress (a round is a few queries; shutdown must not hang). */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final ScheduledExecutorService executor;
    private volatile ScheduledFuture<?> rounds;

    public BackgroundLoop(String name) {
        this.name = name;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs {@code round} once now (e.g. an initial load), guarded like every round. */
    public void runOnce(Runnable round) {
        executor.execute(() -> guarded(name, round));
    }

    /** Runs {@code round} every {@code interval} after {@code initialDelay}, each round guarded. */
    public void repeat(Duration initialDelay, Duration interval, Runnable round) {
        rounds = executor.scheduleWithFixedDelay(() -> guarded(name, round), initialDelay.toMillis(),
                interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on this loop's thread after {@code delay}, guarded. */
    public void schedule(Duration delay, Runnable task) {
        if (!executor.isShutdown()) {
            executor.schedule(() -> guarded(name, task), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Whether the repeated rounds are still scheduled. */
    public boolean alive() {
        ScheduledFuture<?> scheduled = rounds;
        return scheduled != null && !scheduled.isDone() && !executor.isShutdown();
    }

    /**
     * Cancels the rounds to come and waits (up to {@link #STOP_WAIT}) for the one in progress: what stops the loop
     * at shutdown closes the database next, and a round still running would then fail against the closed pool.
     */
    public void stop() {
        executor.shutdownNow();
        if (Thread.currentThread().getName().equals(name)) {
            return; // stopped from one of its own rounds: that round is the one in progress
        }
        try {
            executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code round}; whatever it throws is logged, never passed on. */
    public static void guarded(String loop, Runnable round) {
        try {
            round.run();
        } catch (Throwable e) { // any throwable: see the class comment
            LOG.errorf(e, "%s: a round failed (%s); the next round runs as scheduled", loop, e);
        }
    }
}

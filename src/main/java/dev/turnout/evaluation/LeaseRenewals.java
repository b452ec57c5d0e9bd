package dev.turnout.evaluation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;

/**
 * Keeps one claim's lease: renewed (with the rows done) at most every {@code every} ms, on {@code renewer} rather than
 * on the evaluation thread, so a pass does not stop for a database round trip and its commit each second. A renewal
 * that finds the claim lost, or fails, is reported on the evaluation thread at its next {@link #progress} (or at
 * {@link #settle}), as a synchronous renewal would have been; at most one renewal is in flight.
 */
final class LeaseRenewals {

    /** This replica no longer holds the claim (its lease expired and another replica took it). */
    static final class Lost extends RuntimeException {
    }

    private final LongPredicate renew;
    private final Executor renewer;
    private final long every;
    private long last;
    private CompletableFuture<Boolean> pending;

    /**
     * @param renew renews the lease with the rows done so far; false when the claim is lost
     * @param claimedAt when the claim took its lease (System.currentTimeMillis())
     */
    LeaseRenewals(LongPredicate renew, Executor renewer, long every, long claimedAt) {
        this.renew = renew;
        this.renewer = renewer;
        this.every = every;
        this.last = claimedAt;
    }

    /**
     * The threads that renew the leases of a replica's runs in progress, off their evaluation threads: one per
     * evaluation thread, so a renewal waiting on a row lock delays only its own run's, not every other run's (whose
     * leases could then expire and their runs be taken by another replica). They end when idle, so the pool is never
     * shut down: a run interrupted at shutdown must still find it (and be left RUNNING, not failed by a refused task).
     */
    static ExecutorService renewers(int evaluationThreads) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(evaluationThreads, evaluationThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "turnout-evaluation-lease-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** On the evaluation thread, before the pass: renews now if loading took the lease's renewal interval or more. */
    void renewIfDue(long rowsDone) {
        long now = System.currentTimeMillis();
        if (now - last >= every) {
            check(renew.test(rowsDone));
            last = now;
        }
    }

    /** On the evaluation thread, after each batch: reports a finished renewal, starts the next one when due. */
    void progress(long rowsDone) {
        if (pending != null && pending.isDone()) {
            CompletableFuture<Boolean> done = pending;
            pending = null;
            check(unwrap(done));
        }
        long now = System.currentTimeMillis();
        if (pending == null && now - last >= every) {
            last = now;
            pending = CompletableFuture.supplyAsync(() -> renew.test(rowsDone), renewer);
        }
    }

    /** Waits for the renewal in flight, if any, and reports it: call before recording the outcome. */
    void settle() throws InterruptedException {
        if (pending == null) {
            return;
        }
        CompletableFuture<Boolean> done = pending;
        pending = null;
        try {
            check(done.get());
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static boolean unwrap(CompletableFuture<Boolean> done) {
        try {
            return done.join();
        } catch (CompletionException e) {
            throw rethrow(e.getCause());
        }
    }

    /** A renewal's own failure, as the evaluation thread would have met it. */
    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(cause);
    }

    private static void check(boolean held) {
        if (!held) {
            throw new Lost();
        }
    }
}

package dev.turnout.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The body bytes all requests read whole (inference bodies, management JSON) may hold at once. A request reserves its declared length before a byte of
 * its body is read and returns it when its answer is done (or its connection is gone), so a crowd of clients each
 * within the per-request limit still cannot fill the heap.
 */
public final class InFlightBodyBudget {

    private final long capacity;
    private final AtomicLong reserved = new AtomicLong();

    public InFlightBodyBudget(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("the in-flight body budget must be positive, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** Reserves {@code bytes}, or returns false at once when they do not fit beside what is reserved now. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (bytes > capacity - now) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    public long capacity() {
        return capacity;
    }

    /** What a request that does not fit is told. */
    public String fullMessage() {
        return "the bodies of the requests in flight fill this replica's budget of " + capacity + " bytes ("
                + WholeBodyLimits.BUDGET_PROPERTY + "); retry shortly";
    }

    public long reserved() {
        return reserved.get();
    }
}

package dev.turnout.evaluation;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseRenewalsTest {

    private static final long EVERY = 1000;

    @Test
    void aFreshClaimIsNotRenewedBeforeThePassButALongLoadIsFollowedByARenewal() {
        List<Long> renewed = new ArrayList<>();
        long now = System.currentTimeMillis();
        new LeaseRenewals(rows -> renewed.add(rows), Runnable::run, EVERY, now).renewIfDue(0);
        assertEquals(List.of(), renewed);

        new LeaseRenewals(rows -> renewed.add(rows), Runnable::run, EVERY, now - EVERY).renewIfDue(0);
        assertEquals(List.of(0L), renewed);
        assertThrows(LeaseRenewals.Lost.class,
                () -> new LeaseRenewals(rows -> false, Runnable::run, EVERY, now - EVERY).renewIfDue(0));
    }

    @Test
    void renewalsRunOffTheCallingThreadWithTheRowsDoneAndAtMostOneAtATime() throws Exception {
        ExecutorService renewer = Executors.newSingleThreadExecutor();
        try {
            List<Thread> threads = new ArrayList<>();
            List<Long> rows = new ArrayList<>();
            CountDownLatch release = new CountDownLatch(1);
            // every = 0: each progress is due by the clock, so only the renewal in flight holds the second back
            LeaseRenewals lease = new LeaseRenewals(done -> {
                threads.add(Thread.currentThread());
                rows.add(done);
                await(release);
                return true;
            }, renewer, 0, System.currentTimeMillis());
            lease.progress(256);
            lease.progress(512); // due, but one is still in flight
            release.countDown();
            lease.settle();
            assertEquals(List.of(256L), rows);
            assertNotEquals(Thread.currentThread(), threads.get(0));
            lease.progress(768); // the one in flight has finished: the next starts
            lease.settle();
            assertEquals(List.of(256L, 768L), rows);
        } finally {
            renewer.shutdownNow();
        }
    }

    @Test
    void aRenewalIsNotStartedBeforeItIsDue() throws Exception {
        List<Long> rows = new ArrayList<>();
        LeaseRenewals lease = new LeaseRenewals(rows::add, Runnable::run, EVERY, System.currentTimeMillis());
        lease.progress(256);
        lease.settle();
        assertEquals(List.of(), rows);
    }

    @Test
    void aRenewalStuckOnARowLockDoesNotHoldBackAnotherRunsRenewal() throws Exception {
        ExecutorService renewers = LeaseRenewals.renewers(2);
        CountDownLatch release = new CountDownLatch(1);
        try {
            List<Long> rows = Collections.synchronizedList(new ArrayList<>());
            LeaseRenewals stuck = new LeaseRenewals(done -> {
                try {
                    return release.await(1, TimeUnit.MINUTES); // longer than the other may wait below
                } catch (InterruptedException e) {
                    return false;
                }
            }, renewers, 0, System.currentTimeMillis());
            LeaseRenewals other = new LeaseRenewals(rows::add, renewers, 0, System.currentTimeMillis());
            stuck.progress(256);
            other.progress(512);
            CompletableFuture<Void> settled = CompletableFuture.runAsync(() -> {
                try {
                    other.settle();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            settled.get(5, TimeUnit.SECONDS); // with one renewal thread, this waited for the stuck renewal
            assertEquals(List.of(512L), rows);
            assertTrue(((ThreadPoolExecutor) renewers).allowsCoreThreadTimeOut(), "idle renewal threads end");
        } finally {
            release.countDown();
            renewers.shutdownNow();
        }
    }

    @Test
    void aLostClaimStopsThePassAtTheNextBatchOrAtTheEnd() throws Exception {
        ExecutorService renewer = Executors.newSingleThreadExecutor();
        try {
            LeaseRenewals atNextBatch = new LeaseRenewals(done -> false, renewer, EVERY,
                    System.currentTimeMillis() - EVERY);
            atNextBatch.progress(256);
            renewer.submit(() -> { }).get(5, TimeUnit.SECONDS); // the renewal has run
            assertThrows(LeaseRenewals.Lost.class, () -> atNextBatch.progress(512));

            LeaseRenewals atTheEnd = new LeaseRenewals(done -> false, renewer, EVERY,
                    System.currentTimeMillis() - EVERY);
            atTheEnd.progress(256);
            assertThrows(LeaseRenewals.Lost.class, atTheEnd::settle);
        } finally {
            renewer.shutdownNow();
        }
    }

    @Test
    void aRenewalThatFailsFailsThePassWithItsOwnError() throws Exception {
        IllegalStateException down = new IllegalStateException("the database is down");
        ExecutorService renewer = Executors.newSingleThreadExecutor();
        try {
            LeaseRenewals atNextBatch = new LeaseRenewals(done -> {
                throw down;
            }, renewer, EVERY, System.currentTimeMillis() - EVERY);
            atNextBatch.progress(256);
            renewer.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertSame(down, assertThrows(IllegalStateException.class, () -> atNextBatch.progress(512)));

            LeaseRenewals atTheEnd = new LeaseRenewals(done -> {
                throw down;
            }, renewer, EVERY, System.currentTimeMillis() - EVERY);
            atTheEnd.progress(256);
            assertSame(down, assertThrows(IllegalStateException.class, atTheEnd::settle));
        } finally {
            renewer.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}

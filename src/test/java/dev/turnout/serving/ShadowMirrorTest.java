package dev.turnout.serving;

import dev.turnout.engine.DataType;
import dev.turnout.engine.Tensor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shadow queue: bounded, never blocks the caller, counts what it drops; runs are compared and counted. */
class ShadowMirrorTest {

    private static final Tensor[] ONE = {new Tensor("y", DataType.FP32, new long[] {1}, new float[] {1f})};
    private static final Tensor[] TWO = {new Tensor("y", DataType.FP32, new long[] {1}, new float[] {2f})};

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void aFullQueueDropsAndCountsWithoutWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        ShadowMirror mirror = new ShadowMirror(null, (model, version, inputs) -> {
            started.countDown();
            release.await(30, TimeUnit.SECONDS);
            return ONE;
        }, new ShadowComparison(0, 0), 1, 2, registry);

        mirror.mirror("m", 1, 2, ONE, ONE); // taken by the one thread, which blocks
        assertTrue(started.await(10, TimeUnit.SECONDS));
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            mirror.mirror("m", 1, 2, ONE, ONE); // 2 queue, 8 dropped
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "offering never waits for the candidate");
        assertEquals(new ShadowMirror.Counts(0, 0, 0, 8), mirror.counts("m", 2));
        assertEquals(8.0, registry.get("turnout.shadow.dropped").tags("model", "m", "version", "2").counter().count());

        release.countDown();
        awaitRuns(mirror, 3);
        assertEquals(new ShadowMirror.Counts(3, 0, 0, 8), mirror.counts("m", 2));
    }

    @Test
    void disagreementsAndCandidateFailuresAreCountedPerCandidate() throws Exception {
        ShadowMirror mirror = new ShadowMirror(null, (model, version, inputs) -> {
            if (version == 4) {
                throw new IllegalStateException("engine failure");
            }
            return version == 3 ? TWO : ONE;
        }, new ShadowComparison(0, 0), 1, 100, registry);
        mirror.mirror("m", 1, 2, ONE, ONE);
        mirror.mirror("m", 1, 3, ONE, ONE);
        mirror.mirror("m", 1, 3, TWO, TWO);
        mirror.mirror("m", 1, 4, ONE, ONE);
        awaitRuns(mirror, 1, 2);
        awaitRuns(mirror, 1, 3);
        awaitRuns(mirror, 1, 4);
        assertEquals(new ShadowMirror.Counts(1, 0, 0, 0), mirror.counts("m", 2));
        assertEquals(new ShadowMirror.Counts(2, 1, 0, 0), mirror.counts("m", 3));
        assertEquals(0.5, mirror.counts("m", 3).disagreementRate());
        assertEquals(new ShadowMirror.Counts(1, 0, 1, 0), mirror.counts("m", 4));
        assertEquals(1.0, mirror.counts("m", 4).disagreementRate(), "a failing candidate disagrees");
        assertEquals(0.0, mirror.counts("other", 2).disagreementRate());
    }

    @Test
    void targetsAreSetAndClearedPerModel() {
        ShadowMirror mirror = new ShadowMirror(null, (model, version, inputs) -> ONE, new ShadowComparison(0, 0), 1, 1,
                registry);
        mirror.setTarget("m", 3, 0.2);
        assertEquals(new ShadowMirror.Target(3, 0.2), mirror.target("m").orElseThrow());
        assertTrue(mirror.target("n").isEmpty());
        mirror.clear("m");
        assertTrue(mirror.target("m").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> mirror.setTarget("m", 3, 0));
        assertThrows(IllegalArgumentException.class, () -> mirror.setTarget("m", 3, 1.5));
        assertThrows(IllegalArgumentException.class, () -> mirror.setTarget("m", 0, 0.5));
    }

    private static void awaitRuns(ShadowMirror mirror, long runs) throws InterruptedException {
        awaitRuns(mirror, runs, 2);
    }

    private static void awaitRuns(ShadowMirror mirror, long runs, int version) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (mirror.counts("m", version).requests() < runs && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}

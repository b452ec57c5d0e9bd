package dev.turnout.serving;

import dev.turnout.Api;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.ModelLoader;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.ServingTarget;
import dev.turnout.events.WebhookDeliverer;
import dev.turnout.rollout.ActivationListener;
import dev.turnout.rollout.BackgroundLiveness;
import dev.turnout.rollout.ReplicaTracker;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.health.HealthCheckResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica's background work (the initial load, the reconcile loop) survives any throwable: an OutOfMemoryError or
 * an UnsatisfiedLinkError in one round must not leave the replica serving stale versions forever while it reports
 * live. A second server in this JVM over a registry whose first reads throw Errors.
 */
@QuarkusTest
class BackgroundLoopsTest {

    @Inject
    ArtifactCache cache;
    @Inject
    ModelLoader loader;
    @Inject
    TurnoutConfig config;
    @Inject
    ActivationListener listener;
    @Inject
    ReplicaTracker tracker;
    @Inject
    WebhookDeliverer deliverer;

    /** A registry that has no active versions, and whose first reads fail with an Error. */
    static final class FailingRegistry extends RegistryService {
        final AtomicInteger reads = new AtomicInteger();

        FailingRegistry() {
            super(null, null, null, null);
        }

        @Override
        public List<ServingTarget> targets() {
            int read = reads.incrementAndGet();
            if (read == 1) {
                throw new OutOfMemoryError("Java heap space (test)");
            }
            if (read == 2) {
                throw new UnsatisfiedLinkError("no onnxruntime in java.library.path (test)");
            }
            return List.of();
        }
    }

    @Test
    void aRoundThatThrowsAnErrorDoesNotEndItsLoop() throws InterruptedException {
        BackgroundLoop loop = new BackgroundLoop("test-loop");
        AtomicInteger rounds = new AtomicInteger();
        try {
            loop.repeat(Duration.ZERO, Duration.ofMillis(20), () -> {
                if (rounds.incrementAndGet() % 2 == 1) {
                    throw new StackOverflowError("test");
                }
            });
            for (int wait = 0; wait < 200 && rounds.get() < 6; wait++) {
                Thread.sleep(20);
            }
            assertTrue(rounds.get() >= 6, rounds.get() + " rounds");
            assertTrue(loop.alive());
        } finally {
            loop.stop();
        }
        assertFalse(loop.alive(), "a stopped loop reports itself dead");
    }

    @Test
    void stopReturnsOnceTheRoundInProgressHasEnded() throws InterruptedException {
        // At shutdown the datasource closes right after the loops are stopped: a round still running then fails
        // against a closed pool (QuietLogsIT saw "Cannot report the per-version counts (This pool is closed ...)")
        BackgroundLoop loop = new BackgroundLoop("test-stop");
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        loop.repeat(Duration.ZERO, Duration.ofSeconds(10), () -> {
            started.countDown();
            long until = System.nanoTime() + 300_000_000L; // busy, as a JDBC call that ignores interrupts
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            ended.set(true);
        });
        assertTrue(started.await(10, java.util.concurrent.TimeUnit.SECONDS));
        loop.stop();
        assertTrue(ended.get(), "stop() returned while a round was still running");
    }

    @Test
    void livenessIsDownWhileAReplicaLoopIsDead() {
        Api.management().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'Background loops running' }.status", equalTo("UP"));
        ModelServer neverStarted = new ModelServer(new FailingRegistry(), cache, loader, config, null, null);
        HealthCheckResponse response = new BackgroundLiveness(neverStarted, listener, tracker, deliverer).call();
        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals(false, response.getData().orElseThrow().get("reconcile"));
    }

    @Test
    void loopsKeepRunningAfterAnError() throws InterruptedException {
        FailingRegistry registry = new FailingRegistry();
        ModelServer replica = new ModelServer(registry, cache, loader, config, null, null);
        try {
            replica.start(null);
            long deadline = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < deadline && !(replica.ready() && registry.reads.get() >= 4)) {
                Thread.sleep(100);
            }
            assertTrue(replica.ready(), "the initial load never finished after an Error: " + replica.startup());
            assertTrue(registry.reads.get() >= 4, "the reconcile loop stopped after an Error: "
                    + registry.reads.get() + " reads");
        } finally {
            replica.stop(null);
        }
    }
}

package dev.turnout.serving;

import dev.turnout.engine.OverloadedException;
import dev.turnout.engine.Tensor;
import dev.turnout.error.TurnoutException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shadow traffic: while a model has a target, a {@code sample} of the requests its active version answers is run
 * again on the candidate version, off the request path, and the two outputs are compared ({@link ShadowComparison}).
 * The client's answer is the active version's and is sent without waiting: shadow runs go through a bounded queue to
 * a few threads of their own, and a request that finds the queue full is not mirrored but counted as dropped.
 * Delivery sets and clears the target from the rollout's state on every replica; the counts are this replica's, since
 * it started, and are read by delivery's analysis and by Prometheus ({@code turnout_shadow_requests_total},
 * {@code turnout_shadow_disagreements_total}, {@code turnout_shadow_errors_total}, {@code turnout_shadow_dropped_total},
 * each by model and candidate version).
 */
@ApplicationScoped
public class ShadowMirror {

    private static final Logger LOG = Logger.getLogger(ShadowMirror.class);

    /** Runs the candidate version of a model on one request's inputs. */
    interface Candidate {
        Tensor[] run(String model, int version, Tensor[] inputs) throws Exception;
    }

    /** What a model's requests are mirrored to. */
    public record Target(int candidate, double sample) {
        public Target {
            if (candidate < 1) {
                throw new IllegalArgumentException("candidate version must be >= 1");
            }
            if (!(sample > 0 && sample <= 1)) {
                throw new IllegalArgumentException("sample must be in (0, 1]");
            }
        }
    }

    /**
     * One candidate's figures on this replica: shadow runs done, those whose outputs differed from the active
     * version's, those where the candidate failed, and sampled requests not mirrored because the queue was full.
     */
    public record Counts(long requests, long disagreements, long errors, long dropped) {
        public static final Counts NONE = new Counts(0, 0, 0, 0);

        /** Disagreements and errors over shadow runs; 0 before the first. */
        public double disagreementRate() {
            return requests == 0 ? 0 : (double) (disagreements + errors) / requests;
        }
    }

    private final Candidate candidate;
    private final ShadowComparison comparison;
    private final MeterRegistry registry;
    private final ModelServer server;
    private final ThreadPoolExecutor pool;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final Map<String, Meters> meters = new ConcurrentHashMap<>();

    @Inject
    public ShadowMirror(ModelServer server, ShadowConfig config, MeterRegistry registry) {
        this(server, (model, version, inputs) -> {
            try (ServedModel.Lease lease = server.lease(model, version)) { // loads the candidate on first use
                return lease.predict(inputs);
            }
        }, new ShadowComparison(config.absoluteTolerance(), config.relativeTolerance()), config.threads(),
                config.queueSize(), registry);
    }

    ShadowMirror(ModelServer server, Candidate candidate, ShadowComparison comparison, int threads, int queueSize,
                 MeterRegistry registry) {
        this.server = server;
        this.candidate = candidate;
        this.comparison = comparison;
        this.registry = registry;
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, queueSize)), runnable -> {
                    Thread thread = new Thread(runnable, "turnout-shadow-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    thread.setPriority(Thread.NORM_PRIORITY - 1); // live traffic first when cores are short
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Mirrors a {@code sample} (0 < sample <= 1) of {@code model}'s requests to {@code candidateVersion}. */
    public void setTarget(String model, int candidateVersion, double sample) {
        Target target = new Target(candidateVersion, sample);
        Target before = targets.put(model, target);
        meters(model, candidateVersion);
        if (!target.equals(before)) {
            LOG.infof("Shadow: mirroring %.0f%% of %s's requests to version %d", sample * 100, model, candidateVersion);
            if (server != null && (before == null || before.candidate() != candidateVersion)) {
                preload(model, candidateVersion);
            }
        }
    }

    /** Loads the candidate on a shadow thread now, so the first sampled requests are not dropped while it loads. */
    private void preload(String model, int version) {
        try {
            pool.execute(() -> {
                try (ServedModel.Lease ignored = server.lease(model, version)) {
                    LOG.debugf("Shadow: %s version %d is loaded", model, version);
                } catch (RuntimeException e) {
                    LOG.warnf("Shadow: cannot load %s version %d yet (%s); shadow runs will retry", model, version,
                            e.getMessage());
                }
            });
        } catch (RejectedExecutionException full) {
            // the first shadow run loads it instead
        }
    }

    /** Mirrors nothing of {@code model} any more (shadow runs already queued still finish and count). */
    public void clear(String model) {
        if (targets.remove(model) != null) {
            LOG.infof("Shadow: no longer mirroring %s", model);
        }
    }

    /** The models mirrored now. */
    public Set<String> targets() {
        return Set.copyOf(targets.keySet());
    }

    public Optional<Target> target(String model) {
        return Optional.ofNullable(targets.get(model));
    }

    /** This replica's figures for {@code candidateVersion} of {@code model} since it started. */
    public Counts counts(String model, int candidateVersion) {
        Meters m = meters.get(key(model, candidateVersion));
        return m == null ? Counts.NONE : m.snapshot();
    }

    /**
     * Called on the request path once {@code answered} has produced {@code outputs}: when {@code answered} is the
     * model's active version and the request is sampled, queues a shadow run and returns at once. Requests to a
     * named other version, and those the candidate itself answered (a canary), are not mirrored.
     */
    public void offer(ServedModel answered, Tensor[] inputs, Tensor[] outputs) {
        if (targets.isEmpty()) {
            return;
        }
        String model = answered.name();
        Target target = targets.get(model);
        if (target == null || target.candidate() == answered.version()
                || ThreadLocalRandom.current().nextDouble() >= target.sample()
                || (server != null && server.servedActive(model).orElse(null) != answered)) {
            return;
        }
        mirror(model, answered.version(), target.candidate(), inputs, outputs);
    }

    /** Queues one shadow run, or counts it as dropped when the queue is full. */
    void mirror(String model, int activeVersion, int candidateVersion, Tensor[] inputs, Tensor[] outputs) {
        Meters m = meters(model, candidateVersion);
        try {
            pool.execute(() -> run(m, model, activeVersion, candidateVersion, inputs, outputs));
        } catch (RejectedExecutionException full) {
            m.dropped.increment();
        }
    }

    private void run(Meters m, String model, int activeVersion, int candidateVersion, Tensor[] inputs,
                     Tensor[] outputs) {
        Tensor[] shadow;
        try {
            shadow = candidate.run(model, candidateVersion, inputs);
        } catch (OverloadedException e) { // the candidate's predictors are busy: like a full queue
            m.dropped.increment();
            return;
        } catch (TurnoutException e) {
            if (e.code().httpStatus() == 503) { // loading, swapping, too many loads: no verdict on the candidate
                m.dropped.increment();
            } else {
                m.failed(model, candidateVersion, e);
            }
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception | LinkageError e) {
            m.failed(model, candidateVersion, e);
            return;
        }
        m.requests.increment();
        if (!comparison.agree(outputs, shadow)) {
            m.disagreements.increment();
            LOG.debugf("Shadow: %s version %d disagrees with version %d", model, candidateVersion, activeVersion);
        }
    }

    private Meters meters(String model, int version) {
        return meters.computeIfAbsent(key(model, version), k -> new Meters(model, version));
    }

    private static String key(String model, int version) {
        return model + "@" + version;
    }

    /** Shadow runs waiting for a thread now. */
    int queued() {
        return pool.getQueue().size();
    }

    void stop(@Observes ShutdownEvent event) {
        pool.shutdownNow();
    }

    /** The counters of one candidate, in Micrometer and read back exactly for the analysis. */
    private final class Meters {
        final Counter requests;
        final Counter disagreements;
        final Counter errors;
        final Counter dropped;
        private final AtomicLong loggedErrors = new AtomicLong();

        Meters(String model, int version) {
            Tags tags = Tags.of("model", model, "version", Integer.toString(version));
            requests = counter("turnout.shadow.requests", "Shadow runs of a candidate compared with the active version",
                    tags);
            disagreements = counter("turnout.shadow.disagreements",
                    "Shadow runs whose outputs differed from the active version's", tags);
            errors = counter("turnout.shadow.errors", "Shadow runs where the candidate failed", tags);
            dropped = counter("turnout.shadow.dropped", "Sampled requests not mirrored: the shadow queue was full",
                    tags);
        }

        private Counter counter(String name, String description, Tags tags) {
            return Counter.builder(name).description(description).tags(tags).register(registry);
        }

        void failed(String model, int version, Throwable e) {
            requests.increment();
            errors.increment();
            if (loggedErrors.getAndIncrement() % 1000 == 0) { // one in a thousand: a broken candidate floods otherwise
                LOG.warnf(e, "Shadow: version %d of %s failed (%d failures so far)", version, model,
                        loggedErrors.get());
            }
        }

        Counts snapshot() {
            return new Counts((long) requests.count(), (long) disagreements.count(), (long) errors.count(),
                    (long) dropped.count());
        }
    }
}

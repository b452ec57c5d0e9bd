package dev.turnout.evaluation;

import dev.turnout.config.TurnoutConfig;
import dev.turnout.dataset.DatasetCatalog;
import dev.turnout.dataset.DatasetCursor;
import dev.turnout.dataset.DatasetSource;
import dev.turnout.dataset.ParsedColumn;
import dev.turnout.dataset.ParsedRows;
import dev.turnout.registry.RegistryService;
import dev.turnout.serving.DedicatedVersions;
import dev.turnout.serving.ServedModel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The replica's evaluation threads ({@code turnout.evaluation.threads}, never the inference threads): each claims
 * the oldest queued evaluation (or one whose replica died: its lease expired), runs it, and looks again; idle, it
 * polls every {@code poll-interval} or sooner when this replica queues one.
 */
@ApplicationScoped
public class EvaluationWorkers {

    private static final Logger LOG = Logger.getLogger(EvaluationWorkers.class);

    private final EvaluationStore store;
    private final RegistryService registry;
    private final DatasetCatalog datasets;
    private final DedicatedVersions versions;
    private final EvaluationConfig config;
    private final String replica;
    private final Semaphore wakeups = new Semaphore(0);
    private final List<Thread> threads = new ArrayList<>();
    /** Renews the leases of the runs in progress, off their threads (see {@link LeaseRenewals#renewers}). */
    private final ExecutorService renewer;
    private volatile boolean stopping;

    public EvaluationWorkers(EvaluationStore store, RegistryService registry, DatasetCatalog datasets,
                             DedicatedVersions versions, EvaluationConfig config, TurnoutConfig turnout) {
        this.store = store;
        this.registry = registry;
        this.datasets = datasets;
        this.versions = versions;
        this.config = config;
        this.renewer = LeaseRenewals.renewers(Math.max(1, config.threads()));
        // unique per process: a restarted replica must not renew the claims of its previous life
        this.replica = turnout.rollout().replicaId().orElse("replica") + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    void start(@Observes StartupEvent event) {
        for (int i = 1; i <= Math.max(1, config.threads()); i++) {
            Thread thread = new Thread(this::loop, "turnout-evaluation-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        threads.forEach(Thread::interrupt); // a run in progress is left RUNNING; its lease expires and it is retried
    }

    /** A new evaluation was queued here: an idle worker takes it now rather than at its next poll. */
    void wake() {
        wakeups.release();
    }

    String replica() {
        return replica;
    }

    private void loop() {
        while (!stopping) {
            try {
                var claim = store.claim(replica, config.lease(), config.maxAttempts());
                if (claim.isPresent()) {
                    run(claim.get(), System.currentTimeMillis());
                } else {
                    wakeups.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    wakeups.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                LOG.warnf("Evaluation worker: %s", e.getMessage());
                sleep(config.pollInterval());
            }
        }
    }

    private void run(EvaluationStore.Claim claim, long claimedAt) {
        LOG.infof("Running evaluation %d of %s version %d on %s version %d (attempt %d)", claim.id(), claim.model(),
                claim.version(), claim.dataset(), claim.datasetVersion(), claim.attempts());
        EvaluationSettings settings = claim.settings();
        ServedModel.Lease other = null;
        LeaseRenewals lease = new LeaseRenewals(rowsDone -> store.renew(claim.id(), replica, rowsDone, config.lease()),
                renewer, Math.min(1000, config.lease().toMillis() / 3), claimedAt);
        try (ServedModel.Lease model = versions.load(registry.servableVersion(claim.model(), claim.version()))) {
            if (settings.compareWith() != null) {
                other = versions.load(registry.servableVersion(claim.model(), settings.compareWith()));
            }
            lease.renewIfDue(0); // the claim took a fresh lease: renewed here only after a long load
            long[] done = {0};
            DatasetSource dataset = datasets.source(claim.dataset(), claim.datasetVersion());
            List<String> columns = dataset.columns();
            ColumnMapping mapping = ColumnMapping.check(claim.version(), model.model().signature(),
                    settings.inputs(), columns, settings.label(), claim.task());
            ColumnMapping otherMapping = other == null ? null : ColumnMapping.check(settings.compareWith(),
                    other.model().signature(), settings.inputs(), columns, settings.label(), claim.task());
            EvaluationPass pass = new EvaluationPass(mapping, otherMapping, claim.task(), settings.label(),
                    settings.batchSize());
            ServedModel.Lease compared = other;
            EvaluationPass.Model comparedModel = compared == null ? null : compared::predict;
            LongConsumer progress = read -> {
                done[0] = read;
                lease.progress(read);
            };
            EvaluationPass.Outcome outcome;
            Optional<List<ParsedColumn>> parsed = dataset.parsedColumns().filter(pass::canRead);
            if (parsed.isPresent()) {
                try (ParsedRows rows = dataset.openParsed()) {
                    outcome = pass.run(rows, parsed.get(), model::predict, comparedModel, progress);
                }
            } else {
                try (DatasetCursor rows = dataset.openCursor()) {
                    outcome = pass.run(rows, model::predict, comparedModel, progress);
                }
            }
            lease.settle();
            if (store.finish(claim, replica, done[0], outcome.results(), outcome.metrics())) {
                LOG.infof("Evaluation %d done: %s", claim.id(), outcome.metrics());
            }
        } catch (LeaseRenewals.Lost e) {
            if (store.exists(claim.id())) {
                LOG.warnf("Evaluation %d: this replica lost its claim (lease expired); another one runs it", claim.id());
            } else {
                LOG.infof("Evaluation %d stopped: %s version %d was deleted while it ran, and its evaluations with it",
                        claim.id(), claim.model(), claim.version());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down: left RUNNING, its lease expires and it is retried
        } catch (Exception e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            LOG.warnf("Evaluation %d failed: %s", claim.id(), reason);
            store.fail(claim.id(), replica, reason);
        } finally {
            if (other != null) {
                other.close();
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

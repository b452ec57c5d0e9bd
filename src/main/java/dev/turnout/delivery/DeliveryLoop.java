package dev.turnout.delivery;

import dev.turnout.error.TurnoutException;
import dev.turnout.logging.RepeatedWarning;
import dev.turnout.rollout.ReplicaTracker;
import dev.turnout.serving.BackgroundLoop;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.TrafficSplit;
import dev.turnout.serving.VersionTraffic;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every replica, every sync interval: reads the rollouts in progress from PostgreSQL; loads each canary's candidate and
 * only then gives it its weight here (weight 0 as soon as the rollout ended or a flip superseded it); reports what it
 * counted per version; and, every analysis interval, tries to be the replica that runs the analysis round.
 */
@ApplicationScoped
public class DeliveryLoop {

    private static final Logger LOG = Logger.getLogger(DeliveryLoop.class);
    private final RepeatedWarning trouble = new RepeatedWarning(LOG, Duration.ofMinutes(1));

    private final DeliveryConfig config;
    private final Rollouts rollouts;
    private final RolloutAnalyser analyser;
    private final TrafficReports reports;
    private final ModelServer server;
    private final TrafficSplit split;
    private final VersionTraffic traffic;
    private final ReplicaTracker replicas;
    private final DeliveryMetrics metrics;
    private final ShadowRollouts shadows;
    private final BackgroundLoop loop = new BackgroundLoop("turnout-delivery");
    /** Candidates of ended rollouts, dropped one round later: a promotion's flip takes the loaded one over meanwhile. */
    private final Set<String> retiring = new HashSet<>();
    private long nextAnalysis;

    public DeliveryLoop(DeliveryConfig config, Rollouts rollouts, RolloutAnalyser analyser, TrafficReports reports,
                        ModelServer server, TrafficSplit split, VersionTraffic traffic, ReplicaTracker replicas,
                        DeliveryMetrics metrics, ShadowRollouts shadows) {
        this.shadows = shadows;
        this.config = config;
        this.rollouts = rollouts;
        this.analyser = analyser;
        this.reports = reports;
        this.server = server;
        this.split = split;
        this.traffic = traffic;
        this.replicas = replicas;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        split.routingHeader(config.routingHeader().orElse(null));
        loop.repeat(config.syncInterval(), config.syncInterval(), this::round);
    }

    void stop(@Observes ShutdownEvent event) {
        loop.stop();
    }

    /** Whether the loop still runs. */
    public boolean alive() {
        return loop.alive();
    }

    void round() {
        List<Rollout> inProgress;
        try {
            inProgress = rollouts.inProgress();
        } catch (RuntimeException e) {
            trouble.warn("Cannot read the rollouts (" + e.getMessage() + "); the current splits stay");
            return;
        }
        Map<String, Rollout> byModel = inProgress.stream()
                .collect(Collectors.toMap(Rollout::model, Function.identity(), (a, b) -> a));
        sync(byModel);
        try {
            shadows.sync(replicas.replicaId(), byModel);
        } catch (Exception e) {
            trouble.warn("Cannot apply or report the shadow rollouts (" + e.getMessage() + ")");
        }
        try {
            reports.report(replicas.replicaId(), traffic.drain(), byModel);
        } catch (Exception e) {
            trouble.warn("Cannot report the per-version counts (" + e.getMessage() + ")");
        }
        long now = System.nanoTime();
        if (now - nextAnalysis >= 0) {
            nextAnalysis = now + config.analysisInterval().toNanos();
            analyse();
        }
    }

    /** Applies each canary's weight on this replica, once its candidate is loaded here. */
    private void sync(Map<String, Rollout> byModel) {
        Map<String, Integer> loaded = new HashMap<>(server.candidates());
        for (Rollout rollout : byModel.values()) {
            String model = rollout.model();
            if (!rollout.baselineActive()) {
                unsplit(model);
                continue;
            }
            retiring.remove(model);
            try {
                server.prepareCandidate(model, rollout.version());
            } catch (RuntimeException e) {
                unsplit(model);
                trouble.warn("Cannot load candidate version " + rollout.version() + " of " + model + " ("
                        + e.getMessage() + "); it takes no traffic here");
                continue;
            }
            if (rollout.strategy() == Strategy.SHADOW) {
                unsplit(model); // mirrored, never routed (see ShadowRollouts)
                continue;
            }
            split.route(model, rollout.version(), rollout.weight());
            metrics.weight(model, rollout.version(), rollout.weight());
        }
        for (String model : loaded.keySet()) {
            Rollout rollout = byModel.get(model);
            if (rollout == null || !rollout.baselineActive()) {
                unsplit(model);
                if (!retiring.add(model)) {
                    retiring.remove(model);
                    server.dropCandidate(model);
                }
            }
        }
        for (String model : split.splits().keySet()) {
            if (!byModel.containsKey(model)) {
                unsplit(model);
            }
        }
    }

    private void unsplit(String model) {
        split.clear(model);
        metrics.noWeight(model);
    }

    /** One analysis round if this replica gets the lock, then the promotions it decided, each on its own. */
    void analyse() {
        String actor = "turnout (analysis on " + replicas.replicaId() + ")";
        List<Rollout> toPromote;
        try {
            toPromote = analyser.round(actor);
        } catch (RuntimeException e) {
            trouble.warn("An analysis round failed (" + e.getMessage() + "); the next one runs as scheduled");
            return;
        }
        for (Rollout rollout : toPromote) {
            try {
                rollouts.promote(rollout.model(), actor, "every step passed");
            } catch (TurnoutException e) {
                LOG.warnf("Promoting version %d of %s was refused (%s): aborting the rollout", rollout.version(),
                        rollout.model(), e.getMessage());
                rollouts.abortIfInProgress(rollout.model(), rollout.id(), actor, "promotion refused: "
                        + e.getMessage());
                continue;
            }
            server.refresh(rollout.model(), true);
            LOG.infof("Promoted version %d of %s after every step of its canary passed", rollout.version(),
                    rollout.model());
        }
    }
}

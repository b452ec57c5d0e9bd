package dev.turnout.delivery;

import dev.turnout.db.Sql;
import dev.turnout.registry.ActivePointer;
import dev.turnout.registry.Model;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One analysis round over every rollout in progress, on one replica at a time: the round runs in a transaction that
 * first takes a PostgreSQL advisory lock without waiting; a replica that does not get it skips the round. The lock
 * ends with the transaction, so when the replica that analysed dies, the next replica to try takes over. Every replica
 * tries once per analysis interval, so the lock alone would give one round per replica per interval: a replica that
 * gets the lock also skips when the newest decision (each round records one per rollout, stamped with the round's
 * start) is younger than {@link #MIN_GAP} of the interval. One round per interval whatever the number of replicas;
 * the replica that ran the last round keeps its turn, and another takes over one interval after it stops.
 */
@ApplicationScoped
public class RolloutAnalyser {

    /** The share of the analysis interval below which a round follows the last one too closely (scheduling jitter). */
    static final double MIN_GAP = 0.9;

    private final Sql sql;
    private final ActivePointer pointer;
    private final RolloutStore store;
    private final Rollouts rollouts;
    private final ShadowRollouts shadows;
    private final DeliveryConfig config;

    public RolloutAnalyser(Sql sql, ActivePointer pointer, RolloutStore store, Rollouts rollouts,
                           ShadowRollouts shadows, DeliveryConfig config) {
        this.shadows = shadows;
        this.config = config;
        this.sql = sql;
        this.pointer = pointer;
        this.store = store;
        this.rollouts = rollouts;
    }

    /**
     * Judges every canary: records a decision, aborts on a breach, moves on a passed step. Rollouts whose last step
     * passed are returned, to be promoted each in a transaction of its own (a guard may refuse the flip). Empty when
     * another replica holds the analysis lock.
     */
    @Transactional
    public List<Rollout> round(String actor) {
        Object locked = sql.value("SELECT pg_try_advisory_xact_lock(hashtext('turnout.delivery.analysis'))");
        if (!Boolean.TRUE.equals(locked)
                || store.decidedWithin(Duration.ofNanos((long) (config.analysisInterval().toNanos() * MIN_GAP)))) {
            return List.of();
        }
        List<Rollout> toPromote = new ArrayList<>();
        for (Rollout seen : store.inProgress()) {
            Model model = pointer.lock(seen.model()); // the lock order of every rollout change: model row, then rollout
            Rollout rollout = store.inProgressLocked(model.id()).filter(r -> r.id() == seen.id()).orElse(null);
            if (rollout == null) {
                continue;
            }
            if (!rollout.baselineActive()) {
                rollouts.settleSuperseded(model, rollout, actor);
                continue;
            }
            if (rollout.strategy() == Strategy.SHADOW) {
                shadows.analyse(model, rollout, actor);
                continue;
            }
            Map<String, Object> figures = Rollouts.figuresOf(rollout, store.figures(rollout.id(), rollout.step()));
            CanaryAnalysis.Decision decision = CanaryAnalysis.judge(rollout.analysis(),
                    (VersionFigures) figures.get("candidate"), (VersionFigures) figures.get("active"),
                    rollout.state() == RolloutState.PAUSED, rollout.lastStep(), rollout.inStep(),
                    rollout.stepDuration());
            store.decided(rollout, decision.verdict(), decision.detail(), figures);
            switch (decision.verdict()) {
                case ABORT -> rollouts.abort(model, rollout, actor, "analysis: " + decision.detail(), figures);
                case STEP -> rollouts.step(model, rollout, actor, decision.detail() + " " + summary(figures), figures);
                case PROMOTE -> toPromote.add(rollout);
                default -> {
                }
            }
        }
        return toPromote;
    }

    static String summary(Map<String, Object> figures) {
        VersionFigures candidate = (VersionFigures) figures.get("candidate");
        VersionFigures active = (VersionFigures) figures.get("active");
        return "(version " + candidate.version() + ": " + line(candidate) + "; version " + active.version() + ": "
                + line(active) + ")";
    }

    private static String line(VersionFigures f) {
        return f.requests() + " requests, " + f.errors() + " errors, p50 " + f.p50Ms() + " ms, p99 " + f.p99Ms() + " ms";
    }
}

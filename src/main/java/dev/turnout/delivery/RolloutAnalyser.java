package dev.turnout.delivery;

import dev.turnout.registry.ActivePointer;
import dev.turnout.registry.Model;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One analysis round over every rollout in progress, on one replica at a time: the round runs in a transaction that
 * first takes a PostgreSQL advisory lock without waiting; a replica that does not get it skips the round. The lock
 * ends with the transaction, so when the replica that analysed dies, the next replica to try takes over.
 */
@ApplicationScoped
public class RolloutAnalyser {

    private final EntityManager entityManager;
    private final ActivePointer pointer;
    private final RolloutStore store;
    private final Rollouts rollouts;
    private final ShadowRollouts shadows;

    public RolloutAnalyser(EntityManager entityManager, ActivePointer pointer, RolloutStore store, Rollouts rollouts,
                           ShadowRollouts shadows) {
        this.shadows = shadows;
        this.entityManager = entityManager;
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
        Object locked = entityManager.createNativeQuery(
                "SELECT pg_try_advisory_xact_lock(hashtext('turnout.delivery.analysis'))").getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return List.of();
        }
        List<Rollout> toPromote = new ArrayList<>();
        for (Rollout seen : store.inProgress()) {
            Model model = pointer.lock(seen.model()); // the lock order of every rollout change: model row, then rollout
            Rollout rollout = store.inProgressLocked(model.id).filter(r -> r.id() == seen.id()).orElse(null);
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

package dev.turnout.delivery;

import dev.turnout.registry.Model;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.ShadowMirror;
import dev.turnout.serving.VersionTraffic;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Shadow rollouts: every replica sets its {@link ShadowMirror} from the rollouts in progress and adds its shadow
 * counts to the rollout's traffic rows; the analysing replica judges them ({@link ShadowAnalysis}).
 * <p>
 * The counts go to rollout_traffic, which has no column for them: during a shadow the candidate takes no live
 * traffic, so its row (version = the candidate) holds its shadow runs as requests and its failures as errors, and a
 * second row, version = minus the candidate, holds the runs again with the disagreements (failures included) as
 * errors. Both satisfy the table's {@code errors <= requests}.
 */
@ApplicationScoped
public class ShadowRollouts {

    private static final String ADD = "INSERT INTO rollout_traffic (rollout_id, step, replica_id, version, requests, "
            + "errors, latency) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS bigint[])) "
            + "ON CONFLICT (rollout_id, step, replica_id, version) DO UPDATE SET "
            + "requests = rollout_traffic.requests + EXCLUDED.requests, "
            + "errors = rollout_traffic.errors + EXCLUDED.errors, updated_at = now()";
    private static final String NO_LATENCY = Arrays.stream(new long[VersionTraffic.BUCKETS]).mapToObj(Long::toString)
            .collect(Collectors.joining(",", "{", "}"));

    private final ShadowMirror mirror;
    private final ModelServer server;
    private final AgroalDataSource dataSource;
    private final Rollouts rollouts;
    private final RolloutStore store;
    /** Per rollout id, what this replica has reported so far: runs, failures, disagreements (failures included). */
    private final Map<Long, long[]> reported = new HashMap<>();

    public ShadowRollouts(ShadowMirror mirror, ModelServer server, AgroalDataSource dataSource, Rollouts rollouts,
                          RolloutStore store) {
        this.mirror = mirror;
        this.server = server;
        this.dataSource = dataSource;
        this.rollouts = rollouts;
        this.store = store;
    }

    /**
     * Every sync round, on every replica: mirrors each shadow in progress whose baseline is still the active version,
     * stops mirroring every other model, and reports the shadow counts since the last round.
     */
    void sync(String replicaId, Map<String, Rollout> byModel) throws SQLException {
        Map<Long, Rollout> shadows = new LinkedHashMap<>();
        for (Rollout rollout : byModel.values()) {
            // once the delivery loop has loaded the candidate here (full predictor pool; a promotion takes it over)
            if (rollout.strategy() == Strategy.SHADOW && rollout.baselineActive()
                    && Integer.valueOf(rollout.version()).equals(server.candidates().get(rollout.model()))) {
                mirror.setTarget(rollout.model(), rollout.version(), rollout.sample());
                shadows.put(rollout.id(), rollout);
            }
        }
        for (String model : mirror.targets()) {
            Rollout rollout = byModel.get(model);
            if (rollout == null || !shadows.containsKey(rollout.id())) {
                mirror.clear(model);
            }
        }
        reported.keySet().retainAll(shadows.keySet());
        report(replicaId, shadows);
    }

    private void report(String replicaId, Map<Long, Rollout> shadows) throws SQLException {
        if (shadows.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement add = connection.prepareStatement(ADD)) {
            int batched = 0;
            for (Rollout rollout : shadows.values()) {
                ShadowMirror.Counts now = mirror.counts(rollout.model(), rollout.version());
                // the counters are this process's since it started: the first round of a rollout only takes a baseline
                long[] last = reported.get(rollout.id());
                if (last == null) {
                    reported.put(rollout.id(), new long[] {now.requests(), now.errors(),
                            now.disagreements() + now.errors()});
                    continue;
                }
                long runs = now.requests() - last[0];
                // counters move one after the other: never report more failures or disagreements than runs
                long failures = Math.min(now.errors() - last[1], runs);
                long disagreements = Math.min(now.disagreements() + now.errors() - last[2], runs);
                if (runs == 0) {
                    continue;
                }
                last[0] += runs;
                last[1] += failures;
                last[2] += disagreements;
                batched += add(add, rollout, replicaId, rollout.version(), runs, failures);
                batched += add(add, rollout, replicaId, -rollout.version(), runs, disagreements);
            }
            if (batched > 0) {
                add.executeBatch();
            }
        }
    }

    private static int add(PreparedStatement add, Rollout rollout, String replicaId, int version, long requests,
                           long errors) throws SQLException {
        add.setLong(1, rollout.id());
        add.setInt(2, rollout.step());
        add.setString(3, replicaId);
        add.setInt(4, version);
        add.setLong(5, requests);
        add.setLong(6, errors);
        add.setString(7, NO_LATENCY);
        add.addBatch();
        return 1;
    }

    /**
     * One analysis of a shadow, in the analysis round's transaction (model row locked): records the decision; aborts
     * on a breach; pauses it once it passed, for an operator to promote or abort.
     */
    void analyse(Model model, Rollout rollout, String actor) {
        Map<Integer, VersionFigures> rows = store.figures(rollout.id(), rollout.step());
        Map<String, Object> figures = figures(rollout, rows);
        ShadowAnalysis.Decision decision = ShadowAnalysis.judge(rollout.analysis(),
                (ShadowAnalysis.Figures) figures.get("shadow"), rollout.state() == RolloutState.PAUSED,
                rollout.inStep(), rollout.duration());
        store.decided(rollout, decision.verdict(), decision.detail(), figures);
        switch (decision.outcome()) {
            case ABORT -> rollouts.abort(model, rollout, actor, "analysis: " + decision.detail(), figures);
            case PASS -> rollouts.pause(model.name(), actor, decision.detail());
            default -> {
            }
        }
    }

    /** A shadow's figures for the API and the decision log: the candidate's runs and failures, and the comparison. */
    static Map<String, Object> figures(Rollout rollout, Map<Integer, VersionFigures> rows) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("candidate", rows.getOrDefault(rollout.version(),
                VersionFigures.of(rollout.version(), 0, 0, new long[0])));
        figures.put("shadow", ShadowAnalysis.Figures.of(rollout.version(), rows));
        return figures;
    }
}

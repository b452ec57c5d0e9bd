package dev.turnout.delivery;

import dev.turnout.serving.VersionTraffic;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Adds this replica's per-version counts to its row of the rollout's current step (rollout_traffic). */
@ApplicationScoped
public class TrafficReports {

    private static final String ADD = "INSERT INTO rollout_traffic (rollout_id, step, replica_id, version, requests, "
            + "errors, latency) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS bigint[])) "
            + "ON CONFLICT (rollout_id, step, replica_id, version) DO UPDATE SET "
            + "requests = rollout_traffic.requests + EXCLUDED.requests, "
            + "errors = rollout_traffic.errors + EXCLUDED.errors, "
            + "latency = ARRAY(SELECT t.a + t.b FROM unnest(rollout_traffic.latency, EXCLUDED.latency) "
            + "WITH ORDINALITY AS t(a, b, i) ORDER BY t.i), updated_at = now()";

    private final AgroalDataSource dataSource;

    public TrafficReports(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Counts of models without a rollout in progress are dropped: nobody analyses them. */
    void report(String replicaId, List<VersionTraffic.Counts> counts, Map<String, Rollout> byModel) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement add = connection.prepareStatement(ADD)) {
            int batched = 0;
            for (VersionTraffic.Counts count : counts) {
                Rollout rollout = byModel.get(count.model());
                if (rollout == null || count.requests() == 0 && count.errors() == 0) {
                    continue;
                }
                add.setLong(1, rollout.id());
                add.setInt(2, rollout.step());
                add.setString(3, replicaId);
                add.setInt(4, count.version());
                add.setLong(5, count.requests());
                add.setLong(6, count.errors());
                add.setString(7, Arrays.stream(count.latency()).mapToObj(Long::toString)
                        .collect(Collectors.joining(",", "{", "}")));
                add.addBatch();
                batched++;
            }
            if (batched > 0) {
                add.executeBatch();
            }
        }
    }
}

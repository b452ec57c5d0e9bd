package dev.turnout.delivery;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static dev.turnout.delivery.DeliveryApiTest.act;
import static dev.turnout.delivery.DeliveryApiTest.modelWith;
import static dev.turnout.delivery.DeliveryApiTest.start;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analysis runs once per {@code turnout.delivery.analysis-interval} whatever the number of replicas: each replica
 * tries every interval, and the advisory lock alone only keeps their rounds from overlapping (the progressive-delivery
 * bench counted 2.5 rounds per interval with three replicas). Here a second "replica" tries far more often than the
 * loop of this one.
 */
@QuarkusTest
class AnalysisCadenceTest {

    @Inject
    RolloutAnalyser analyser;
    @Inject
    DeliveryConfig config;
    @Inject
    AgroalDataSource db;

    @Test
    void replicasTakingTurnsAtTheLockMakeOneRoundPerInterval() throws Exception {
        String name = modelWith("linear-v2.onnx");
        int id = start(name, "{\"version\": 2, \"steps\": [10], \"step_duration\": \"1h\", "
                + "\"analysis\": {\"min_requests\": 1000000}}").statusCode(201).extract().path("id");
        long windowMs = 3000;
        long before = decisions(id);
        long end = System.nanoTime() + windowMs * 1_000_000;
        while (System.nanoTime() < end) {
            analyser.round("test (another replica)"); // its turns fall anywhere between those of this replica's loop
            Thread.sleep(20);
        }
        long rounds = decisions(id) - before;
        long intervals = windowMs / config.analysisInterval().toMillis();
        act(name, "abort").statusCode(200);
        assertTrue(rounds <= intervals + 2, rounds + " analysis rounds in " + intervals + " analysis intervals ("
                + config.analysisInterval() + " each): more than one per interval");
    }

    private long decisions(int rolloutId) throws Exception {
        try (Connection connection = db.getConnection();
             PreparedStatement count = connection.prepareStatement(
                     "SELECT count(*) FROM rollout_decision WHERE rollout_id = ?")) {
            count.setLong(1, rolloutId);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}

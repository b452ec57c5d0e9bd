package dev.turnout.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.db.Sql;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.EvaluationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The evaluation table: one transaction per operation. Claims take a row with FOR UPDATE SKIP LOCKED, so replicas
 * never run the same evaluation at once; every later write of a run names the claimant, so a replica that lost its
 * claim (its lease expired and another took the row) can change nothing.
 */
@ApplicationScoped
public class EvaluationStore {

    private static final String COLUMNS = "e.id, m.name, v.version, e.dataset, e.dataset_version, e.dataset_sha256, "
            + "e.task, e.state, e.rows_done, e.rows_total, CAST(e.settings AS text), CAST(e.results AS text), e.error, e.actor, "
            + "e.created_at, e.started_at, e.finished_at, e.attempts";
    private static final String FROM = " FROM evaluation e JOIN model_version v ON v.id = e.version_id "
            + "JOIN model m ON m.id = v.model_id";

    private final Sql sql;
    private final ObjectMapper mapper;
    private final EvaluationMetrics metrics;

    public EvaluationStore(Sql sql, ObjectMapper mapper, EvaluationMetrics metrics) {
        this.sql = sql;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    /** What a worker needs to run a claimed evaluation. */
    record Claim(long id, long versionId, String model, int version, String dataset, int datasetVersion, Task task,
                 EvaluationSettings settings, int attempts) {
    }

    @Transactional
    public long create(long versionId, long datasetVersionId, String dataset, int datasetVersion, String sha256,
                       Task task, EvaluationSettings settings, long rowsTotal, String actor) {
        return ((Number) sql.value("INSERT INTO evaluation (version_id, dataset_version_id, "
                        + "dataset, dataset_version, dataset_sha256, task, settings, rows_total, actor) "
                        + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, CAST(?7 AS jsonb), ?8, ?9) RETURNING id",
                        versionId, datasetVersionId, dataset, datasetVersion, sha256, task.json(), json(settings),
                        rowsTotal, actor)).longValue();
    }

    /** The primary key of a model version; 404 when there is none. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long versionId(String model, int version) {
        return sql.first("SELECT v.id FROM model_version v JOIN model m ON m.id = v.model_id "
                + "WHERE m.name = ?1 AND v.version = ?2", row -> row.getLong(1), model, version)
                .orElseThrow(() -> TurnoutException.notFound("model '" + model + "' has no version " + version));
    }

    /**
     * Claims the oldest evaluation that is queued, or running under an expired lease (its replica died). One claimed
     * more than {@code maxAttempts} times is marked FAILED instead, and the next is looked at.
     */
    @Transactional
    Optional<Claim> claim(String replica, java.time.Duration lease, int maxAttempts) {
        while (true) {
            List<Object[]> rows = sql.rows("SELECT e.id, e.attempts, e.claimed_by FROM evaluation e "
                    + "WHERE e.state = 'QUEUED' OR (e.state = 'RUNNING' AND e.lease_until < now()) "
                    + "ORDER BY e.id LIMIT 1 FOR UPDATE SKIP LOCKED");
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            Object[] row = rows.get(0);
            long id = ((Number) row[0]).longValue();
            int attempts = ((Number) row[1]).intValue();
            if (attempts >= maxAttempts) {
                sql.update("UPDATE evaluation SET state = 'FAILED', finished_at = now(), "
                                + "error = ?2 WHERE id = ?1",
                                id, "abandoned: claimed " + attempts + " times, and replica '"
                                + row[2] + "' stopped renewing its lease (turnout.evaluation.max-attempts)");
                continue;
            }
            sql.update("UPDATE evaluation SET state = 'RUNNING', claimed_by = ?2, "
                            + "lease_until = now() + make_interval(secs => ?3), attempts = attempts + 1, rows_done = 0, "
                            + "started_at = now() WHERE id = ?1", id, replica, (double) lease.toMillis() / 1000);
            Object[] claimed = sql.rows("SELECT e.version_id, m.name, v.version, "
                            + "e.dataset, e.dataset_version, e.task, CAST(e.settings AS text), e.attempts" + FROM
                            + " WHERE e.id = ?1", id).get(0);
            return Optional.of(new Claim(id, ((Number) claimed[0]).longValue(), (String) claimed[1],
                    ((Number) claimed[2]).intValue(), (String) claimed[3], ((Number) claimed[4]).intValue(),
                    Task.parse((String) claimed[5]).orElseThrow(),
                    read((String) claimed[6], EvaluationSettings.class), ((Number) claimed[7]).intValue()));
        }
    }

    /** Records progress and renews the lease; false when this replica no longer holds the claim. */
    @Transactional
    boolean renew(long id, String replica, long rowsDone, java.time.Duration lease) {
        return sql.update("UPDATE evaluation SET rows_done = ?3, "
                        + "lease_until = now() + make_interval(secs => ?4) "
                        + "WHERE id = ?1 AND claimed_by = ?2 AND state = 'RUNNING'",
                        id, replica, rowsDone, (double) lease.toMillis() / 1000) == 1;
    }

    /** Whether the evaluation is still recorded: deleting its model version (or model) deletes it too. */
    boolean exists(long id) {
        return sql.oneLong("SELECT count(*) FROM evaluation WHERE id = ?1", id) == 1;
    }

    /** DONE with its results, and the figures as the version's eval.* metrics, in one transaction. */
    @Transactional
    boolean finish(Claim claim, String replica, long rowsDone, Map<String, Object> results,
                   Map<String, Double> figures) {
        int updated = sql.update("UPDATE evaluation SET state = 'DONE', rows_done = ?3, "
                        + "results = CAST(?4 AS jsonb), finished_at = now() "
                        + "WHERE id = ?1 AND claimed_by = ?2 AND state = 'RUNNING'",
                        claim.id(), replica, rowsDone, json(results));
        if (updated == 1) {
            Map<String, Double> exposed = new java.util.LinkedHashMap<>(figures);
            exposed.put("dataset_version", (double) claim.datasetVersion()); // what relative guards compare on
            metrics.replace(claim.versionId(), claim.dataset(), exposed);
        }
        return updated == 1;
    }

    @Transactional
    boolean fail(long id, String replica, String error) {
        return sql.update("UPDATE evaluation SET state = 'FAILED', error = ?3, finished_at = now() "
                        + "WHERE id = ?1 AND claimed_by = ?2 AND state = 'RUNNING'", id, replica, error) == 1;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public EvaluationInfo get(String model, int version, long id) {
        List<Object[]> rows = sql.rows("SELECT " + COLUMNS + FROM
                        + " WHERE m.name = ?1 AND v.version = ?2 AND e.id = ?3", model, version, id);
        if (rows.isEmpty()) {
            throw TurnoutException.notFound("version " + version + " of model '" + model + "' has no evaluation " + id);
        }
        return info(rows.get(0));
    }

    /** Newest first, at most {@code limit}, older than {@code beforeId} when given. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<EvaluationInfo> list(String model, int version, long beforeId, int limit) {
        versionId(model, version); // 404 for an unknown version rather than an empty list
        List<Object[]> rows = sql.rows("SELECT " + COLUMNS + FROM
                        + " WHERE m.name = ?1 AND v.version = ?2 AND e.id < ?3 ORDER BY e.id DESC LIMIT ?4",
                        model, version, beforeId, limit);
        return rows.stream().map(this::info).toList();
    }

    private EvaluationInfo info(Object[] r) {
        return new EvaluationInfo(((Number) r[0]).longValue(), (String) r[1], ((Number) r[2]).intValue(),
                (String) r[3], ((Number) r[4]).intValue(), (String) r[5], Task.parse((String) r[6]).orElseThrow(),
                EvaluationState.valueOf((String) r[7]),
                new EvaluationInfo.Progress(((Number) r[8]).longValue(), ((Number) r[9]).longValue()),
                read((String) r[10], JsonNode.class), r[11] == null ? null : read((String) r[11], JsonNode.class),
                (String) r[12], (String) r[13], instant(r[14]), instant(r[15]), instant(r[16]),
                ((Number) r[17]).intValue());
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        } else if (value instanceof Instant i) {
            return i;
        } else if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        } else if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp " + value.getClass());
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String json, Class<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

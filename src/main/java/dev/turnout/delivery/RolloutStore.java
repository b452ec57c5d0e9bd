package dev.turnout.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.db.Sql;
import dev.turnout.serving.VersionTraffic;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The rollout tables, read and written in the caller's transaction. */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class RolloutStore {

    private static final String COLUMNS = "SELECT r.id, r.model_id, m.name, r.version, r.baseline_version, r.strategy, "
            + "r.state, array_to_string(r.steps, ','), r.step, r.weight, r.step_duration_ms, r.sample, r.duration_ms, "
            + "r.analysis::text, array_to_string(r.requirements, E'\\n'), r.forced, r.actor, r.reason, r.started_at, "
            + "r.ended_at, r.outcome, m.active_version, "
            + "CAST(EXTRACT(EPOCH FROM (clock_timestamp() - r.step_started_at)) * 1000 AS BIGINT) "
            + "FROM rollout r JOIN model m ON m.id = r.model_id ";

    /** One entry of the decision log. */
    public record Decision(long id, int step, int weight, Verdict verdict, String detail, Object figures,
                           Instant createdAt) {
    }

    private final Sql sql;
    private final ObjectMapper mapper;

    public RolloutStore(Sql sql, ObjectMapper mapper) {
        this.sql = sql;
        this.mapper = mapper;
    }

    public long insert(long modelId, RolloutPlan plan, int baseline) {
        int weight = plan.steps().isEmpty() ? 0 : plan.steps().get(0);
        Number id = (Number) sql.value("INSERT INTO rollout (model_id, version, "
                        + "baseline_version, strategy, steps, weight, step_duration_ms, sample, duration_ms, analysis, "
                        + "requirements, forced, actor, reason) VALUES (?1, ?2, ?3, ?4, CAST(?5 AS integer[]), ?6, ?7, "
                        + "?8, ?9, CAST(?10 AS jsonb), CAST(?11 AS text[]), ?12, ?13, ?14) RETURNING id",
                modelId, plan.version(), baseline, plan.strategy().name(),
                "{" + plan.steps().stream().map(String::valueOf).collect(Collectors.joining(",")) + "}", weight,
                plan.stepDuration() == null ? null : plan.stepDuration().toMillis(), plan.sample(),
                plan.duration() == null ? null : plan.duration().toMillis(), json(plan.analysis()),
                textArray(plan.require().stream().map(Object::toString).toList()), plan.force(), plan.actor(),
                plan.reason());
        return id.longValue();
    }

    /** The rollout in progress of a model, locked for the rest of the transaction. */
    public Optional<Rollout> inProgressLocked(long modelId) {
        return list(COLUMNS + "WHERE r.model_id = ?1 AND r.state IN ('RUNNING', 'PAUSED') FOR UPDATE OF r", modelId)
                .stream().findFirst();
    }

    /** Every rollout in progress, oldest first. */
    public List<Rollout> inProgress() {
        return list(COLUMNS + "WHERE r.state IN ('RUNNING', 'PAUSED') ORDER BY r.id");
    }

    public Optional<Rollout> byId(long id) {
        return list(COLUMNS + "WHERE r.id = ?1", id).stream().findFirst();
    }

    /** A model's rollouts, newest first. */
    public List<Rollout> ofModel(long modelId, int limit) {
        return list(COLUMNS + "WHERE r.model_id = ?1 ORDER BY r.id DESC LIMIT " + limit, modelId);
    }

    public void moveToStep(long id, int step, int weight) {
        sql.update("UPDATE rollout SET step = ?2, weight = ?3, step_started_at = clock_timestamp() "
                + "WHERE id = ?1", id, step, weight);
    }

    /** RUNNING or PAUSED; resuming restarts the step's clock. */
    public void setRunning(long id, RolloutState state) {
        sql.update("UPDATE rollout SET state = ?2"
                        + (state == RolloutState.RUNNING ? ", step_started_at = clock_timestamp()" : "") + " WHERE id = ?1",
                        id, state.name());
    }

    /** PROMOTED or ABORTED, with why; the candidate's weight drops to 0 on every replica at their next sync. */
    public void end(long id, RolloutState state, String outcome) {
        sql.update("UPDATE rollout SET state = ?2, weight = ?3, ended_at = clock_timestamp(), "
                        + "outcome = ?4 WHERE id = ?1",
                        id, state.name(), state == RolloutState.PROMOTED ? 100 : 0,
                        outcome.length() > 2000 ? outcome.substring(0, 2000) : outcome);
    }

    /** Records one analysis of a rollout, stamped with the start of the analysis round's transaction. */
    public void decided(Rollout rollout, Verdict verdict, String detail, Map<String, ?> figures) {
        sql.update("INSERT INTO rollout_decision (rollout_id, step, weight, verdict, detail, "
                        + "figures, created_at) VALUES (?1, ?2, ?3, ?4, ?5, CAST(?6 AS jsonb), now())",
                        rollout.id(), rollout.step(), rollout.weight(), verdict.name(),
                        detail.length() > 2000 ? detail.substring(0, 2000) : detail, json(figures));
    }

    /**
     * Whether the newest decision (of any rollout) was made less than {@code gap} before this transaction started: an
     * analysis round ran that recently. Decisions are only made under the analysis lock, so the newest id is the newest.
     */
    public boolean decidedWithin(Duration gap) {
        return Boolean.TRUE.equals(sql.value("SELECT created_at > now() - make_interval(secs => ?1) "
                + "FROM rollout_decision ORDER BY id DESC LIMIT 1", gap.toNanos() / 1e9));
    }

    /** The newest decisions of a rollout, newest first. */
    public List<Decision> decisions(long rolloutId, int limit) {
        List<Object[]> rows = sql.rows("SELECT id, step, weight, verdict, detail, figures::text, "
                        + "created_at FROM rollout_decision WHERE rollout_id = ?1 ORDER BY id DESC LIMIT ?2",
                        rolloutId, limit);
        return rows.stream().map(row -> new Decision(((Number) row[0]).longValue(), ((Number) row[1]).intValue() + 1,
                ((Number) row[2]).intValue(), Verdict.valueOf((String) row[3]), (String) row[4],
                tree((String) row[5]), instant(row[6]))).toList();
    }

    /** Both versions' figures in one step of a rollout, summed over every replica's reports. */
    public Map<Integer, VersionFigures> figures(long rolloutId, int step) {
        List<Object[]> rows = sql.rows("SELECT version, requests, errors, "
                        + "array_to_string(latency, ',') FROM rollout_traffic WHERE rollout_id = ?1 AND step = ?2",
                        rolloutId, step);
        Map<Integer, long[]> sums = new TreeMap<>();
        for (Object[] row : rows) {
            long[] sum = sums.computeIfAbsent(((Number) row[0]).intValue(), v -> new long[VersionTraffic.BUCKETS + 2]);
            sum[0] += ((Number) row[1]).longValue();
            sum[1] += ((Number) row[2]).longValue();
            long[] buckets = Arrays.stream(((String) row[3]).split(",")).mapToLong(Long::parseLong).toArray();
            for (int i = 0; i < Math.min(buckets.length, VersionTraffic.BUCKETS); i++) {
                sum[i + 2] += buckets[i];
            }
        }
        Map<Integer, VersionFigures> figures = new TreeMap<>();
        sums.forEach((version, sum) -> figures.put(version, VersionFigures.of(version, sum[0], sum[1],
                Arrays.copyOfRange(sum, 2, sum.length))));
        return figures;
    }

    private List<Rollout> list(String query, Object... parameters) {
        List<Object[]> rows = sql.rows(query, parameters);
        List<Rollout> rollouts = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            String steps = (String) row[7];
            String requirements = (String) row[14];
            rollouts.add(new Rollout(((Number) row[0]).longValue(), ((Number) row[1]).longValue(), (String) row[2],
                    ((Number) row[3]).intValue(), ((Number) row[4]).intValue(), Strategy.valueOf((String) row[5]),
                    RolloutState.valueOf((String) row[6]),
                    steps == null || steps.isEmpty() ? List.of()
                            : Arrays.stream(steps.split(",")).map(Integer::valueOf).toList(),
                    ((Number) row[8]).intValue(), ((Number) row[9]).intValue(), millis(row[10]),
                    row[11] == null ? null : ((Number) row[11]).doubleValue(), millis(row[12]),
                    thresholds((String) row[13]),
                    requirements == null || requirements.isEmpty() ? List.of() : List.of(requirements.split("\n")),
                    (Boolean) row[15], (String) row[16], (String) row[17], instant(row[18]), instant(row[19]),
                    (String) row[20], row[21] == null ? null : ((Number) row[21]).intValue(), millis(row[22])));
        }
        return rollouts;
    }

    private static Duration millis(Object value) {
        return value == null ? null : Duration.ofMillis(((Number) value).longValue());
    }

    private AnalysisThresholds thresholds(String json) {
        try {
            return mapper.readValue(json, AnalysisThresholds.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rollout.analysis is not what this build wrote", e);
        }
    }

    private Object tree(String json) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rollout_decision.figures is jsonb, so always JSON", e);
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not JSON-serialisable: " + value, e);
        }
    }

    /** A PostgreSQL text[] literal: every element quoted, quotes and backslashes escaped. */
    static String textArray(List<String> values) {
        return values.stream().map(v -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        return ((Timestamp) value).toInstant();
    }
}

package dev.turnout.rollout;

import dev.turnout.db.Sql;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * A model's history, in three tables whose ids share one sequence (activation_id_seq), so their lines interleave by
 * id: flips and rollbacks in {@code activation} (the previous build rolls back to the newest one's previous version),
 * deactivations in {@code deactivation} (V4: every activation line has a version, as builds before V3 need) and
 * progressive-delivery lines in {@code rollout_history} (V11). A 'deactivate' line in {@code activation} without a
 * version is one a build of V3 wrote.
 */
@ApplicationScoped
public class ActivationHistory {

    private static final String RETURNING = " RETURNING version, previous_version, kind, actor, reason, forced, created_at";
    private static final String FLIPS = "SELECT id, version, previous_version, kind, actor, reason, forced, created_at "
            + "FROM activation WHERE model_id = ?1 UNION ALL SELECT id, NULL, previous_version, 'deactivate', actor, "
            + "reason, false, created_at FROM deactivation WHERE model_id = ?1";
    private static final String ROLLOUT_LINES = " UNION ALL SELECT id, version, previous_version, kind, actor, reason, "
            + "false, created_at FROM rollout_history WHERE model_id = ?1";

    private final Sql sql;

    public ActivationHistory(Sql sql) {
        this.sql = sql;
    }

    public ActivationRecord activation(long modelId, int version, Integer previous, String kind, String actor,
                                       String reason, boolean forced) {
        return sql.first("INSERT INTO activation (model_id, version, previous_version, kind, actor, reason, forced) "
                        + "VALUES (?1, ?2, CAST(?3 AS integer), ?4, ?5, ?6, ?7)" + RETURNING, ActivationHistory::line,
                modelId, version, previous, kind, actor, reason, forced).orElseThrow();
    }

    /** A deactivation line: {@code previous} is the version that was active; a rollback brings it back. */
    public ActivationRecord deactivation(long modelId, int previous, String actor, String reason) {
        return sql.first("INSERT INTO deactivation (model_id, previous_version, actor, reason) VALUES (?1, ?2, ?3, ?4) "
                        + "RETURNING NULL::integer AS version, previous_version, 'deactivate' AS kind, actor, reason, "
                        + "false AS forced, created_at", ActivationHistory::line, modelId, previous, actor, reason)
                .orElseThrow();
    }

    /** A progressive-delivery line: {@code candidate} compared with the active version {@code baseline}. */
    public ActivationRecord rolloutLine(long modelId, long rolloutId, int candidate, int baseline, String kind,
                                        String actor, String reason) {
        return sql.first("INSERT INTO rollout_history (model_id, rollout_id, version, previous_version, kind, actor, "
                        + "reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING version, previous_version, kind, actor, "
                        + "reason, false AS forced, created_at", ActivationHistory::line, modelId, rolloutId, candidate,
                baseline, kind, actor, reason).orElseThrow();
    }

    /** The newest {@code limit} flips, rollbacks and deactivations, newest first (rollout lines left out). */
    public List<ActivationRecord> newestFlips(long modelId, int limit) {
        return sql.list(FLIPS + " ORDER BY id DESC LIMIT ?2", ActivationHistory::line, modelId, limit);
    }

    /** The newest {@code limit} lines of all three tables, newest first. */
    public List<ActivationRecord> newest(long modelId, int limit) {
        return sql.list(FLIPS + ROLLOUT_LINES + " ORDER BY id DESC LIMIT ?2", ActivationHistory::line, modelId, limit);
    }

    /** Deletes a model's flips and deactivations (its rollout lines go with its rollouts). */
    public void deleteOf(long modelId) {
        sql.update("DELETE FROM activation WHERE model_id = ?1", modelId);
        sql.update("DELETE FROM deactivation WHERE model_id = ?1", modelId);
    }

    private static ActivationRecord line(java.sql.ResultSet row) throws java.sql.SQLException {
        return new ActivationRecord(Sql.nullableInt(row, "version"), Sql.nullableInt(row, "previous_version"),
                row.getString("kind"), row.getString("actor"), row.getString("reason"), row.getBoolean("forced"),
                Sql.instant(row, "created_at"));
    }
}

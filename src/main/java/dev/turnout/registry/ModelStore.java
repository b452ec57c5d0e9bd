package dev.turnout.registry;

import dev.turnout.db.Sql;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The model rows: found, locked, created on first upload, pointed at a version, deleted. */
@ApplicationScoped
public class ModelStore {

    private static final String COLUMNS = "m.id, m.name, m.description, m.created_at, m.next_version, m.active_version, "
            + "m.active_generation";

    private final Sql sql;

    public ModelStore(Sql sql) {
        this.sql = sql;
    }

    public Optional<Model> find(String name) {
        return sql.first("SELECT " + COLUMNS + " FROM model m WHERE m.name = ?1", ModelStore::model, name);
    }

    /**
     * The model's row, locked until the transaction ends. FOR NO KEY UPDATE (what Hibernate took for a pessimistic
     * write lock): flips and uploads of one model queue, while rows that only reference the model do not wait.
     */
    public Optional<Model> lock(String name) {
        return sql.first("SELECT " + COLUMNS + " FROM model m WHERE m.name = ?1 FOR NO KEY UPDATE", ModelStore::model,
                name);
    }

    /** The model named {@code name}, created if it does not exist yet, and locked. */
    public Model lockOrCreate(String name) {
        // ON CONFLICT: two first uploads racing to create the model both succeed; the second waits, then finds it.
        sql.update("INSERT INTO model (name) VALUES (?1) ON CONFLICT (name) DO NOTHING", name);
        // A model deleted under this name left how far it had got: continue from there (V6). A statement of its own,
        // after the insert: should the insert have waited for a deletion to commit, this one sees what it left.
        sql.update("UPDATE model m SET next_version = GREATEST(m.next_version, d.next_version), "
                + "active_generation = GREATEST(m.active_generation, d.active_generation) FROM deleted_model d "
                + "WHERE m.name = ?1 AND d.name = m.name "
                + "AND (m.next_version < d.next_version OR m.active_generation < d.active_generation)", name);
        return lock(name).orElseThrow();
    }

    public void setNextVersion(long id, int next) {
        sql.update("UPDATE model SET next_version = ?2 WHERE id = ?1", id, next);
    }

    /** Moves the pointer; the foreign key and the generation trigger run in this statement. */
    public void setActiveVersion(long id, Integer version) {
        sql.update("UPDATE model SET active_version = CAST(?2 AS integer) WHERE id = ?1", id, version);
    }

    public long countActive() {
        return sql.oneLong("SELECT count(*) FROM model WHERE active_version IS NOT NULL");
    }

    /** Deletes the row, keeping how far the model had got under its name (V6). Its versions must be gone. */
    public void delete(Model model) {
        sql.update("INSERT INTO deleted_model (name, next_version, active_generation) "
                        + "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
                        + "next_version = GREATEST(deleted_model.next_version, EXCLUDED.next_version), "
                        + "active_generation = GREATEST(deleted_model.active_generation, EXCLUDED.active_generation), "
                        + "deleted_at = now()",
                // one more than the last move replicas may have applied: the next model's first target is newer
                model.name(), model.nextVersion(), model.activeGeneration() + 1);
        sql.update("DELETE FROM model WHERE id = ?1", model.id());
    }

    /** Names after {@code afterName}, at most {@code limit}; with tags, of models with a version passing them all. */
    public List<String> names(List<TagFilter> tags, String afterName, int limit) {
        String versionPasses = tags.isEmpty() ? "" : " AND EXISTS (SELECT 1 FROM model_version v WHERE v.model_id = m.id"
                + TagFilter.sql("v.id", tags, 3) + ")";
        return sql.list("SELECT m.name FROM model m WHERE m.name > ?1" + versionPasses + " ORDER BY m.name LIMIT ?2",
                row -> row.getString(1), TagFilter.parameters(List.of(afterName, limit), tags));
    }

    /** The models named, by name, each with its latest version number and number of versions. */
    public List<ModelInfo> summaries(List<String> names) {
        return sql.list("SELECT " + COLUMNS + ", max(v.version) AS latest, count(v.id) AS versions FROM model m "
                + "LEFT JOIN model_version v ON v.model_id = m.id WHERE m.name = ANY(?1) GROUP BY m.id "
                + "ORDER BY m.name", ModelStore::summary, names);
    }

    public Optional<ModelInfo> summary(String name) {
        return sql.first("SELECT " + COLUMNS + ", max(v.version) AS latest, count(v.id) AS versions FROM model m "
                + "LEFT JOIN model_version v ON v.model_id = m.id WHERE m.name = ?1 GROUP BY m.id", ModelStore::summary,
                name);
    }

    private static ModelInfo summary(ResultSet row) throws SQLException {
        Model model = model(row);
        return new ModelInfo(model.name(), model.description(), model.createdAt(), model.activeVersion(),
                Sql.nullableInt(row, "latest"), row.getLong("versions"));
    }

    static Model model(ResultSet row) throws SQLException {
        return new Model(row.getLong("id"), row.getString("name"), row.getString("description"),
                Sql.instant(row, "created_at"), row.getInt("next_version"), Sql.nullableInt(row, "active_version"),
                row.getLong("active_generation"));
    }
}

package dev.turnout.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.db.Sql;
import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.Signature;
import dev.turnout.storage.StoreKind;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The version rows with their artifact, metrics and tags. */
@ApplicationScoped
public class VersionStore {

    /**
     * The signature column's JSON: a plain Jackson mapper (the record's own names), as Hibernate wrote it before, not
     * the REST mapper with its snake_case; builds before and after read each other's rows.
     */
    private static final ObjectMapper SIGNATURE_JSON = new ObjectMapper().findAndRegisterModules();

    private static final String COLUMNS = "v.id, m.name, v.version, v.format, v.signature::text AS signature, "
            + "v.description, v.status, v.created_at, a.sha256, a.size_bytes, a.store, a.storage_key";
    private static final String FROM = " FROM model_version v JOIN model m ON m.id = v.model_id "
            + "JOIN artifact a ON a.sha256 = v.sha256";

    private final Sql sql;

    public VersionStore(Sql sql) {
        this.sql = sql;
    }

    public Optional<ModelVersion> find(long modelId, int number) {
        return withMetricsAndTags(sql.list("SELECT " + COLUMNS + FROM + " WHERE v.model_id = ?1 AND v.version = ?2",
                VersionStore::version, modelId, number)).stream().findFirst();
    }

    public boolean exists(long modelId, int number) {
        return sql.first("SELECT 1 FROM model_version WHERE model_id = ?1 AND version = ?2", row -> true, modelId,
                number).isPresent();
    }

    /** Ids of a model's versions numbered above {@code afterVersion}, oldest first, at most {@code limit}, passing tags. */
    public List<Long> ids(long modelId, List<TagFilter> tags, int afterVersion, int limit) {
        return sql.list("SELECT v.id FROM model_version v WHERE v.model_id = ?1 AND v.version > ?2"
                        + TagFilter.sql("v.id", tags, 4) + " ORDER BY v.version LIMIT ?3", row -> row.getLong(1),
                TagFilter.parameters(List.of(modelId, afterVersion, limit), tags));
    }

    /** The versions with these ids, by number. */
    public List<ModelVersion> byIds(List<Long> ids) {
        return ids.isEmpty() ? List.of() : withMetricsAndTags(sql.list("SELECT " + COLUMNS + FROM
                + " WHERE v.id = ANY(?1) ORDER BY v.version", VersionStore::version, ids));
    }

    /** Every version number of a model, oldest first. */
    public List<Integer> numbers(String name) {
        return sql.list("SELECT v.version FROM model_version v JOIN model m ON m.id = v.model_id WHERE m.name = ?1 "
                + "ORDER BY v.version", row -> row.getInt(1), name);
    }

    /**
     * What every model's replicas must serve: name, pointer generation and active version (if any), read in one
     * statement, so each pointer's generation and version come from the same moment.
     */
    public List<ServingTarget> targets() {
        return sql.list("SELECT m.name AS model, m.active_generation, v.version, v.format, v.signature::text AS signature, "
                + "a.sha256, a.size_bytes, a.store, a.storage_key FROM model m "
                + "LEFT JOIN model_version v ON v.model_id = m.id AND v.version = m.active_version "
                + "LEFT JOIN artifact a ON a.sha256 = v.sha256 ORDER BY m.name", row -> new ServingTarget(
                row.getString("model"), row.getLong("active_generation"), row.getString("sha256") == null
                ? Optional.empty() : Optional.of(new ServableVersion(row.getString("model"), row.getInt("version"),
                StoredArtifact.of(artifact(row), row.getString("format")), signature(row.getString("signature"))))));
    }

    /** Inserts a version (its number taken under the model's lock) with its metrics and tags; its id. */
    public long insert(long modelId, int number, ModelFormat format, String sha256, Signature signature,
                       Map<String, Double> metrics, Map<String, String> tags, String description) {
        long id = sql.oneLong("INSERT INTO model_version (model_id, version, format, sha256, signature, description) "
                + "VALUES (?1, ?2, ?3, ?4, CAST(?5 AS jsonb), ?6) RETURNING id", modelId, number, format.id(), sha256,
                json(signature), description);
        merge(id, "model_version_metric", metrics);
        merge(id, "model_version_tag", tags);
        return id;
    }

    /** Sets the metrics in {@code changes} and removes those whose value is null. */
    public void mergeMetrics(long versionId, Map<String, Double> changes) {
        merge(versionId, "model_version_metric", changes);
    }

    /** Sets the tags in {@code changes} and removes those whose value is null. */
    public void mergeTags(long versionId, Map<String, String> changes) {
        merge(versionId, "model_version_tag", changes);
    }

    public void setDescription(long versionId, String description) {
        sql.update("UPDATE model_version SET description = ?2 WHERE id = ?1", versionId, description);
    }

    /** Deletes a version (its metrics and tags go with it); the sha256 of its artifact. */
    public String delete(long versionId) {
        return sql.first("DELETE FROM model_version WHERE id = ?1 RETURNING sha256", row -> row.getString(1), versionId)
                .orElseThrow();
    }

    /** Deletes every version of a model; the sha256 of their artifacts. */
    public List<String> deleteAll(long modelId) {
        return sql.list("DELETE FROM model_version WHERE model_id = ?1 RETURNING sha256", row -> row.getString(1),
                modelId);
    }

    private void merge(long versionId, String table, Map<String, ?> changes) {
        changes.forEach((name, value) -> {
            if (value == null) {
                sql.update("DELETE FROM " + table + " WHERE version_id = ?1 AND name = ?2", versionId, name);
            } else {
                sql.update("INSERT INTO " + table + " (version_id, name, value) VALUES (?1, ?2, ?3) "
                        + "ON CONFLICT (version_id, name) DO UPDATE SET value = EXCLUDED.value", versionId, name, value);
            }
        });
    }

    /** The versions with their metrics and tags, read in one statement each for all of them. */
    private List<ModelVersion> withMetricsAndTags(List<ModelVersion> versions) {
        if (versions.isEmpty()) {
            return versions;
        }
        List<Long> ids = versions.stream().map(ModelVersion::id).toList();
        Map<Long, Map<String, Double>> metrics = new HashMap<>();
        sql.list("SELECT version_id, name, value FROM model_version_metric WHERE version_id = ANY(?1)", row -> metrics
                .computeIfAbsent(row.getLong(1), id -> new TreeMap<>()).put(row.getString(2), row.getDouble(3)), ids);
        Map<Long, Map<String, String>> tags = new HashMap<>();
        sql.list("SELECT version_id, name, value FROM model_version_tag WHERE version_id = ANY(?1)", row -> tags
                .computeIfAbsent(row.getLong(1), id -> new TreeMap<>()).put(row.getString(2), row.getString(3)), ids);
        return versions.stream().map(v -> new ModelVersion(v.id(), v.model(), v.version(), v.format(), v.artifact(),
                v.signature(), metrics.getOrDefault(v.id(), new TreeMap<>()), tags.getOrDefault(v.id(), new TreeMap<>()),
                v.description(), v.status(), v.createdAt())).toList();
    }

    private static ModelVersion version(ResultSet row) throws SQLException {
        return new ModelVersion(row.getLong("id"), row.getString("name"), row.getInt("version"), row.getString("format"),
                artifact(row), signature(row.getString("signature")), Map.of(), Map.of(), row.getString("description"),
                row.getString("status"), Sql.instant(row, "created_at"));
    }

    private static Artifact artifact(ResultSet row) throws SQLException {
        return new Artifact(row.getString("sha256"), row.getLong("size_bytes"), row.getString("store"),
                row.getString("storage_key"));
    }

    private static Signature signature(String json) {
        try {
            return SIGNATURE_JSON.readValue(json, Signature.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("model_version.signature is not a signature", e);
        }
    }

    private static String json(Signature signature) {
        try {
            return SIGNATURE_JSON.writeValueAsString(signature);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a signature is not JSON-serialisable", e);
        }
    }
}

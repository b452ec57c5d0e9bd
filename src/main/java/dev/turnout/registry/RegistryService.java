package dev.turnout.registry;

import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.Signature;
import dev.turnout.error.TurnoutException;
import dev.turnout.events.Event;
import dev.turnout.events.EventOutbox;
import dev.turnout.events.EventType;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;

/** The registry's transactions: one per operation, with the database guarding uniqueness and immutability. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class RegistryService {

    private final EntityManager entityManager;
    private final ArtifactStore artifacts;
    private final EventOutbox events;

    public RegistryService(EntityManager entityManager, ArtifactStore artifacts, EventOutbox events) {
        this.entityManager = entityManager;
        this.artifacts = artifacts;
        this.events = events;
    }

    /**
     * Records a version while its artifact is proven loadable elsewhere ({@code proof}): stores the bytes first
     * (content-addressed, no lock on the model), waits for the proof, then creates the model on first upload and takes the next number under the model row's lock, held
     * only for the short insert (concurrent uploads queue there, none fails; flips never wait for bytes). One
     * transaction, so a crash at any point leaves neither a version nor its large object behind (nor its event).
     */
    @Transactional(Transactional.TxType.REQUIRED)
    @TransactionConfiguration(timeout = 3600) // storing a multi-GiB artifact outlasts the 60 s default
    public VersionInfo addVersion(VersionUpload upload, ModelFormat format, String sha256, long size,
                                  Future<Signature> proof, String actor) {
        // The bytes go to the store while the proof runs on the caller's thread; a refused proof rolls this back.
        artifacts.store(upload.artifact(), sha256, size);
        Signature signature = VersionUploader.await(proof);
        Model model = lockOrCreate(upload.model());
        int number = model.nextVersion;
        model.nextVersion = number + 1;

        ModelVersion version = new ModelVersion();
        version.model = model;
        version.version = number;
        version.format = format.id();
        version.artifact = entityManager.getReference(Artifact.class, sha256);
        version.signature = signature;
        version.metrics.putAll(upload.metrics());
        version.tags.putAll(upload.tags());
        version.description = upload.description();
        version.persist();
        entityManager.flush();
        entityManager.refresh(version);
        VersionInfo created = info(version);
        events.write(Event.of(EventType.VERSION_CREATED, model.name, number, actor).withDetails(Map.of(
                "format", created.format(), "sha256", sha256, "size_bytes", size, "metrics", created.metrics(),
                "tags", created.tags())));
        return created;
    }

    /**
     * Models by name after {@code afterName} ("" for the first page), at most {@code limit}; with tag filters, only
     * models having a version that passes all of them.
     */
    public ListPage<ModelInfo> listModels(List<TagFilter> tags, String afterName, int limit) {
        String versionPasses = tags.isEmpty() ? "" : " AND EXISTS (SELECT 1 FROM model_version v WHERE v.model_id = m.id"
                + TagFilter.sql("v.id", tags) + ")";
        var names = entityManager.createNativeQuery("SELECT m.name FROM model m WHERE m.name > :after" + versionPasses
                + " ORDER BY m.name LIMIT :limit", String.class);
        TagFilter.bind(names, tags);
        @SuppressWarnings("unchecked")
        List<String> page = names.setParameter("after", afterName).setParameter("limit", limit + 1).getResultList();
        if (page.isEmpty()) {
            return new ListPage<>(List.of(), false);
        }
        List<Object[]> rows = entityManager.createQuery("select m, max(v.version), count(v) from Model m "
                + "left join ModelVersion v on v.model = m where m.name in :names group by m order by m.name",
                Object[].class).setParameter("names", page).getResultList();
        return ListPage.of(rows.stream().map(row -> info((Model) row[0], (Integer) row[1], (Long) row[2])).toList(),
                limit);
    }

    @Transactional(Transactional.TxType.REQUIRED) // also called from prediction threads (404 for unknown models)
    public ModelInfo getModel(String name) {
        return info(findModel(name));
    }

    /** A model's versions numbered above {@code afterVersion}, oldest first, at most {@code limit}, passing all tags. */
    public ListPage<VersionInfo> listVersions(String name, List<TagFilter> tags, int afterVersion, int limit) {
        Model model = findModel(name);
        var ids = entityManager.createNativeQuery("SELECT v.id FROM model_version v WHERE v.model_id = :model "
                + "AND v.version > :after" + TagFilter.sql("v.id", tags) + " ORDER BY v.version LIMIT :limit", Long.class);
        TagFilter.bind(ids, tags);
        @SuppressWarnings("unchecked")
        List<Long> page = ids.setParameter("model", model.id).setParameter("after", afterVersion)
                .setParameter("limit", limit + 1).getResultList();
        List<ModelVersion> versions = page.isEmpty() ? List.of() : ModelVersion.list("id in ?1 order by version", page);
        return ListPage.of(versions.stream().map(RegistryService::info).toList(), limit);
    }

    public VersionInfo getVersion(String name, int number) {
        return info(findVersion(name, number));
    }

    /** What every model's replicas must serve, with the generation of its pointer; models with no version too. */
    @Transactional(Transactional.TxType.REQUIRED) // called from background threads
    public List<ServingTarget> targets() {
        // One statement, so each pointer's generation and version come from the same moment.
        List<Object[]> rows = entityManager.createQuery("select m, v from Model m left join ModelVersion v "
                + "on v.model = m and v.version = m.activeVersion order by m.name", Object[].class).getResultList();
        return rows.stream().map(row -> {
            Model model = (Model) row[0];
            return new ServingTarget(model.name, model.activeGeneration,
                    Optional.ofNullable((ModelVersion) row[1]).map(RegistryService::servable));
        }).toList();
    }

    /** What one model's replicas must serve. 404 when there is no such model. */
    @Transactional(Transactional.TxType.REQUIRED) // called from background and prediction threads
    public ServingTarget target(String name) {
        Model model = findModel(name);
        return new ServingTarget(name, model.activeGeneration, model.activeVersion == null ? Optional.empty()
                : Optional.of(servable(findVersion(model, model.activeVersion))));
    }

    /** A version to serve on request (the active one or any other). */
    @Transactional(Transactional.TxType.REQUIRED) // also called from background threads
    public ServableVersion servableVersion(String name, int number) {
        return servable(findVersion(name, number));
    }

    /** The active version of one model; empty when the model has none. 404 when there is no such model. */
    @Transactional(Transactional.TxType.REQUIRED) // also called from background threads
    public Optional<ServableVersion> activeVersion(String name) {
        Model model = findModel(name);
        return model.activeVersion == null ? Optional.empty()
                : Optional.of(servable(findVersion(model, model.activeVersion)));
    }

    /** Every version number of a model, oldest first. */
    @Transactional(Transactional.TxType.REQUIRED) // also called from background threads
    public List<Integer> versionNumbers(String name) {
        return entityManager.createQuery("select v.version from ModelVersion v where v.model.name = ?1 order by v.version",
                Integer.class).setParameter(1, name).getResultList();
    }

    private static ServableVersion servable(ModelVersion v) {
        return new ServableVersion(v.model.name, v.version, StoredArtifact.of(v.artifact, v.format), v.signature);
    }

    /** Where the bytes of a version live, for streaming them out after this read transaction ends. */
    public StoredArtifact artifactOf(String name, int number) {
        ModelVersion version = findVersion(name, number);
        return StoredArtifact.of(version.artifact, version.format);
    }

    @Transactional(Transactional.TxType.REQUIRED)
    public VersionInfo updateVersion(String name, int number, VersionChanges changes, String actor) {
        ModelVersion version = findVersion(name, number);
        if (changes.metrics() != null) {
            merge(version.metrics, changes.metrics());
        }
        if (changes.tags() != null) {
            merge(version.tags, changes.tags());
        }
        if (changes.description() != null) {
            version.description = changes.description().isEmpty() ? null : changes.description();
        }
        VersionInfo changed = info(version);
        Map<String, Object> details = new TreeMap<>();
        details.put("metrics", changed.metrics());
        details.put("tags", changed.tags());
        details.put("description", changed.description());
        details.put("changed", changes.changed());
        events.write(Event.of(EventType.VERSION_CHANGED, name, number, actor).withDetails(details));
        return changed;
    }

    /** Removes a version, and its bytes once no other version shares them. The active version cannot go. */
    @Transactional(Transactional.TxType.REQUIRED)
    public void deleteVersion(String name, int number, String actor) {
        Model model = Model.find("name", name).withLock(LockModeType.PESSIMISTIC_WRITE).<Model>firstResultOptional()
                .orElseThrow(() -> unknownModel(name));
        ModelVersion version = findVersion(model, number);
        if (model.activeVersion != null && model.activeVersion == number) {
            throw TurnoutException.conflict("version " + number + " is the active version of model '" + name
                    + "'; activate another version before deleting it");
        }
        String sha256 = version.artifact.sha256;
        version.delete();
        entityManager.flush();
        artifacts.deleteIfUnreferenced(sha256);
        events.write(Event.of(EventType.VERSION_DELETED, name, number, actor));
    }

    /**
     * Deletes a model the caller locked ({@link ActivePointer#lock}) and has cleared of everything recorded about it
     * above the registry: its versions, their bytes unless another model's version shares them, and its row. How far
     * it had got (next number, pointer generation) is kept under its name, so a model created later under that name
     * continues from there. Refused while it has an active version.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void deleteModel(Model model) {
        if (model.activeVersion != null) {
            throw TurnoutException.conflict("model '" + model.name + "' has version " + model.activeVersion
                    + " active; take it out of service first (DELETE /api/models/" + model.name + "/active), then "
                    + "delete the model");
        }
        List<ModelVersion> versions = ModelVersion.list("model", model);
        Set<String> digests = new HashSet<>();
        versions.forEach(version -> {
            digests.add(version.artifact.sha256);
            version.delete();
        });
        entityManager.flush();
        digests.forEach(artifacts::deleteIfUnreferenced);
        entityManager.createNativeQuery("INSERT INTO deleted_model (name, next_version, active_generation) "
                        + "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
                        + "next_version = GREATEST(deleted_model.next_version, EXCLUDED.next_version), "
                        + "active_generation = GREATEST(deleted_model.active_generation, EXCLUDED.active_generation), "
                        + "deleted_at = now()")
                .setParameter(1, model.name)
                .setParameter(2, model.nextVersion)
                // one more than the last move replicas may have applied: the next model's first target is newer
                .setParameter(3, model.activeGeneration + 1)
                .executeUpdate();
        model.delete();
        entityManager.flush();
    }

    private Model lockOrCreate(String name) {
        // ON CONFLICT: two first uploads racing to create the model both succeed; the second waits, then finds it.
        entityManager.createNativeQuery("INSERT INTO model (name) VALUES (?1) ON CONFLICT (name) DO NOTHING")
                .setParameter(1, name)
                .executeUpdate();
        // A model deleted under this name left how far it had got: continue from there (V6). A statement of its own,
        // after the insert: should the insert have waited for a deletion to commit, this one sees what it left.
        entityManager.createNativeQuery("UPDATE model m SET next_version = GREATEST(m.next_version, d.next_version), "
                        + "active_generation = GREATEST(m.active_generation, d.active_generation) FROM deleted_model d "
                        + "WHERE m.name = ?1 AND d.name = m.name "
                        + "AND (m.next_version < d.next_version OR m.active_generation < d.active_generation)")
                .setParameter(1, name)
                .executeUpdate();
        return Model.find("name", name).withLock(LockModeType.PESSIMISTIC_WRITE).<Model>firstResultOptional()
                .orElseThrow();
    }

    private static Model findModel(String name) {
        return Model.find("name", name).<Model>firstResultOptional().orElseThrow(() -> unknownModel(name));
    }

    private static ModelVersion findVersion(String name, int number) {
        return findVersion(findModel(name), number);
    }

    private static ModelVersion findVersion(Model model, int number) {
        return ModelVersion.find("model = ?1 and version = ?2", model, number).<ModelVersion>firstResultOptional()
                .orElseThrow(() -> TurnoutException.notFound("model '" + model.name + "' has no version " + number));
    }

    private static TurnoutException unknownModel(String name) {
        return TurnoutException.notFound("no model named '" + name + "'");
    }

    private static <V> void merge(Map<String, V> target, Map<String, V> changes) {
        changes.forEach((key, value) -> {
            if (value == null) {
                target.remove(key);
            } else {
                target.put(key, value);
            }
        });
    }

    private ModelInfo info(Model model) {
        Object[] stats = (Object[]) entityManager.createQuery(
                        "select max(v.version), count(v) from ModelVersion v where v.model = ?1")
                .setParameter(1, model)
                .getSingleResult();
        return info(model, (Integer) stats[0], (Long) stats[1]);
    }

    private static ModelInfo info(Model model, Integer latestVersion, long versionCount) {
        return new ModelInfo(model.name, model.description, model.createdAt, model.activeVersion, latestVersion,
                versionCount);
    }

    static VersionInfo info(ModelVersion v) {
        return new VersionInfo(v.model.name, v.version, v.format, v.artifact.sha256, v.artifact.sizeBytes,
                v.signature, new TreeMap<>(v.metrics), new TreeMap<>(v.tags), v.description, v.status, v.createdAt);
    }
}

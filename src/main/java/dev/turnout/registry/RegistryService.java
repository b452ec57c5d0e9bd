package dev.turnout.registry;

import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.Signature;
import dev.turnout.error.TurnoutException;
import dev.turnout.events.Event;
import dev.turnout.events.EventOutbox;
import dev.turnout.events.EventType;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Future;

/** The registry's transactions: one per operation, with the database guarding uniqueness and immutability. */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class RegistryService {

    private final ModelStore models;
    private final VersionStore versions;
    private final ArtifactStore artifacts;
    private final EventOutbox events;

    public RegistryService(ModelStore models, VersionStore versions, ArtifactStore artifacts, EventOutbox events) {
        this.models = models;
        this.versions = versions;
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
        Model model = models.lockOrCreate(upload.model());
        int number = model.nextVersion();
        models.setNextVersion(model.id(), number + 1);
        versions.insert(model.id(), number, format, sha256, signature, upload.metrics(), upload.tags(),
                upload.description());
        VersionInfo created = info(findVersion(model, number));
        events.write(Event.of(EventType.VERSION_CREATED, model.name(), number, actor).withDetails(Map.of(
                "format", created.format(), "sha256", sha256, "size_bytes", size, "metrics", created.metrics(),
                "tags", created.tags())));
        return created;
    }

    /**
     * Models by name after {@code afterName} ("" for the first page), at most {@code limit}; with tag filters, only
     * models having a version that passes all of them.
     */
    public ListPage<ModelInfo> listModels(List<TagFilter> tags, String afterName, int limit) {
        List<String> page = models.names(tags, afterName, limit + 1);
        if (page.isEmpty()) {
            return new ListPage<>(List.of(), false);
        }
        return ListPage.of(models.summaries(page), limit);
    }

    @Transactional(Transactional.TxType.REQUIRED) // also called from prediction threads (404 for unknown models)
    public ModelInfo getModel(String name) {
        return models.summary(name).orElseThrow(() -> unknownModel(name));
    }

    /** A model's versions numbered above {@code afterVersion}, oldest first, at most {@code limit}, passing all tags. */
    public ListPage<VersionInfo> listVersions(String name, List<TagFilter> tags, int afterVersion, int limit) {
        Model model = findModel(name);
        List<Long> page = versions.ids(model.id(), tags, afterVersion, limit + 1);
        return ListPage.of(versions.byIds(page).stream().map(RegistryService::info).toList(), limit);
    }

    public VersionInfo getVersion(String name, int number) {
        return info(findVersion(name, number));
    }

    /** What every model's replicas must serve, with the generation of its pointer; models with no version too. */
    @Transactional(Transactional.TxType.REQUIRED) // called from background threads
    public List<ServingTarget> targets() {
        return versions.targets();
    }

    /** What one model's replicas must serve. 404 when there is no such model. */
    @Transactional(Transactional.TxType.REQUIRED) // called from background and prediction threads
    public ServingTarget target(String name) {
        Model model = findModel(name);
        return new ServingTarget(name, model.activeGeneration(), model.activeVersion() == null ? Optional.empty()
                : Optional.of(servable(findVersion(model, model.activeVersion()))));
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
        return model.activeVersion() == null ? Optional.empty()
                : Optional.of(servable(findVersion(model, model.activeVersion())));
    }

    /** Every version number of a model, oldest first. */
    @Transactional(Transactional.TxType.REQUIRED) // also called from background threads
    public List<Integer> versionNumbers(String name) {
        return versions.numbers(name);
    }

    private static ServableVersion servable(ModelVersion v) {
        return new ServableVersion(v.model(), v.version(), StoredArtifact.of(v.artifact(), v.format()), v.signature());
    }

    /** Where the bytes of a version live, for streaming them out after this read transaction ends. */
    public StoredArtifact artifactOf(String name, int number) {
        ModelVersion version = findVersion(name, number);
        return StoredArtifact.of(version.artifact(), version.format());
    }

    @Transactional(Transactional.TxType.REQUIRED)
    public VersionInfo updateVersion(String name, int number, VersionChanges changes, String actor) {
        ModelVersion version = findVersion(name, number);
        if (changes.metrics() != null) {
            versions.mergeMetrics(version.id(), changes.metrics());
        }
        if (changes.tags() != null) {
            versions.mergeTags(version.id(), changes.tags());
        }
        if (changes.description() != null) {
            versions.setDescription(version.id(), changes.description().isEmpty() ? null : changes.description());
        }
        VersionInfo changed = info(findVersion(name, number));
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
        Model model = models.lock(name).orElseThrow(() -> unknownModel(name));
        ModelVersion version = findVersion(model, number);
        if (model.activeVersion() != null && model.activeVersion() == number) {
            throw TurnoutException.conflict("version " + number + " is the active version of model '" + name
                    + "'; activate another version before deleting it");
        }
        artifacts.deleteIfUnreferenced(versions.delete(version.id()));
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
        if (model.activeVersion() != null) {
            throw TurnoutException.conflict("model '" + model.name() + "' has version " + model.activeVersion()
                    + " active; take it out of service first (DELETE /api/models/" + model.name() + "/active), then "
                    + "delete the model");
        }
        new LinkedHashSet<>(versions.deleteAll(model.id())).forEach(artifacts::deleteIfUnreferenced);
        models.delete(model);
    }

    /** A model by name, unlocked; 404 when there is none. */
    public Model findModel(String name) {
        return models.find(name).orElseThrow(() -> unknownModel(name));
    }

    private ModelVersion findVersion(String name, int number) {
        return findVersion(findModel(name), number);
    }

    private ModelVersion findVersion(Model model, int number) {
        return versions.find(model.id(), number)
                .orElseThrow(() -> TurnoutException.notFound("model '" + model.name() + "' has no version " + number));
    }

    private static TurnoutException unknownModel(String name) {
        return TurnoutException.notFound("no model named '" + name + "'");
    }

    static VersionInfo info(ModelVersion v) {
        return new VersionInfo(v.model(), v.version(), v.format(), v.artifact().sha256(), v.artifact().sizeBytes(),
                v.signature(), new TreeMap<>(v.metrics()), new TreeMap<>(v.tags()), v.description(), v.status(),
                v.createdAt());
    }
}

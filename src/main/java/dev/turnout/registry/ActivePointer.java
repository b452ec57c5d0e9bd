package dev.turnout.registry;

import dev.turnout.db.Sql;
import dev.turnout.error.TurnoutException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * The one owner of every model's active-version pointer (like MLflow's aliases, moved by the store, never by callers
 * writing rows). Callers lock the model, decide, then move the pointer, all inside their own transaction; the
 * database checks that the version exists, numbers every move (active_generation) and notifies the replicas.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class ActivePointer {

    private final ModelStore models;
    private final VersionStore versions;
    private final Sql sql;

    public ActivePointer(ModelStore models, VersionStore versions, Sql sql) {
        this.models = models;
        this.versions = versions;
        this.sql = sql;
    }

    /** Locks the model's row until the transaction ends: flips, rollbacks and uploads of one model queue here. */
    public Model lock(String name) {
        return models.lock(name).orElseThrow(() -> TurnoutException.notFound("no model named '" + name + "'"));
    }

    /** A version of a locked model; 404 when it has no such version. */
    public ModelVersion version(Model model, int number) {
        return versions.find(model.id(), number)
                .orElseThrow(() -> TurnoutException.notFound("model '" + model.name() + "' has no version " + number));
    }

    public boolean exists(Model model, int number) {
        return versions.exists(model.id(), number);
    }

    /**
     * Points a locked model at {@code version} (null: no active version). A model that had none takes one of
     * {@code maxActiveModels} places: an advisory lock, always taken after the model row's, serialises the count so
     * two models cannot both take the last place.
     */
    public void move(Model model, Integer version, int maxActiveModels) {
        if (version != null && model.activeVersion() == null) {
            sql.first("SELECT pg_advisory_xact_lock(hashtext('turnout.active-models'))", row -> true);
            long active = models.countActive();
            if (active >= maxActiveModels) {
                throw TurnoutException.conflict(active + " models are active, the most allowed "
                        + "(turnout.serving.max-active-models=" + maxActiveModels + "; every replica loads each of "
                        + "them); deactivate one with DELETE /api/models/{name}/active first");
            }
        }
        // the foreign key and the generation trigger run now, inside the caller's checks
        models.setActiveVersion(model.id(), version);
    }
}

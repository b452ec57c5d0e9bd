package dev.turnout.evaluation;

import dev.turnout.dataset.DatasetCatalog;
import dev.turnout.dataset.DatasetVersion;
import dev.turnout.db.SqlStates;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.ServableVersion;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Accepts evaluations: everything that can be checked is checked before a row is queued (the version, the dataset
 * version, the column mapping against the signatures of both versions), so what runs later fails only on data or
 * engine trouble.
 */
@ApplicationScoped
public class EvaluationService {

    private static final Logger LOG = Logger.getLogger(EvaluationService.class);

    private final RegistryService registry;
    private final DatasetCatalog datasets;
    private final EvaluationStore store;
    private final EvaluationWorkers workers;
    private final EvaluationConfig config;

    public EvaluationService(RegistryService registry, DatasetCatalog datasets, EvaluationStore store,
                             EvaluationWorkers workers, EvaluationConfig config) {
        this.registry = registry;
        this.datasets = datasets;
        this.store = store;
        this.workers = workers;
        this.config = config;
    }

    public EvaluationInfo submit(String model, int version, EvaluationRequest request, String actor) {
        ServableVersion evaluated = registry.servableVersion(model, version);
        DatasetVersion dataset = datasets.version(request.dataset(), request.datasetVersion());
        ColumnMapping.check(version, evaluated.signature(), request.inputs(), dataset.columns(), request.label(),
                request.task());
        Integer compared = compared(model, version, request.compareWith());
        if (compared != null) {
            ServableVersion other = registry.servableVersion(model, compared);
            ColumnMapping.check(compared, other.signature(), request.inputs(), dataset.columns(), request.label(),
                    request.task());
        }
        long id;
        try {
            id = store.create(store.versionId(model, version), datasets.versionId(request.dataset(),
                            request.datasetVersion()), request.dataset(), request.datasetVersion(), dataset.sha256(),
                    request.task(), new EvaluationSettings(request.inputs(), request.label(), compared,
                            config.batchSize()), dataset.rowCount(), actor);
        } catch (RuntimeException e) {
            if (SqlStates.isForeignKeyViolation(e)) {
                // the version or the dataset version was deleted after the checks above: answer as if before (404)
                registry.servableVersion(model, version);
                datasets.version(request.dataset(), request.datasetVersion());
                // Both are there again: deleted and re-created under the same numbers meanwhile (the previous build
                // reuses a deleted model's version numbers), so the checks above ran on rows that are gone. The
                // client's retry checks the new ones.
                LOG.infof("Evaluation of %s version %d on dataset %s version %d refused: a row it checked was replaced "
                        + "meanwhile (%s)", model, version, request.dataset(), request.datasetVersion(), e.getMessage());
                throw new TurnoutException(ErrorCode.CONFLICT, "model '" + model + "' version " + version
                        + " or dataset '" + request.dataset() + "' version " + request.datasetVersion()
                        + " changed while the evaluation was being accepted (deleted and created again); nothing was "
                        + "queued: retry", e);
            }
            throw e;
        }
        LOG.infof("%s queued evaluation %d of %s version %d on dataset %s version %d%s", actor, id, model, version,
                request.dataset(), request.datasetVersion(), compared == null ? "" : " against version " + compared);
        workers.wake();
        return store.get(model, version, id);
    }

    private Integer compared(String model, int version, String compareWith) {
        if (compareWith == null) {
            return null;
        }
        int number;
        if (EvaluationRequest.ACTIVE.equals(compareWith)) {
            number = registry.activeVersion(model).map(ServableVersion::version).orElseThrow(() ->
                    TurnoutException.conflict("model '" + model + "' has no active version to compare with; "
                            + "leave out compare_with or name a version number"));
        } else {
            number = Integer.parseInt(compareWith); // the resource accepted only "active" or a number
        }
        if (number == version) {
            throw TurnoutException.invalid("compare_with names version " + version + " itself; name another version "
                    + "or leave it out");
        }
        return number;
    }
}

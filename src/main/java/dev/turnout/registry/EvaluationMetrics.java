package dev.turnout.registry;

import dev.turnout.db.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.Map;

/**
 * The registry's side of evaluations: the figures of a finished evaluation become version metrics named
 * {@code eval.<dataset>.<metric>}. Publishers can neither send nor edit names in that namespace
 * ({@link RegistryRules#EVALUATION_PREFIX}), so these never overwrite theirs, and guards read both alike.
 */
@ApplicationScoped
public class EvaluationMetrics {

    private final Sql sql;

    public EvaluationMetrics(Sql sql) {
        this.sql = sql;
    }

    /** Replaces the version's {@code eval.<dataset>.*} metrics by {@code figures} (the newest evaluation wins). */
    @Transactional(Transactional.TxType.MANDATORY) // in the transaction that marks the evaluation DONE
    public void replace(long versionId, String dataset, Map<String, Double> figures) {
        String prefix = RegistryRules.EVALUATION_PREFIX + dataset + ".";
        sql.update("DELETE FROM model_version_metric WHERE version_id = ?1 AND starts_with(name, ?2)", versionId, prefix);
        figures.forEach((metric, value) -> {
            if (value != null && Double.isFinite(value)) {
                sql.update("INSERT INTO model_version_metric (version_id, name, value) VALUES (?1, ?2, ?3)", versionId,
                        prefix + metric, value);
            }
        });
    }
}

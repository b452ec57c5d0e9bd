package dev.turnout.registry;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.Map;

/**
 * The registry's side of evaluations: the figures of a finished evaluation become version metrics named
 * {@code eval.<dataset>.<metric>}. Publishers can neither send nor edit names in that namespace
 * ({@link RegistryRules#EVALUATION_PREFIX}), so these never overwrite theirs, and guards read both alike.
 */
@ApplicationScoped
public class EvaluationMetrics {

    private final EntityManager entityManager;

    public EvaluationMetrics(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /** Replaces the version's {@code eval.<dataset>.*} metrics by {@code figures} (the newest evaluation wins). */
    @Transactional(Transactional.TxType.MANDATORY) // in the transaction that marks the evaluation DONE
    public void replace(long versionId, String dataset, Map<String, Double> figures) {
        String prefix = RegistryRules.EVALUATION_PREFIX + dataset + ".";
        entityManager.createNativeQuery("DELETE FROM model_version_metric WHERE version_id = ?1 AND starts_with(name, ?2)")
                .setParameter(1, versionId).setParameter(2, prefix).executeUpdate();
        figures.forEach((metric, value) -> {
            if (value != null && Double.isFinite(value)) {
                entityManager.createNativeQuery("INSERT INTO model_version_metric (version_id, name, value) "
                                + "VALUES (?1, ?2, ?3)")
                        .setParameter(1, versionId).setParameter(2, prefix + metric).setParameter(3, value)
                        .executeUpdate();
            }
        });
    }
}

package dev.turnout.rollout;

import dev.turnout.registry.Model;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A progressive-delivery line of a model's activation history (a rollout started, stepped, paused, resumed, was
 * promoted or aborted), kept apart from {@link Activation} because the previous build rolls back to the newest
 * activation line's previous version (V11). Its id comes from the activation sequence: the history interleaves by id.
 */
@Entity
@Table(name = "rollout_history")
public class RolloutLine extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "model_id", nullable = false, updatable = false)
    public Model model;

    @Column(name = "rollout_id", nullable = false, updatable = false)
    public long rolloutId;

    /** The candidate. */
    @Column(nullable = false, updatable = false)
    public int version;

    /** The active version the candidate is compared with. */
    @Column(name = "previous_version", nullable = false, updatable = false)
    public int previousVersion;

    @Column(nullable = false, updatable = false)
    public String kind;

    @Column(nullable = false, updatable = false)
    public String actor;

    /** The operator's reason, or the figures the analysis decided on. */
    @Column(updatable = false)
    public String reason;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    public ActivationRecord record() {
        return new ActivationRecord(version, previousVersion, kind, actor, reason, false, createdAt);
    }
}

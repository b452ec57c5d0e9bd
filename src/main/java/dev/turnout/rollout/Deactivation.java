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
 * A 'deactivate' line of a model's activation history, kept apart from {@link Activation} so that every activation line
 * has a version, as builds before V3 need (V4). Its id comes from the activation sequence: both interleave by id.
 */
@Entity
@Table(name = "deactivation")
public class Deactivation extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "model_id", nullable = false, updatable = false)
    public Model model;

    /** The version that was active; a rollback brings it back. */
    @Column(name = "previous_version", nullable = false, updatable = false)
    public int previousVersion;

    @Column(nullable = false, updatable = false)
    public String actor;

    @Column(updatable = false)
    public String reason;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    public ActivationRecord record() {
        return new ActivationRecord(null, previousVersion, Activation.DEACTIVATE, actor, reason, false, createdAt);
    }
}

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
 * One line of a model's activation history: written in the same transaction that moves the pointer. Deactivations are
 * {@link Deactivation}s; lines here always have a version, except 'deactivate' lines a build of V3 wrote.
 */
@Entity
@Table(name = "activation")
public class Activation extends PanacheEntityBase {

    public static final String ACTIVATE = "activate";
    public static final String ROLLBACK = "rollback";
    public static final String DEACTIVATE = "deactivate";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "model_id", nullable = false, updatable = false)
    public Model model;

    /** Null only on a 'deactivate' line written by a build of V3 (this build writes those as {@link Deactivation}). */
    @Column(updatable = false)
    public Integer version;

    @Column(name = "previous_version", updatable = false)
    public Integer previousVersion;

    @Column(nullable = false, updatable = false)
    public String kind;

    @Column(nullable = false, updatable = false)
    public String actor;

    @Column(updatable = false)
    public String reason;

    @Column(nullable = false, updatable = false)
    public boolean forced;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    public ActivationRecord record() {
        return new ActivationRecord(version, previousVersion, kind, actor, reason, forced, createdAt);
    }
}

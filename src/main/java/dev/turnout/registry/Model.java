package dev.turnout.registry;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A named model: the row uploads lock to number their versions, and the pointer to the active version. */
@Entity
@Table(name = "model")
public class Model extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, updatable = false)
    public String name;

    public String description;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "next_version", nullable = false)
    public int nextVersion;

    /** Moved only through {@link ActivePointer}. */
    @Column(name = "active_version")
    public Integer activeVersion;

    /**
     * Grows by one with every move of the pointer (a database trigger keeps it); a model created under the name of a
     * deleted one starts above the deleted one's (V6), so replicas tell their targets apart.
     */
    @Column(name = "active_generation", insertable = false, updatable = false)
    public long activeGeneration;
}

package dev.turnout.registry;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** Stored bytes, addressed by their sha256; written and freed by {@link ArtifactStore}, read here. */
@Entity
@Table(name = "artifact")
public class Artifact extends PanacheEntityBase {

    @Id
    public String sha256;

    @Column(name = "size_bytes", nullable = false, updatable = false)
    public long sizeBytes;

    /** The store holding the bytes ({@link dev.turnout.storage.StoreKind} id); changes only when they are moved. */
    @Column(name = "store", nullable = false)
    public String store;

    /** Their key in that store: the content address {@code sha256/ab/ab12…}. */
    @Column(name = "storage_key", nullable = false)
    public String storageKey;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;
}

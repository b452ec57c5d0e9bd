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

    @Column(name = "blob_oid", columnDefinition = "oid", nullable = false, updatable = false)
    public long blobOid;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;
}

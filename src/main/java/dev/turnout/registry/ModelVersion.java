package dev.turnout.registry;

import dev.turnout.engine.Signature;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import org.hibernate.annotations.BatchSize;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** One immutable, numbered version of a model. Only metrics, tags and description change after upload. */
@Entity
@Table(name = "model_version")
public class ModelVersion extends PanacheEntityBase {

    public static final String READY = "READY";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "model_id", nullable = false, updatable = false)
    public Model model;

    @Column(nullable = false, updatable = false)
    public int version;

    @Column(nullable = false, updatable = false)
    public String format;

    @ManyToOne(optional = false)
    @JoinColumn(name = "sha256", nullable = false, updatable = false)
    public Artifact artifact;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false, updatable = false)
    public Signature signature;

    @ElementCollection
    @BatchSize(size = 64)
    @CollectionTable(name = "model_version_metric", joinColumns = @JoinColumn(name = "version_id"))
    @MapKeyColumn(name = "name")
    @Column(name = "value", nullable = false)
    public Map<String, Double> metrics = new HashMap<>();

    @ElementCollection
    @BatchSize(size = 64)
    @CollectionTable(name = "model_version_tag", joinColumns = @JoinColumn(name = "version_id"))
    @MapKeyColumn(name = "name")
    @Column(name = "value", nullable = false)
    public Map<String, String> tags = new HashMap<>();

    public String description;

    @Column(nullable = false)
    public String status = READY;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;
}

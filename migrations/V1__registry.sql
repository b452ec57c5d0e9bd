-- The registry: named models, their immutable numbered versions, and the artifacts (large objects) behind them.
-- Invariants live here, not only in the application: name pattern, unique numbers, immutable versions,
-- an active version that must exist, and no large object outliving its artifact row.

CREATE TABLE model (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           TEXT        NOT NULL,
    description    TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The number the next upload gets. Uploads lock this row, so concurrent ones get distinct numbers.
    next_version   INTEGER     NOT NULL DEFAULT 1,
    -- The version replicas serve; a pointer moved atomically (set by the serving/rollout API).
    active_version INTEGER,
    CONSTRAINT model_name_unique UNIQUE (name),
    CONSTRAINT model_name_pattern CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    CONSTRAINT model_next_version_positive CHECK (next_version > 0)
);

-- Content-addressed: the same bytes uploaded twice share one large object.
CREATE TABLE artifact (
    sha256     TEXT        PRIMARY KEY,
    size_bytes BIGINT      NOT NULL,
    blob_oid   OID         NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT artifact_sha256_hex CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT artifact_size_non_negative CHECK (size_bytes >= 0),
    CONSTRAINT artifact_blob_unique UNIQUE (blob_oid)
);

CREATE TABLE model_version (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id    BIGINT      NOT NULL REFERENCES model (id),
    version     INTEGER     NOT NULL,
    format      TEXT        NOT NULL,
    sha256      TEXT        NOT NULL REFERENCES artifact (sha256),
    signature   JSONB       NOT NULL,
    description TEXT,
    status      TEXT        NOT NULL DEFAULT 'READY',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT model_version_number_unique UNIQUE (model_id, version),
    CONSTRAINT model_version_number_positive CHECK (version > 0),
    CONSTRAINT model_version_format CHECK (format IN ('onnx', 'torchscript')),
    CONSTRAINT model_version_status CHECK (status IN ('READY')),
    CONSTRAINT model_version_signature_object CHECK (jsonb_typeof(signature) = 'object')
);
CREATE INDEX model_version_sha256 ON model_version (sha256);

CREATE TABLE model_version_metric (
    version_id BIGINT           NOT NULL REFERENCES model_version (id) ON DELETE CASCADE,
    name       TEXT             NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (version_id, name),
    CONSTRAINT metric_name_length CHECK (length(name) BETWEEN 1 AND 128),
    CONSTRAINT metric_value_finite CHECK (value <> 'NaN' AND value <> 'Infinity' AND value <> '-Infinity')
);

CREATE TABLE model_version_tag (
    version_id BIGINT NOT NULL REFERENCES model_version (id) ON DELETE CASCADE,
    name       TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    PRIMARY KEY (version_id, name),
    CONSTRAINT tag_name_length CHECK (length(name) BETWEEN 1 AND 128),
    CONSTRAINT tag_value_length CHECK (length(value) <= 5000)
);

-- The active version must be one of the model's versions; deleting it is refused by this key.
ALTER TABLE model ADD CONSTRAINT model_active_version_exists
    FOREIGN KEY (id, active_version) REFERENCES model_version (model_id, version);

-- A version's identity, bytes and signature never change once written.
CREATE FUNCTION model_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.model_id <> OLD.model_id OR NEW.version <> OLD.version OR NEW.format <> OLD.format
       OR NEW.sha256 <> OLD.sha256 OR NEW.signature <> OLD.signature OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'a model version''s artifact, digest, format and signature never change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER model_version_immutable BEFORE UPDATE ON model_version
    FOR EACH ROW EXECUTE FUNCTION model_version_immutable();

-- Deleting an artifact row always frees its large object, in the same transaction.
CREATE FUNCTION artifact_unlink_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lo_unlink(OLD.blob_oid);
    RETURN OLD;
END
$$;
CREATE TRIGGER artifact_unlink_blob AFTER DELETE ON artifact
    FOR EACH ROW EXECUTE FUNCTION artifact_unlink_blob();

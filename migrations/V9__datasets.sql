-- Expand only (the previous build keeps working against this schema; see the README's expand/contract rule).
--
-- Reference datasets (issue 11): named datasets with immutable numbered versions, CSV or JSON Lines. Their bytes are
-- artifacts like model files: content-addressed rows of the artifact table (which records the store and key), written
-- and freed by the same code, so the blob sweep, the store copy endpoint and the postgres store's large-object trigger
-- treat them as they treat models. A version references its artifact row, so an artifact row is deleted only once no
-- model version and no dataset version uses its bytes (the previous build checks model versions only: should a model
-- and a dataset share identical bytes, its delete of that model version fails on this key instead of freeing bytes a
-- dataset still uses).

CREATE TABLE dataset (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The number the next upload gets. Uploads lock this row, so concurrent ones get distinct numbers; the row is never
    -- deleted, so a number never names two different datasets.
    next_version INTEGER     NOT NULL DEFAULT 1,
    CONSTRAINT dataset_name_unique UNIQUE (name),
    CONSTRAINT dataset_name_pattern CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    CONSTRAINT dataset_next_version_positive CHECK (next_version > 0)
);

CREATE TABLE dataset_version (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_id     BIGINT      NOT NULL REFERENCES dataset (id),
    version        INTEGER     NOT NULL,
    format         TEXT        NOT NULL,
    sha256         TEXT        NOT NULL REFERENCES artifact (sha256),
    -- Data rows (blank lines and the CSV header not counted), of which malformed_rows did not parse; problems keeps
    -- the first few of those as [{"row": n, "problem": "..."}].
    row_count      BIGINT      NOT NULL,
    malformed_rows BIGINT      NOT NULL,
    columns        JSONB       NOT NULL,
    problems       JSONB       NOT NULL DEFAULT '[]',
    description    TEXT,
    tags           JSONB       NOT NULL DEFAULT '{}',
    actor          TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT dataset_version_number_unique UNIQUE (dataset_id, version),
    CONSTRAINT dataset_version_number_positive CHECK (version > 0),
    CONSTRAINT dataset_version_format CHECK (format IN ('csv', 'jsonl')),
    CONSTRAINT dataset_version_rows CHECK (row_count > 0 AND malformed_rows >= 0 AND malformed_rows < row_count),
    CONSTRAINT dataset_version_columns_array CHECK (jsonb_typeof(columns) = 'array' AND jsonb_array_length(columns) > 0),
    CONSTRAINT dataset_version_problems_array CHECK (jsonb_typeof(problems) = 'array'),
    CONSTRAINT dataset_version_tags_object CHECK (jsonb_typeof(tags) = 'object')
);
CREATE INDEX dataset_version_sha256 ON dataset_version (sha256);

-- A dataset version never changes once written: evaluations cite it by number and digest.
CREATE FUNCTION dataset_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a dataset version never changes; upload a new version instead'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER dataset_version_immutable BEFORE UPDATE ON dataset_version
    FOR EACH ROW EXECUTE FUNCTION dataset_version_immutable();

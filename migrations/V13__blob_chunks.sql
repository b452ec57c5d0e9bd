-- Expand only (README "Upgrading Turnout: expand/contract").
--
-- The postgres store may write a blob as rows of plain bytea chunks (turnout.artifacts.postgres.write-chunks), loaded
-- with one binary COPY. pg_largeobject holds 2 KB per row; here one row fills one 8 KB heap page, a quarter of the rows
-- and index entries, and no TOAST: in-database, 1 GiB took 7.2-7.9 s to COPY this way against 12.5-18.3 s for
-- lo_import() (2026-12-06, bench/README.md). Blobs written as large objects stay, readable through blob_large_object.
--
-- A blob written as chunks names no large object, so its artifact row has no blob_oid: the build before this one
-- cannot read it (it reads blob_large_object only). Turn write-chunks on only once no replica of that build runs.

CREATE TABLE blob_chunked (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        TEXT        NOT NULL,
    size_bytes BIGINT      NOT NULL CHECK (size_bytes >= 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT blob_chunked_key_unique UNIQUE (key),
    CONSTRAINT blob_chunked_key_content_address CHECK (key ~ '^sha256/[0-9a-f]{2}/[0-9a-f]{64}$')
);

-- Chunk seq holds bytes seq * chunk size onwards (the size is fixed in PostgresChunkedBlobs; every chunk but the last
-- is full). Rows name their blob by its bigint id, not its key: 8 bytes per row and index entry instead of 80.
CREATE TABLE blob_chunk (
    blob_id BIGINT  NOT NULL REFERENCES blob_chunked (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL CHECK (seq >= 0),
    data    BYTEA   NOT NULL,
    PRIMARY KEY (blob_id, seq)
);
-- PLAIN: never compressed (model bytes barely compress, and trying costs CPU on every row) nor moved to TOAST; a
-- chunk is sized to fill one heap page on its own.
ALTER TABLE blob_chunk ALTER COLUMN data SET STORAGE PLAIN;

-- An artifact of the postgres store named its large object in blob_oid (V7: for the build before V7). A chunked blob
-- has none, so blob_oid is now required to be empty outside the postgres store only (rows valid before stay valid).
ALTER TABLE artifact DROP CONSTRAINT artifact_blob_in_postgres_store;
ALTER TABLE artifact ADD CONSTRAINT artifact_blob_only_in_postgres_store CHECK (store = 'postgres' OR blob_oid IS NULL);

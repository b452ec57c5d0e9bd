-- Expand only (the previous build keeps working against this schema; see the README's expand/contract rule).
--
-- Artifact bytes may live outside PostgreSQL (turnout.artifacts.store = postgres, filesystem or s3). Each artifact row
-- records the store holding its bytes and their key there, the content address sha256/ab/ab12…, so bytes written
-- under an earlier setting stay readable after the setting changes.
--
-- The postgres store maps its keys to large objects in a table of its own, blob_large_object. The previous build reads
-- and writes artifact.blob_oid only, so for rows in the postgres store blob_oid stays set: the trigger below fills it
-- from the map on rows this build writes, and fills the key and the map on rows the previous build writes; deleting a
-- row still frees its large object (and now its map entry). Rows in another store have no blob_oid: the previous build
-- cannot read those, so switch turnout.artifacts.store away from postgres only once no colour of the previous build
-- runs. Contract, one release later: drop artifact.blob_oid and these triggers.

CREATE TABLE blob_large_object (
    key        TEXT        PRIMARY KEY,
    blob_oid   OID         NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT blob_large_object_oid_unique UNIQUE (blob_oid),
    CONSTRAINT blob_large_object_key_content_address CHECK (key ~ '^sha256/[0-9a-f]{2}/[0-9a-f]{64}$')
);

ALTER TABLE artifact ADD COLUMN store TEXT NOT NULL DEFAULT 'postgres';
ALTER TABLE artifact ADD COLUMN storage_key TEXT;
UPDATE artifact SET storage_key = 'sha256/' || substr(sha256, 1, 2) || '/' || sha256;
INSERT INTO blob_large_object (key, blob_oid, created_at) SELECT storage_key, blob_oid, created_at FROM artifact;
ALTER TABLE artifact ALTER COLUMN storage_key SET NOT NULL;
ALTER TABLE artifact ALTER COLUMN blob_oid DROP NOT NULL;
ALTER TABLE artifact ADD CONSTRAINT artifact_store_known CHECK (store IN ('postgres', 'filesystem', 's3'));
ALTER TABLE artifact ADD CONSTRAINT artifact_key_content_address
    CHECK (storage_key = 'sha256/' || substr(sha256, 1, 2) || '/' || sha256);
-- In the postgres store a row always names its large object (the previous build reads it); elsewhere never.
ALTER TABLE artifact ADD CONSTRAINT artifact_blob_in_postgres_store CHECK ((store = 'postgres') = (blob_oid IS NOT NULL));
CREATE INDEX artifact_store_key ON artifact (store, storage_key);

CREATE FUNCTION artifact_locate_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.storage_key IS NULL THEN
        -- written by the previous build, which knows blob_oid only: the row is in the postgres store
        NEW.storage_key := 'sha256/' || substr(NEW.sha256, 1, 2) || '/' || NEW.sha256;
        INSERT INTO blob_large_object (key, blob_oid) VALUES (NEW.storage_key, NEW.blob_oid) ON CONFLICT DO NOTHING;
    ELSIF NEW.store = 'postgres' THEN
        NEW.blob_oid := (SELECT blob_oid FROM blob_large_object WHERE key = NEW.storage_key);
    ELSE
        NEW.blob_oid := NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER artifact_locate_blob BEFORE INSERT OR UPDATE OF store, storage_key ON artifact
    FOR EACH ROW EXECUTE FUNCTION artifact_locate_blob();

-- Deleting a row of the postgres store frees its large object in the same transaction, as before, and its map entry.
CREATE OR REPLACE FUNCTION artifact_unlink_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.blob_oid IS NOT NULL THEN
        DELETE FROM blob_large_object WHERE blob_oid = OLD.blob_oid;
        IF EXISTS (SELECT 1 FROM pg_largeobject_metadata WHERE oid = OLD.blob_oid) THEN
            PERFORM lo_unlink(OLD.blob_oid);
        END IF;
    END IF;
    RETURN OLD;
END
$$;

-- Expand only (README "Upgrading Turnout: expand/contract").
--
-- The postgres store writes a streamed upload's chunks while the body arrives, before its sha256, and so its key, is
-- known: such a blob is staged, a blob_chunked row without a key, committed once its last byte is in. The upload
-- names it (sets the key) in the transaction that records the version, or deletes it when the upload is refused; one
-- a crash left unnamed is deleted by the sweep. Readers look blobs up by key, so they never see a staged one, and a
-- key, once set, is still a content address (the CHECK holds for every non-NULL key). A build before this one looks
-- blobs up by key too, and its sweep finds nothing to delete under a NULL key, so both can run at once (blue/green).

ALTER TABLE blob_chunked ALTER COLUMN key DROP NOT NULL;

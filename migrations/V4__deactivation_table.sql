-- N-1 compatibility (README "Upgrading Turnout: expand/contract"). Builds before V3 map activation.version to a
-- primitive int: one history line without a version (V3's 'deactivate') made their history and rollback fail while
-- they ran as the other colour. Deactivations therefore get a table of their own, and activation again holds only
-- lines with a version, as every build reads them. The API shows both tables as one history: ids come from
-- activation's sequence, so ordering by id interleaves them in the order they were written (each model's lines are
-- written under its row lock).
CREATE TABLE deactivation (
    id               BIGINT      PRIMARY KEY DEFAULT nextval('activation_id_seq'::regclass),
    model_id         BIGINT      NOT NULL REFERENCES model (id),
    -- The version that was active: what a rollback brings back. No foreign key: history outlives deleted versions.
    previous_version INTEGER     NOT NULL,
    actor            TEXT        NOT NULL,
    reason           TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT deactivation_previous_version_positive CHECK (previous_version > 0),
    CONSTRAINT deactivation_reason_length CHECK (length(reason) <= 1000)
);
CREATE INDEX deactivation_model_newest ON deactivation (model_id, id DESC);

-- Move the deactivations written under V3, keeping their ids (and so their place in the history).
INSERT INTO deactivation (id, model_id, previous_version, actor, reason, created_at)
    SELECT id, model_id, previous_version, actor, reason, created_at FROM activation WHERE kind = 'deactivate';
DELETE FROM activation WHERE kind = 'deactivate';

-- Expand only: the build of V3 may still run as the other colour and write 'deactivate' lines into activation (this
-- build reads them), so V3's constraints stay. The contract step, once no V3 build runs, moves any such lines here
-- and restores activation.version NOT NULL and kind IN ('activate', 'rollback').

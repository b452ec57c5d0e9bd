-- Expand only (the previous build never reads this table; see the README's expand/contract rule).
--
-- Evaluations: a model version scored on a dataset version inside the serving runtime. Replicas share the queue:
-- each claims a row with FOR UPDATE SKIP LOCKED and holds it by a lease it renews while it runs, so a row left
-- RUNNING by a replica that died is claimed again once its lease has expired (or FAILED past max attempts).
CREATE TABLE evaluation (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- An evaluation belongs to its version: deleting the version deletes its evaluations (and its eval.* metrics).
    version_id         BIGINT      NOT NULL REFERENCES model_version (id) ON DELETE CASCADE,
    -- A dataset version cannot be deleted while an evaluation names it: the figures must stay reproducible.
    dataset_version_id BIGINT      NOT NULL REFERENCES dataset_version (id) ON DELETE RESTRICT,
    dataset            TEXT        NOT NULL,
    dataset_version    INTEGER     NOT NULL,
    -- The digest of the rows evaluated, copied so the results say what they were computed on.
    dataset_sha256     TEXT        NOT NULL,
    task               TEXT        NOT NULL,
    -- The request as accepted: column mapping, label, compared version (resolved to a number), batch size.
    settings           JSONB       NOT NULL,
    state              TEXT        NOT NULL DEFAULT 'QUEUED',
    rows_done          BIGINT      NOT NULL DEFAULT 0,
    rows_total         BIGINT      NOT NULL,
    results            JSONB,
    error              TEXT,
    actor              TEXT        NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at         TIMESTAMPTZ,
    finished_at        TIMESTAMPTZ,
    -- The replica running it and until when its claim holds; renewed while it runs.
    claimed_by         TEXT,
    lease_until        TIMESTAMPTZ,
    attempts           INTEGER     NOT NULL DEFAULT 0,
    CONSTRAINT evaluation_state CHECK (state IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
    CONSTRAINT evaluation_task CHECK (task IN ('classification', 'regression')),
    CONSTRAINT evaluation_settings_object CHECK (jsonb_typeof(settings) = 'object'),
    CONSTRAINT evaluation_results_object CHECK (results IS NULL OR jsonb_typeof(results) = 'object'),
    CONSTRAINT evaluation_rows CHECK (rows_done >= 0 AND rows_total >= 0),
    CONSTRAINT evaluation_running_claimed CHECK (state <> 'RUNNING' OR (claimed_by IS NOT NULL AND lease_until IS NOT NULL)),
    CONSTRAINT evaluation_done_results CHECK (state <> 'DONE' OR results IS NOT NULL),
    CONSTRAINT evaluation_attempts CHECK (attempts >= 0)
);
CREATE INDEX evaluation_version ON evaluation (version_id, id);
CREATE INDEX evaluation_dataset_version ON evaluation (dataset_version_id);
-- The queue: what replicas look for every poll.
CREATE INDEX evaluation_pending ON evaluation (id) WHERE state IN ('QUEUED', 'RUNNING');

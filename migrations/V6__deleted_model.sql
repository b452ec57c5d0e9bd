-- Expand only (the previous build keeps working against this schema; see the README's expand/contract rule).
--
-- A model can be deleted whole (DELETE /api/models/{name}) and its name used again. What the deleted model had reached
-- stays here, so a model created later under the same name continues from it: its version numbers are never reused
-- (a replica's on-demand cache, a client's notes, a log line naming "version 3" never mean two artifacts), and its
-- pointer's generation keeps growing (a replica that applied the old model's last move applies the new model's).
-- The previous build does not read this table: a model it creates under a deleted name starts again from 1.
CREATE TABLE deleted_model (
    name              TEXT        PRIMARY KEY,
    next_version      INTEGER     NOT NULL,
    active_generation BIGINT      NOT NULL,
    deleted_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT deleted_model_next_version_positive CHECK (next_version > 0)
);

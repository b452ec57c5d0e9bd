-- Rollout: the activation history (one line per model, newest last), what each replica serves, and a notification
-- on every move of the active-version pointer so replicas learn of it at once.

CREATE TABLE activation (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id         BIGINT      NOT NULL REFERENCES model (id),
    -- No foreign key to model_version: history outlives deleted versions.
    version          INTEGER     NOT NULL,
    previous_version INTEGER,
    kind             TEXT        NOT NULL,
    actor            TEXT        NOT NULL,
    reason           TEXT,
    forced           BOOLEAN     NOT NULL DEFAULT false,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT activation_kind CHECK (kind IN ('activate', 'rollback')),
    CONSTRAINT activation_version_positive CHECK (version > 0),
    CONSTRAINT activation_reason_length CHECK (length(reason) <= 1000)
);
CREATE INDEX activation_model_newest ON activation (model_id, id DESC);

CREATE TABLE replica (
    id           TEXT        PRIMARY KEY,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- What one replica serves of one model: the version answering now, the one it is moving to, and how that goes.
CREATE TABLE replica_model (
    replica_id     TEXT        NOT NULL REFERENCES replica (id) ON DELETE CASCADE,
    model_id       BIGINT      NOT NULL REFERENCES model (id) ON DELETE CASCADE,
    serving        INTEGER,
    target         INTEGER,
    state          TEXT        NOT NULL,
    error          TEXT,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (replica_id, model_id),
    CONSTRAINT replica_model_state CHECK (state IN ('LOADING', 'SERVING', 'FAILED'))
);

CREATE FUNCTION model_active_version_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Delivered on commit only, to every replica LISTENing; the payload is the model name.
    PERFORM pg_notify('turnout_active_version', NEW.name);
    RETURN NEW;
END
$$;
CREATE TRIGGER model_active_version_changed AFTER UPDATE OF active_version ON model
    FOR EACH ROW WHEN (OLD.active_version IS DISTINCT FROM NEW.active_version)
    EXECUTE FUNCTION model_active_version_changed();

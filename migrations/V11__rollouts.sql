-- Expand only (the previous build keeps working against this schema; see the README's expand/contract rule).
-- Progressive delivery: rollouts (canary, shadow), the analyses that decide them, the per-version traffic every
-- replica reports, and the rollout lines of the activation history.
--
-- 1. New event types. The previous build reads event_outbox.type as plain text (the deliverer posts it as it is), so
--    rows with the new types are delivered by it too.
ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_type;
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_type CHECK (type IN ('version.created', 'version.changed',
    'version.deleted', 'model.activated', 'model.rolled_back', 'model.deactivated', 'model.deleted',
    'rollout.started', 'rollout.step', 'rollout.paused', 'rollout.resumed', 'rollout.promoted', 'rollout.aborted'));

-- 2. One row per rollout; the state names follow delivery/RolloutState. Cascades with the model: the previous build
--    deletes models without knowing this table.
CREATE TABLE rollout (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id         BIGINT      NOT NULL REFERENCES model (id) ON DELETE CASCADE,
    -- No foreign keys to model_version: a rollout's record outlives the versions it names.
    version          INTEGER     NOT NULL,
    -- The active version when the rollout started: what the candidate is compared with.
    baseline_version INTEGER     NOT NULL,
    strategy         TEXT        NOT NULL,
    state            TEXT        NOT NULL DEFAULT 'RUNNING',
    -- Canary: the weights in percent, one per step; step indexes them. Shadow: empty.
    steps            INTEGER[]   NOT NULL DEFAULT '{}',
    step             INTEGER     NOT NULL DEFAULT 0,
    weight           INTEGER     NOT NULL DEFAULT 0,
    step_duration_ms BIGINT,
    step_started_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    -- Shadow: the share of requests mirrored, and how long it runs.
    sample           DOUBLE PRECISION,
    duration_ms      BIGINT,
    -- The thresholds as the request gave them (max_error_rate, max_p99_ratio, min_requests, max_disagreement).
    analysis         JSONB       NOT NULL DEFAULT '{}',
    -- Metric guards re-checked by the promoting flip.
    requirements     TEXT[]      NOT NULL DEFAULT '{}',
    -- The flip's "force": skip the configured guards and input compatibility, at the start and at promotion.
    forced           BOOLEAN     NOT NULL DEFAULT false,
    actor            TEXT        NOT NULL,
    reason           TEXT,
    started_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    ended_at         TIMESTAMPTZ,
    -- Why it ended (the breach, the operator's abort, the flip that superseded it).
    outcome          TEXT,
    CONSTRAINT rollout_strategy CHECK (strategy IN ('CANARY', 'SHADOW')),
    CONSTRAINT rollout_state CHECK (state IN ('RUNNING', 'PAUSED', 'PROMOTED', 'ABORTED')),
    CONSTRAINT rollout_versions CHECK (version > 0 AND baseline_version > 0 AND version <> baseline_version),
    CONSTRAINT rollout_steps CHECK (cardinality(steps) <= 20 AND 1 <= ALL (steps) AND 99 >= ALL (steps)),
    CONSTRAINT rollout_step_in_range CHECK (step >= 0 AND (cardinality(steps) = 0 OR step < cardinality(steps))),
    CONSTRAINT rollout_weight CHECK (weight BETWEEN 0 AND 100),
    CONSTRAINT rollout_canary_has_steps CHECK ((strategy = 'CANARY') = (cardinality(steps) > 0)),
    CONSTRAINT rollout_sample CHECK (sample > 0 AND sample <= 1),
    CONSTRAINT rollout_durations CHECK (step_duration_ms > 0 AND duration_ms > 0),
    CONSTRAINT rollout_ended CHECK ((state IN ('PROMOTED', 'ABORTED')) = (ended_at IS NOT NULL)),
    CONSTRAINT rollout_reason_length CHECK (length(reason) <= 1000),
    CONSTRAINT rollout_outcome_length CHECK (length(outcome) <= 2000),
    CONSTRAINT rollout_analysis_object CHECK (jsonb_typeof(analysis) = 'object')
);
-- One rollout in progress per model: the database, not the code, guarantees it.
CREATE UNIQUE INDEX rollout_one_in_progress ON rollout (model_id) WHERE state IN ('RUNNING', 'PAUSED');
CREATE INDEX rollout_model_newest ON rollout (model_id, id DESC);

-- 3. The decision log: every analysis of a rollout, with the figures it saw and its verdict.
CREATE TABLE rollout_decision (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rollout_id BIGINT      NOT NULL REFERENCES rollout (id) ON DELETE CASCADE,
    step       INTEGER     NOT NULL,
    weight     INTEGER     NOT NULL,
    verdict    TEXT        NOT NULL,
    detail     TEXT        NOT NULL,
    figures    JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT rollout_decision_verdict CHECK (verdict IN ('WAIT', 'HOLD', 'STEP', 'PROMOTE', 'ABORT')),
    CONSTRAINT rollout_decision_detail_length CHECK (length(detail) <= 2000)
);
CREATE INDEX rollout_decision_newest ON rollout_decision (rollout_id, id DESC);

-- 4. What each replica counted per version of a rollout's model during one step (the analysis window). Each replica
--    adds its counts since the last report; latency is a histogram over fixed buckets (serving/VersionTraffic), so
--    the analysis sums the replicas' buckets and reads p50/p99 from the sum.
CREATE TABLE rollout_traffic (
    rollout_id BIGINT      NOT NULL REFERENCES rollout (id) ON DELETE CASCADE,
    step       INTEGER     NOT NULL,
    replica_id TEXT        NOT NULL,
    version    INTEGER     NOT NULL,
    requests   BIGINT      NOT NULL,
    errors     BIGINT      NOT NULL,
    latency    BIGINT[]    NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (rollout_id, step, replica_id, version),
    CONSTRAINT rollout_traffic_counts CHECK (requests >= 0 AND errors >= 0 AND errors <= requests)
);

-- 5. Rollout lines of the activation history (start, step, pause, resume, promote, abort). Not in activation: the
--    previous build rolls back to the previous_version of the newest activation line, so a rollout line there would
--    make its rollback go to the wrong version. Ids come from activation's sequence, as deactivation's do, so the API
--    interleaves the three tables by id.
CREATE TABLE rollout_history (
    id               BIGINT      PRIMARY KEY DEFAULT nextval('activation_id_seq'::regclass),
    model_id         BIGINT      NOT NULL REFERENCES model (id) ON DELETE CASCADE,
    rollout_id       BIGINT      NOT NULL REFERENCES rollout (id) ON DELETE CASCADE,
    version          INTEGER     NOT NULL,
    previous_version INTEGER     NOT NULL,
    kind             TEXT        NOT NULL,
    actor            TEXT        NOT NULL,
    reason           TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT rollout_history_kind CHECK (kind IN ('rollout_start', 'rollout_step', 'rollout_pause',
        'rollout_resume', 'rollout_promote', 'rollout_abort')),
    CONSTRAINT rollout_history_reason_length CHECK (length(reason) <= 3000)
);
CREATE INDEX rollout_history_model_newest ON rollout_history (model_id, id DESC);

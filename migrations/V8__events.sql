-- Expand only (the previous build keeps working against this schema; see the README's expand/contract rule): the
-- previous build writes no events, so changes it makes are simply not announced.
--
-- Events: every registry and rollout change writes one row here in the transaction of the change (an outbox), and
-- one delivery row per configured webhook that wants that type. The deliverers of all replicas share the delivery
-- rows: each claims one with FOR UPDATE SKIP LOCKED, so no two replicas post the same row at once.
CREATE TABLE event_outbox (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type       TEXT        NOT NULL,
    -- No foreign keys: an event outlives the model and version it names.
    model      TEXT        NOT NULL,
    version    INTEGER,
    payload    JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT event_outbox_type CHECK (type IN ('version.created', 'version.changed', 'version.deleted',
        'model.activated', 'model.rolled_back', 'model.deactivated', 'model.deleted')),
    CONSTRAINT event_outbox_version_positive CHECK (version > 0),
    CONSTRAINT event_outbox_payload_object CHECK (jsonb_typeof(payload) = 'object')
);

CREATE TABLE webhook_delivery (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        BIGINT      NOT NULL REFERENCES event_outbox (id) ON DELETE CASCADE,
    -- The name under turnout.events.webhooks.<name>; the URL itself stays in configuration.
    webhook         TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'PENDING',
    attempts        INTEGER     NOT NULL DEFAULT 0,
    -- Also the claim: a deliverer moves it past its timeout while it posts, so a replica that dies mid-post leaves
    -- the row to be taken again once that has passed.
    next_attempt_at TIMESTAMPTZ,
    http_status     INTEGER,
    error           TEXT,
    delivered_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT webhook_delivery_once UNIQUE (event_id, webhook),
    CONSTRAINT webhook_delivery_status CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    CONSTRAINT webhook_delivery_attempts CHECK (attempts >= 0),
    CONSTRAINT webhook_delivery_pending_is_scheduled CHECK ((status = 'PENDING') = (next_attempt_at IS NOT NULL)),
    CONSTRAINT webhook_delivery_delivered_when CHECK ((status = 'DELIVERED') = (delivered_at IS NOT NULL)),
    CONSTRAINT webhook_delivery_http_status CHECK (http_status BETWEEN 100 AND 599),
    CONSTRAINT webhook_delivery_error_length CHECK (length(error) <= 1000)
);
-- What the deliverers look for: pending rows due, oldest first.
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at, id) WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_newest ON webhook_delivery (id DESC);

-- Expand only (the previous build keeps working against this schema; see the README's expand/contract rule).
--
-- 1. Every move of a model's active-version pointer gets a number that only grows, kept by the database itself, so a
--    replica can tell a target read before a newer flip from the newest one and never swap a flip back.
ALTER TABLE model ADD COLUMN active_generation BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION model_active_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.active_generation := OLD.active_generation + 1;
    RETURN NEW;
END
$$;
CREATE TRIGGER model_active_generation BEFORE UPDATE OF active_version ON model
    FOR EACH ROW WHEN (OLD.active_version IS DISTINCT FROM NEW.active_version)
    EXECUTE FUNCTION model_active_generation();

-- 2. The lifecycle of a version on a replica, as the serving code names it (VersionState); the previous build writes
--    only LOADING, SERVING and FAILED, which stay allowed.
ALTER TABLE replica_model DROP CONSTRAINT replica_model_state;
ALTER TABLE replica_model ADD CONSTRAINT replica_model_state
    CHECK (state IN ('FETCHING', 'LOADING', 'SERVING', 'DRAINING', 'FAILED', 'RETIRED'));

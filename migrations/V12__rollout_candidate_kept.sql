-- Expand only (the previous build keeps working against this schema; it simply gets the refusal too).
-- The candidate of a rollout in progress is in use: replicas serve it at its weight (or mirror to it) and promotion
-- flips to it. Like the active version (held by model's foreign key), it cannot be deleted until the rollout ends.
-- A trigger, not a foreign key: a rollout's record outlives the versions it names once it has ended (V11), and a
-- foreign key cannot apply to the rows in progress only. Rollout start and version deletion both lock the model row
-- first, so neither can slip past the other.
CREATE FUNCTION model_version_rollout_candidate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    model_name TEXT;
BEGIN
    IF EXISTS (SELECT 1 FROM rollout r WHERE r.model_id = OLD.model_id AND r.version = OLD.version
               AND r.state IN ('RUNNING', 'PAUSED')) THEN
        SELECT m.name INTO model_name FROM model m WHERE m.id = OLD.model_id;
        -- restrict_violation: the registry answers it with a 409 carrying this message
        RAISE EXCEPTION 'version % of model ''%'' is the candidate of a rollout in progress; abort it first '
            '(POST /api/models/%/rollouts/current/abort), then delete the version', OLD.version, model_name, model_name
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER model_version_rollout_candidate BEFORE DELETE ON model_version
    FOR EACH ROW EXECUTE FUNCTION model_version_rollout_candidate();

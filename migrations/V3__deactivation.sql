-- A model can be taken out of service (DELETE /api/models/{name}/active): its active version becomes NULL and the
-- history gains a 'deactivate' line with no version; previous_version names what was served, so a rollback can bring
-- it back.
ALTER TABLE activation ALTER COLUMN version DROP NOT NULL;
ALTER TABLE activation DROP CONSTRAINT activation_kind;
ALTER TABLE activation ADD CONSTRAINT activation_kind CHECK (kind IN ('activate', 'rollback', 'deactivate'));
ALTER TABLE activation ADD CONSTRAINT activation_version_unless_deactivated
    CHECK ((kind = 'deactivate') = (version IS NULL));
ALTER TABLE activation ADD CONSTRAINT activation_deactivate_names_previous
    CHECK (kind <> 'deactivate' OR previous_version IS NOT NULL);

-- Expand only (the previous build keeps working against this schema; see the README's expand/contract rule).
--
-- A CSV dataset version's numeric columns, parsed once at upload into a file of doubles (row after row), so that its
-- evaluations read numbers instead of parsing the same text again. The file is an artifact like the CSV itself (the
-- same stores, sweep, store copy and large-object trigger); parsed_columns describes its columns in order:
-- [{"name": "f1", "float32": true, "int64": false, "int32": false, "whole": false, "min": 4.3, "max": 7.9}, ...].
-- Versions uploaded before this (and JSON Lines, and CSV without a numeric column) have neither, and are read as text.
-- The previous build's delete of a version with a parsed file leaves that artifact row behind (it does not know the
-- column): an unreferenced row the next delete of the same bytes, or an operator, removes; nothing is lost.

ALTER TABLE dataset_version
    ADD COLUMN parsed_sha256  TEXT REFERENCES artifact (sha256),
    ADD COLUMN parsed_columns JSONB,
    ADD CONSTRAINT dataset_version_parsed_together CHECK ((parsed_sha256 IS NULL) = (parsed_columns IS NULL)),
    ADD CONSTRAINT dataset_version_parsed_columns_array CHECK (parsed_columns IS NULL
        OR (jsonb_typeof(parsed_columns) = 'array' AND jsonb_array_length(parsed_columns) > 0));
CREATE INDEX dataset_version_parsed_sha256 ON dataset_version (parsed_sha256);

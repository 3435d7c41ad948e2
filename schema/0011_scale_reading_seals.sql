-- sessionlog schema, version 11: scale readings are record rows like the others.
--
-- Schema 0005 sealed every record table into the audit chain and refused INSERT OR
-- REPLACE on each; scale_reading (0010) came after it, so it gets the same refusal here
-- and is listed in store/seal.py's RECORD_TABLES (its rows are sealed as they are saved;
-- a database reaching this migration has none yet).
CREATE TRIGGER scale_reading_no_replace BEFORE INSERT ON scale_reading
WHEN EXISTS (SELECT 1 FROM scale_reading WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM scale_reading WHERE supersedes_id = NEW.supersedes_id)
BEGIN SELECT RAISE(ABORT, 'scale readings are never replaced: record an amendment instead'); END;

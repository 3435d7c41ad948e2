-- sessionlog schema, version 22: a row of the outcome cache written outside sessionlog is
-- noticed (store/outcomes/edits.py). The cache is derived (0002, 0016): a comparison, a
-- patient's progress and the take-home report read it instead of the records. Its counts
-- are held to each other before a comparison (store/outcomes/sound.py), but an edit that
-- keeps them consistent (a patient's significant adverse event taken out of both dose
-- tables), or a row of outcome_session, which a filtered comparison and the progress
-- screen read, was not seen. Every write to a table of the cache notes that table in
-- outcome_edited; sessionlog empties it at the end of each of its own refreshes (in the
-- same transaction), so a name there is a write made by someone else. The cache is then
-- rebuilt from the records before any figure is shown from it, and one line says so.
-- A trigger below dropped or altered counts as such a write. The trigger writes at most
-- one row per table and transaction (WHEN): a build's hundred thousand inserts cost a
-- lookup each.

-- An edit made before this version cannot be told from the records' figures: every cache
-- is rebuilt once, on its next use (its marks gone, as in 0016).
DELETE FROM outcome_meta;

CREATE TABLE outcome_edited (
    name TEXT PRIMARY KEY  -- a table of the cache written since sessionlog last refreshed it
) STRICT, WITHOUT ROWID;

CREATE TRIGGER outcome_meta_edited_insert AFTER INSERT ON outcome_meta
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_meta')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_meta'); END;
CREATE TRIGGER outcome_meta_edited_update AFTER UPDATE ON outcome_meta
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_meta')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_meta'); END;
CREATE TRIGGER outcome_meta_edited_delete AFTER DELETE ON outcome_meta
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_meta')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_meta'); END;

CREATE TRIGGER outcome_session_edited_insert AFTER INSERT ON outcome_session
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_session')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_session'); END;
CREATE TRIGGER outcome_session_edited_update AFTER UPDATE ON outcome_session
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_session')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_session'); END;
CREATE TRIGGER outcome_session_edited_delete AFTER DELETE ON outcome_session
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_session')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_session'); END;

CREATE TRIGGER outcome_total_edited_insert AFTER INSERT ON outcome_total
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_total')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_total'); END;
CREATE TRIGGER outcome_total_edited_update AFTER UPDATE ON outcome_total
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_total')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_total'); END;
CREATE TRIGGER outcome_total_edited_delete AFTER DELETE ON outcome_total
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_total')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_total'); END;

CREATE TRIGGER outcome_group_edited_insert AFTER INSERT ON outcome_group
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_group')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_group'); END;
CREATE TRIGGER outcome_group_edited_update AFTER UPDATE ON outcome_group
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_group')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_group'); END;
CREATE TRIGGER outcome_group_edited_delete AFTER DELETE ON outcome_group
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_group')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_group'); END;

CREATE TRIGGER outcome_day_edited_insert AFTER INSERT ON outcome_day
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_day')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_day'); END;
CREATE TRIGGER outcome_day_edited_update AFTER UPDATE ON outcome_day
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_day')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_day'); END;
CREATE TRIGGER outcome_day_edited_delete AFTER DELETE ON outcome_day
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_day')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_day'); END;

CREATE TRIGGER outcome_dose_patient_edited_insert AFTER INSERT ON outcome_dose_patient
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_dose_patient')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_dose_patient'); END;
CREATE TRIGGER outcome_dose_patient_edited_update AFTER UPDATE ON outcome_dose_patient
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_dose_patient')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_dose_patient'); END;
CREATE TRIGGER outcome_dose_patient_edited_delete AFTER DELETE ON outcome_dose_patient
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_dose_patient')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_dose_patient'); END;

CREATE TRIGGER outcome_dose_group_edited_insert AFTER INSERT ON outcome_dose_group
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_dose_group')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_dose_group'); END;
CREATE TRIGGER outcome_dose_group_edited_update AFTER UPDATE ON outcome_dose_group
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_dose_group')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_dose_group'); END;
CREATE TRIGGER outcome_dose_group_edited_delete AFTER DELETE ON outcome_dose_group
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_dose_group')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_dose_group'); END;

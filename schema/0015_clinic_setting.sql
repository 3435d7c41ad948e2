-- sessionlog schema, version 15: the clinic's own settings, kept as a history.
--
-- First the due windows (the checks after a session the due list chases, by default
-- 24h-72h,1w,4w,12w: sessionlog/analysis/due.py), under the key 'due_checks'. Each
-- change is a new row: the key, its value, when and by whom; the current value of a key
-- is its latest row (by `at`, then id). Rows are never changed or removed, and each
-- change has its audit row. Settings are this database's own, like who may sign in
-- (0004): not part of the record, so not exported (exchange/tables.py NOT_EXPORTED).

CREATE TABLE clinic_setting (
    id        INTEGER PRIMARY KEY,
    key       TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 60),
    value     TEXT NOT NULL CHECK (length(value) <= 2000),
    at        TEXT NOT NULL CHECK (datetime(at) IS NOT NULL),
    actor_id  INTEGER REFERENCES practitioner (id)
) STRICT;
CREATE INDEX clinic_setting_key ON clinic_setting (key, at, id);

CREATE TRIGGER clinic_setting_no_update BEFORE UPDATE ON clinic_setting
BEGIN SELECT RAISE(ABORT, 'clinic settings are a history: record the new value instead'); END;
CREATE TRIGGER clinic_setting_no_delete BEFORE DELETE ON clinic_setting
BEGIN SELECT RAISE(ABORT, 'clinic settings are a history: record the new value instead'); END;

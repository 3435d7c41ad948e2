-- sessionlog schema, version 10: outcome scales beyond pain, and a contact note.
-- A scale reading is one scale (NDI, ODI, PSFS...; the catalogue is data, in
-- sessionlog/data/scales.json) answered by a patient at a session (a baseline) or at a
-- follow-up. It keeps the item answers (a JSON array, null for an unanswered item; null
-- when only a total was recorded), the score the app computed from them, and who
-- entered it: the practitioner, or the patient at the patient view. Ranges and scoring
-- rules are checked by the domain (sessionlog/domain/scales.py), since a clinic may add
-- scales. Readings are clinical rows: append-only like follow-ups (0001), a correction
-- is a new row that supersedes the old one with a reason, a removal is a void row.
-- The patient gains a nullable contact note (phone, or how to reach them) for the due
-- list; it is not a clinical record, and NULL leaves existing rows as they were.

CREATE TABLE scale_reading (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES patient (id),
    session_record_id INTEGER NOT NULL REFERENCES session_record (id),
    follow_up_id      INTEGER REFERENCES follow_up (id),
    supersedes_id     INTEGER UNIQUE REFERENCES scale_reading (id),
    status            TEXT NOT NULL DEFAULT 'active' CHECK ((status = 'active' OR status = 'void')),
    amend_reason      TEXT,
    scale             TEXT NOT NULL CHECK (length(trim(scale)) > 0 AND length(scale) <= 40),
    at                TEXT NOT NULL CHECK (datetime(at) IS NOT NULL),
    items             TEXT CHECK (items IS NULL OR (json_valid(items) AND json_type(items) = 'array')),
    labels            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(labels) AND json_type(labels) = 'array'),
    score             REAL NOT NULL,
    entered_by        TEXT NOT NULL DEFAULT 'practitioner' CHECK ((entered_by = 'practitioner' OR entered_by = 'patient')),
    recorded_by       INTEGER NOT NULL REFERENCES practitioner (id),
    recorded_at       TEXT NOT NULL,
    CHECK (supersedes_id IS NULL OR length(trim(coalesce(amend_reason, ''))) > 0)
) STRICT;
CREATE INDEX scale_reading_patient ON scale_reading (patient_id, scale, at);
CREATE INDEX scale_reading_record ON scale_reading (session_record_id, at);

CREATE TRIGGER scale_reading_patient_matches BEFORE INSERT ON scale_reading
WHEN NEW.patient_id != (SELECT patient_id FROM session_record WHERE id = NEW.session_record_id)
  OR (NEW.follow_up_id IS NOT NULL
      AND NEW.patient_id != (SELECT patient_id FROM follow_up WHERE id = NEW.follow_up_id))
BEGIN SELECT RAISE(ABORT, 'scale_reading: patient does not match the session or follow-up'); END;

CREATE TRIGGER scale_reading_no_update BEFORE UPDATE ON scale_reading
BEGIN SELECT RAISE(ABORT, 'scale readings are append-only: record an amendment instead'); END;
CREATE TRIGGER scale_reading_no_delete BEFORE DELETE ON scale_reading
BEGIN SELECT RAISE(ABORT, 'scale readings are append-only: record a void amendment instead'); END;

CREATE VIEW current_scale_reading AS
SELECT r.* FROM scale_reading r
WHERE r.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM scale_reading n WHERE n.supersedes_id = r.id);

ALTER TABLE patient ADD COLUMN contact TEXT CHECK (contact IS NULL OR length(contact) <= 200);

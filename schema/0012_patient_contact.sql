-- sessionlog schema, version 12: a patient's contact note is a history, never overwritten.
--
-- Schema 0010 gave the patient a nullable contact column, and 0005 made patient rows
-- append-only (sealed into the audit chain), so the note could never change. Each
-- change of the note is now a patient_contact row: the note (NULL when it was cleared),
-- when, and who changed it (NULL when no practitioner was signed in). Rows are never
-- changed, removed or replaced, like every record table (0005, 0011); they are listed in
-- store/seal.py's RECORD_TABLES, so each is sealed as it is saved and `check` names any
-- changed outside sessionlog.
--
-- patient.contact (0010) stays as it is: the note given when the patient was created
-- or imported (from an export of format 3 or 4). The patient's current contact is
-- their latest patient_contact row (by `at`, then id) if they have one, else
-- patient.contact: the current_contact view says it.

CREATE TABLE patient_contact (
    id         INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patient (id),
    contact    TEXT CHECK (contact IS NULL OR (length(trim(contact)) > 0 AND length(contact) <= 200)),
    at         TEXT NOT NULL CHECK (datetime(at) IS NOT NULL),
    actor_id   INTEGER REFERENCES practitioner (id)
) STRICT;
CREATE INDEX patient_contact_patient ON patient_contact (patient_id, at, id);

CREATE TRIGGER patient_contact_no_update BEFORE UPDATE ON patient_contact
BEGIN SELECT RAISE(ABORT, 'contact notes are append-only: record the new note instead'); END;
CREATE TRIGGER patient_contact_no_delete BEFORE DELETE ON patient_contact
BEGIN SELECT RAISE(ABORT, 'contact notes are append-only: record a cleared note instead'); END;
CREATE TRIGGER patient_contact_no_replace BEFORE INSERT ON patient_contact
WHEN EXISTS (SELECT 1 FROM patient_contact WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'contact notes are never replaced: record the new note instead'); END;

CREATE VIEW current_contact AS
SELECT p.id AS patient_id,
       CASE WHEN EXISTS (SELECT 1 FROM patient_contact c WHERE c.patient_id = p.id)
            THEN (SELECT c.contact FROM patient_contact c WHERE c.patient_id = p.id
                  ORDER BY c.at DESC, c.id DESC LIMIT 1)
            ELSE p.contact END AS contact
FROM patient p;

-- sessionlog schema, version 5: every record row sealed into the audit chain.
-- A row's seal is the SHA-256 of its content (sessionlog/store/seal.py: the table's name
-- and its columns' names and values, NULL columns left out, so a later migration adding
-- a nullable column changes no seal), written with the audit row of the change that
-- wrote the row. That audit row names how many rows it sealed and the digest of their
-- seals, and its own hash (chained) covers that digest: `sessionlog check` recomputes
-- every row's seal and names each row changed, added without an audit row, or removed.
-- The Python half of this migration (store/seal.py, seal_existing) seals the rows of a
-- database made before it, once, with one audit row saying so.

CREATE TABLE record_seal (
    tbl      TEXT NOT NULL,
    row_id   INTEGER NOT NULL,
    audit_id INTEGER NOT NULL,
    hash     BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (tbl, row_id, audit_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX record_seal_audit ON record_seal (audit_id);

-- Append-only, like what it seals.
CREATE TRIGGER record_seal_no_update BEFORE UPDATE ON record_seal
BEGIN SELECT RAISE(ABORT, 'record seals are append-only'); END;
CREATE TRIGGER record_seal_no_delete BEFORE DELETE ON record_seal
BEGIN SELECT RAISE(ABORT, 'record seals are append-only'); END;

-- Records that had no append-only triggers: patients, practitioners and episodes are
-- never changed or removed in place either. A protocol (a saved group of sites) may be
-- replaced under its name: sessionlog seals its removal (store/follow_ups.py).
CREATE TRIGGER practitioner_no_update BEFORE UPDATE ON practitioner
BEGIN SELECT RAISE(ABORT, 'practitioner rows are append-only'); END;
CREATE TRIGGER practitioner_no_delete BEFORE DELETE ON practitioner
BEGIN SELECT RAISE(ABORT, 'practitioner rows are append-only'); END;
CREATE TRIGGER patient_no_update BEFORE UPDATE ON patient
BEGIN SELECT RAISE(ABORT, 'patient rows are append-only'); END;
CREATE TRIGGER patient_no_delete BEFORE DELETE ON patient
BEGIN SELECT RAISE(ABORT, 'patient rows are append-only'); END;
CREATE TRIGGER episode_no_update BEFORE UPDATE ON episode
BEGIN SELECT RAISE(ABORT, 'episode rows are append-only'); END;
CREATE TRIGGER episode_no_delete BEFORE DELETE ON episode
BEGIN SELECT RAISE(ABORT, 'episode rows are append-only'); END;
CREATE TRIGGER protocol_no_update BEFORE UPDATE ON protocol
BEGIN SELECT RAISE(ABORT, 'protocol rows are never changed in place: save a new one'); END;

-- No row is ever replaced. INSERT OR REPLACE deletes the row it collides with without
-- firing a DELETE trigger (unless recursive_triggers is on, which the sqlite3 shell
-- leaves off), so each table refuses, before the insert, a new row whose id or unique
-- key is already in use: the replace never happens. (A BEFORE INSERT trigger sees
-- NEW.id = -1 when the id is left to SQLite, so ordinary inserts pass.)
CREATE TRIGGER practitioner_no_replace BEFORE INSERT ON practitioner
WHEN EXISTS (SELECT 1 FROM practitioner WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'practitioner rows are never replaced: that id is in use'); END;
CREATE TRIGGER patient_no_replace BEFORE INSERT ON patient
WHEN EXISTS (SELECT 1 FROM patient WHERE id = NEW.id OR chart_id = NEW.chart_id)
BEGIN SELECT RAISE(ABORT, 'patient rows are never replaced: that id or chart id is in use'); END;
CREATE TRIGGER episode_no_replace BEFORE INSERT ON episode
WHEN EXISTS (SELECT 1 FROM episode WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'episode rows are never replaced: that id is in use'); END;
CREATE TRIGGER session_record_no_replace BEFORE INSERT ON session_record
WHEN EXISTS (SELECT 1 FROM session_record WHERE id = NEW.id OR uid = NEW.uid)
BEGIN SELECT RAISE(ABORT, 'session records are never replaced: that id or uid is in use'); END;
CREATE TRIGGER session_no_replace BEFORE INSERT ON session
WHEN EXISTS (SELECT 1 FROM session WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM session WHERE supersedes_id = NEW.supersedes_id)
  OR EXISTS (SELECT 1 FROM session WHERE record_id = NEW.record_id AND version = NEW.version)
BEGIN SELECT RAISE(ABORT, 'session rows are never replaced: record an amendment instead'); END;
CREATE TRIGGER site_no_replace BEFORE INSERT ON site
WHEN EXISTS (SELECT 1 FROM site WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM site WHERE session_id = NEW.session_id AND seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'site rows are never replaced: record an amendment instead'); END;
CREATE TRIGGER ims_finding_no_replace BEFORE INSERT ON ims_finding
WHEN EXISTS (SELECT 1 FROM ims_finding WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'IMS findings are never replaced: record an amendment instead'); END;
CREATE TRIGGER follow_up_no_replace BEFORE INSERT ON follow_up
WHEN EXISTS (SELECT 1 FROM follow_up WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM follow_up WHERE supersedes_id = NEW.supersedes_id)
BEGIN SELECT RAISE(ABORT, 'follow-up rows are never replaced: record an amendment instead'); END;
CREATE TRIGGER adverse_event_no_replace BEFORE INSERT ON adverse_event
WHEN EXISTS (SELECT 1 FROM adverse_event WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'adverse events are never replaced: record an amendment instead'); END;
CREATE TRIGGER protocol_no_replace BEFORE INSERT ON protocol
WHEN EXISTS (SELECT 1 FROM protocol WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM protocol WHERE practitioner_id = NEW.practitioner_id AND name = NEW.name)
BEGIN SELECT RAISE(ABORT, 'protocol rows are never replaced in place'); END;
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR hash = NEW.hash)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER record_seal_no_replace BEFORE INSERT ON record_seal
WHEN EXISTS (SELECT 1 FROM record_seal
             WHERE tbl = NEW.tbl AND row_id = NEW.row_id AND audit_id = NEW.audit_id)
BEGIN SELECT RAISE(ABORT, 'record seals are append-only'); END;

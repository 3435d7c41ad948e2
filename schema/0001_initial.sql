-- sessionlog schema, version 1.
-- Allowed values are written as `col = 'a' OR col = 'b'`, not `col IN ('a', 'b')`:
-- SQLite builds a small table for an IN list on every row it checks, which made bulk
-- imports about three times slower (measured: 200k rows, 0.9 s against 0.3 s).
-- Clinical rows (sessions, sites, adverse events, IMS findings, follow-ups) are
-- append-only: triggers below refuse UPDATE and DELETE. A correction is a new version
-- of the record that names the one it supersedes, with who, when and why.

CREATE TABLE practitioner (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    profession  TEXT NOT NULL CHECK ((profession = 'acupuncturist' OR profession = 'physiotherapist' OR profession = 'chiropractor' OR profession = 'physician' OR profession = 'other')),
    credential  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE patient (
    id          INTEGER PRIMARY KEY,
    chart_id    TEXT NOT NULL UNIQUE CHECK (length(trim(chart_id)) > 0),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    birth_year  INTEGER CHECK (birth_year BETWEEN 1900 AND 2200),
    sex         TEXT NOT NULL DEFAULT 'unknown' CHECK ((sex = 'female' OR sex = 'male' OR sex = 'other' OR sex = 'unknown')),
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX patient_name ON patient (name COLLATE NOCASE);

CREATE TABLE episode (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (id),
    complaint   TEXT NOT NULL CHECK (length(trim(complaint)) > 0),
    body_region TEXT NOT NULL CHECK ((body_region = 'head' OR body_region = 'neck' OR body_region = 'shoulder' OR body_region = 'upper_back' OR body_region = 'low_back' OR body_region = 'arm' OR body_region = 'elbow' OR body_region = 'wrist_hand' OR body_region = 'chest' OR body_region = 'abdomen' OR body_region = 'hip' OR body_region = 'knee' OR body_region = 'leg' OR body_region = 'ankle_foot' OR body_region = 'multiple' OR body_region = 'other')),
    started_on  TEXT NOT NULL CHECK (date(started_on) IS NOT NULL),
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX episode_patient ON episode (patient_id);

-- The stable identity of a session across its versions (amendments).
CREATE TABLE session_record (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE CHECK (length(uid) = 32),
    patient_id  INTEGER NOT NULL REFERENCES patient (id),
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE session (
    id              INTEGER PRIMARY KEY,
    record_id       INTEGER NOT NULL REFERENCES session_record (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    supersedes_id   INTEGER UNIQUE REFERENCES session (id),
    status          TEXT NOT NULL DEFAULT 'active' CHECK ((status = 'active' OR status = 'void')),
    amend_reason    TEXT,
    patient_id      INTEGER NOT NULL REFERENCES patient (id),
    practitioner_id INTEGER NOT NULL REFERENCES practitioner (id),
    episode_id      INTEGER REFERENCES episode (id),
    started_at      TEXT NOT NULL CHECK (datetime(started_at) IS NOT NULL),
    technique       TEXT NOT NULL CHECK ((technique = 'acupuncture' OR technique = 'electroacupuncture' OR technique = 'dry_needling' OR technique = 'electrical_dry_needling' OR technique = 'ims')),
    style           TEXT NOT NULL DEFAULT '',
    rationale       TEXT NOT NULL DEFAULT '',
    response_sought TEXT NOT NULL CHECK ((response_sought = 'deqi' OR response_sought = 'twitch' OR response_sought = 'grasp' OR response_sought = 'none')),
    consent         INTEGER NOT NULL CHECK (consent = 1),
    pain_before     INTEGER NOT NULL CHECK (pain_before BETWEEN 0 AND 10),
    pain_after      INTEGER CHECK (pain_after BETWEEN 0 AND 10),
    pain_during     INTEGER CHECK (pain_during BETWEEN 0 AND 10),
    soreness_after  INTEGER CHECK (soreness_after BETWEEN 0 AND 10),
    face_to_face_min INTEGER NOT NULL CHECK (face_to_face_min BETWEEN 0 AND 480),
    co_interventions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(co_interventions)
                     AND json_type(co_interventions) = 'array'),
    notes           TEXT NOT NULL DEFAULT '',
    recorded_by     INTEGER NOT NULL REFERENCES practitioner (id),
    recorded_at     TEXT NOT NULL,
    UNIQUE (record_id, version),
    CHECK ((version = 1) = (supersedes_id IS NULL)),
    CHECK (version = 1 OR length(trim(coalesce(amend_reason, ''))) > 0)
) STRICT;
CREATE INDEX session_patient_time ON session (patient_id, started_at);
CREATE INDEX session_technique_time ON session (technique, started_at);
CREATE INDEX session_time ON session (started_at);
CREATE INDEX session_practitioner ON session (practitioner_id, started_at);

CREATE TABLE site (
    id                 INTEGER PRIMARY KEY,
    session_id         INTEGER NOT NULL REFERENCES session (id),
    seq                INTEGER NOT NULL CHECK (seq >= 1),
    kind               TEXT NOT NULL CHECK ((kind = 'acupuncture_point' OR kind = 'trigger_point' OR kind = 'motor_point' OR kind = 'paraspinal' OR kind = 'ashi' OR kind = 'other')),
    target             TEXT NOT NULL CHECK (length(trim(target)) > 0),
    side               TEXT NOT NULL CHECK ((side = 'left' OR side = 'right' OR side = 'bilateral' OR side = 'midline')),
    insertions         INTEGER NOT NULL CHECK (insertions BETWEEN 1 AND 50),
    depth_value        REAL CHECK (depth_value BETWEEN 0 AND 150),
    depth_unit         TEXT CHECK ((depth_unit = 'mm' OR depth_unit = 'cun')),
    depth_tissue       TEXT CHECK ((depth_tissue = 'subcutaneous' OR depth_tissue = 'fascia' OR depth_tissue = 'muscle' OR depth_tissue = 'periosteum')),
    needle_diameter_mm REAL CHECK (needle_diameter_mm BETWEEN 0.1 AND 1.0),
    needle_length_mm   REAL CHECK (needle_length_mm BETWEEN 5 AND 150),
    needle_material    TEXT,
    stimulation        TEXT NOT NULL CHECK ((stimulation = 'none' OR stimulation = 'manual_even' OR stimulation = 'tonify' OR stimulation = 'sedate' OR stimulation = 'rotation' OR stimulation = 'lifting_thrusting' OR stimulation = 'pistoning' OR stimulation = 'fanning' OR stimulation = 'electrical')),
    estim_frequency_hz REAL CHECK (estim_frequency_hz BETWEEN 0.1 AND 200),
    estim_intensity    TEXT,
    retention_s        INTEGER NOT NULL CHECK (retention_s BETWEEN 0 AND 14400),
    deqi_obtained      INTEGER CHECK (deqi_obtained BETWEEN 0 AND 1),
    deqi_quality       TEXT NOT NULL DEFAULT '',
    twitch_count       INTEGER CHECK (twitch_count BETWEEN 0 AND 100),
    grasp              TEXT CHECK ((grasp = 'none' OR grasp = 'mild' OR grasp = 'strong')),
    thorax_risk        INTEGER NOT NULL CHECK (thorax_risk BETWEEN 0 AND 1),
    CHECK ((depth_value IS NULL) = (depth_unit IS NULL)),
    UNIQUE (session_id, seq)
) STRICT;

CREATE TABLE ims_finding (
    id                    INTEGER PRIMARY KEY,
    session_id            INTEGER NOT NULL REFERENCES session (id),
    level                 TEXT NOT NULL,
    side                  TEXT NOT NULL CHECK ((side = 'left' OR side = 'right' OR side = 'bilateral' OR side = 'midline')),
    tender_motor_points   INTEGER NOT NULL CHECK (tender_motor_points BETWEEN 0 AND 1),
    paraspinal_tenderness INTEGER NOT NULL CHECK (paraspinal_tenderness BETWEEN 0 AND 1),
    coldness              INTEGER NOT NULL CHECK (coldness BETWEEN 0 AND 1),
    sweating              INTEGER NOT NULL CHECK (sweating BETWEEN 0 AND 1),
    goosebumps            INTEGER NOT NULL CHECK (goosebumps BETWEEN 0 AND 1),
    skin_rolling          INTEGER NOT NULL CHECK (skin_rolling BETWEEN 0 AND 1),
    matchstick            INTEGER NOT NULL CHECK (matchstick BETWEEN 0 AND 1),
    muscle_shortening     INTEGER NOT NULL CHECK (muscle_shortening BETWEEN 0 AND 1),
    notes                 TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX ims_finding_session ON ims_finding (session_id);

CREATE TABLE follow_up (
    id                INTEGER PRIMARY KEY,
    patient_id        INTEGER NOT NULL REFERENCES patient (id),
    session_record_id INTEGER NOT NULL REFERENCES session_record (id),
    supersedes_id     INTEGER UNIQUE REFERENCES follow_up (id),
    status            TEXT NOT NULL DEFAULT 'active' CHECK ((status = 'active' OR status = 'void')),
    amend_reason      TEXT,
    at                TEXT NOT NULL CHECK (datetime(at) IS NOT NULL),
    pain              INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
    soreness          INTEGER CHECK (soreness BETWEEN 0 AND 10),
    groc              INTEGER CHECK (groc BETWEEN -7 AND 7),
    notes             TEXT NOT NULL DEFAULT '',
    recorded_by       INTEGER NOT NULL REFERENCES practitioner (id),
    recorded_at       TEXT NOT NULL,
    CHECK (supersedes_id IS NULL OR length(trim(coalesce(amend_reason, ''))) > 0)
) STRICT;
CREATE INDEX follow_up_record ON follow_up (session_record_id, at);
CREATE INDEX follow_up_patient ON follow_up (patient_id, at);

CREATE TABLE adverse_event (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER REFERENCES session (id),
    follow_up_id INTEGER REFERENCES follow_up (id),
    tier         TEXT NOT NULL CHECK ((tier = 'mild' OR tier = 'significant' OR tier = 'serious')),
    kind         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    CHECK ((session_id IS NULL) != (follow_up_id IS NULL))
) STRICT;
CREATE INDEX adverse_event_session ON adverse_event (session_id);
CREATE INDEX adverse_event_follow_up ON adverse_event (follow_up_id);

-- Saved point groups per practitioner: configuration, not clinical record.
CREATE TABLE protocol (
    id              INTEGER PRIMARY KEY,
    practitioner_id INTEGER NOT NULL REFERENCES practitioner (id),
    name            TEXT NOT NULL CHECK (length(trim(name)) > 0),
    technique       TEXT NOT NULL,
    sites           TEXT NOT NULL CHECK (json_valid(sites)),
    created_at      TEXT NOT NULL,
    UNIQUE (practitioner_id, name)
) STRICT;

-- Every change (and every export) leaves a row here; each row's hash covers the
-- previous row's hash, so a removed or altered row breaks the chain.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER REFERENCES practitioner (id),
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    detail    TEXT NOT NULL CHECK (json_valid(detail)),
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
) STRICT;

-- A session version must belong to its record's patient; a follow-up to its session's.
CREATE TRIGGER session_patient_matches BEFORE INSERT ON session
WHEN NEW.patient_id != (SELECT patient_id FROM session_record WHERE id = NEW.record_id)
BEGIN SELECT RAISE(ABORT, 'session: patient does not match the session record'); END;

CREATE TRIGGER follow_up_patient_matches BEFORE INSERT ON follow_up
WHEN NEW.patient_id != (SELECT patient_id FROM session_record WHERE id = NEW.session_record_id)
BEGIN SELECT RAISE(ABORT, 'follow_up: patient does not match the session it follows'); END;

-- Append-only: clinical rows and the audit log are never changed or removed in place.
CREATE TRIGGER session_no_update BEFORE UPDATE ON session
BEGIN SELECT RAISE(ABORT, 'session rows are append-only: record an amendment instead'); END;
CREATE TRIGGER session_no_delete BEFORE DELETE ON session
BEGIN SELECT RAISE(ABORT, 'session rows are append-only: record a void amendment instead'); END;
CREATE TRIGGER session_record_no_update BEFORE UPDATE ON session_record
BEGIN SELECT RAISE(ABORT, 'session records are append-only'); END;
CREATE TRIGGER session_record_no_delete BEFORE DELETE ON session_record
BEGIN SELECT RAISE(ABORT, 'session records are append-only'); END;
CREATE TRIGGER site_no_update BEFORE UPDATE ON site
BEGIN SELECT RAISE(ABORT, 'site rows are append-only: record an amendment instead'); END;
CREATE TRIGGER site_no_delete BEFORE DELETE ON site
BEGIN SELECT RAISE(ABORT, 'site rows are append-only: record an amendment instead'); END;
CREATE TRIGGER ims_finding_no_update BEFORE UPDATE ON ims_finding
BEGIN SELECT RAISE(ABORT, 'IMS findings are append-only: record an amendment instead'); END;
CREATE TRIGGER ims_finding_no_delete BEFORE DELETE ON ims_finding
BEGIN SELECT RAISE(ABORT, 'IMS findings are append-only: record an amendment instead'); END;
CREATE TRIGGER follow_up_no_update BEFORE UPDATE ON follow_up
BEGIN SELECT RAISE(ABORT, 'follow-up rows are append-only: record an amendment instead'); END;
CREATE TRIGGER follow_up_no_delete BEFORE DELETE ON follow_up
BEGIN SELECT RAISE(ABORT, 'follow-up rows are append-only: record an amendment instead'); END;
CREATE TRIGGER adverse_event_no_update BEFORE UPDATE ON adverse_event
BEGIN SELECT RAISE(ABORT, 'adverse events are append-only: record an amendment instead'); END;
CREATE TRIGGER adverse_event_no_delete BEFORE DELETE ON adverse_event
BEGIN SELECT RAISE(ABORT, 'adverse events are append-only: record an amendment instead'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- The current view of the record: the newest version of each session, voids left out.
CREATE VIEW current_session AS
SELECT s.* FROM session s
WHERE s.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM session n WHERE n.supersedes_id = s.id);

CREATE VIEW current_follow_up AS
SELECT f.* FROM follow_up f
WHERE f.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM follow_up n WHERE n.supersedes_id = f.id);

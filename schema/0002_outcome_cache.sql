-- sessionlog schema, version 2: a cache of derived outcome data.
-- What the outcome screens and `sessionlog compare` read, computed from the current
-- versions of sessions and follow-ups by sessionlog/store/outcome_cache.py. It is NOT
-- part of the clinical record: its rows are replaced whenever a patient's records
-- change, it can be rebuilt from the clinical tables at any time (emptying it is
-- enough), and it is never exported. Hence no append-only triggers here.

CREATE TABLE outcome_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per current session per slot (numbered in sessionlog/analysis/readings.py):
-- the session itself, the latest pain in each window after it, soreness near 24, 48
-- and 72 h, the day its soreness reached 0, and its adverse events by tier.
CREATE TABLE outcome_point (
    record_id       INTEGER NOT NULL,
    slot            INTEGER NOT NULL,
    patient_id      INTEGER NOT NULL,
    practitioner_id INTEGER NOT NULL,
    episode_id      INTEGER,
    region          TEXT NOT NULL,
    family          TEXT NOT NULL,
    technique       TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    started_on      TEXT NOT NULL,
    pain_before     INTEGER NOT NULL,
    value           INTEGER NOT NULL,
    insertions      INTEGER NOT NULL,
    twitches        INTEGER NOT NULL,
    PRIMARY KEY (slot, record_id)  -- slot first: dose and soreness read one slot
) STRICT, WITHOUT ROWID;
CREATE INDEX outcome_point_patient ON outcome_point (patient_id);
-- Date-filtered comparisons read only this covering index, over the range asked for.
CREATE INDEX outcome_point_date
    ON outcome_point (started_on, slot, family, technique, pain_before, value, patient_id,
                      practitioner_id, region);

-- Dose summaries (one row per session, slot 40) and soreness by dose (soreness near
-- 24 h, slot 21) each read one slot in the order they group by.
CREATE INDEX outcome_point_dose
    ON outcome_point (technique, patient_id, started_at, insertions, practitioner_id, region,
                      started_on, episode_id)
    WHERE slot = 40;
CREATE INDEX outcome_point_dose_soreness
    ON outcome_point (technique, insertions, twitches, value, practitioner_id, region,
                      started_on, episode_id)
    WHERE slot = 21;

-- outcome_point counted per technique, practitioner, region, slot, pain before and
-- value: a comparison (all sessions, or one technique, practitioner or region) reads
-- some thousands of rows instead of a million.
CREATE TABLE outcome_cell (
    technique       TEXT NOT NULL,
    practitioner_id INTEGER NOT NULL,
    region          TEXT NOT NULL,
    slot            INTEGER NOT NULL,
    pain_before     INTEGER NOT NULL,
    value           INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (technique, practitioner_id, region, slot, pain_before, value)
) STRICT, WITHOUT ROWID;
CREATE INDEX outcome_cell_practitioner ON outcome_cell (practitioner_id);
CREATE INDEX outcome_cell_region ON outcome_cell (region);

-- outcome_cell summed over practitioners and regions (the whole clinic), recounted
-- after every refresh: the unfiltered comparison reads this.
CREATE TABLE outcome_total (
    technique   TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    pain_before INTEGER NOT NULL,
    value       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (technique, slot, pain_before, value)
) STRICT, WITHOUT ROWID;

-- Each patient's sessions of a technique (with one practitioner, in one region):
-- count, first and last, insertions; for dose summaries without a row per session.
CREATE TABLE outcome_dose (
    family          TEXT NOT NULL,
    technique       TEXT NOT NULL,
    practitioner_id INTEGER NOT NULL,
    region          TEXT NOT NULL,
    patient_id      INTEGER NOT NULL,
    sessions        INTEGER NOT NULL,
    first_at        TEXT NOT NULL,
    last_at         TEXT NOT NULL,
    insertions      INTEGER NOT NULL,
    insertions_sq   INTEGER NOT NULL,
    PRIMARY KEY (family, patient_id, technique, practitioner_id, region)
) STRICT, WITHOUT ROWID;
CREATE INDEX outcome_dose_by_patient ON outcome_dose (patient_id);

-- The same merged per patient, per family and per technique, with the frequency
-- ((sessions - 1) * 7 / days from the first to the last, NULL below two sessions):
-- whole-clinic dose summaries read this, their medians through the index.
CREATE TABLE outcome_dose_patient (
    grouping      TEXT NOT NULL CHECK (grouping IN ('family', 'technique')),
    key           TEXT NOT NULL,
    patient_id    INTEGER NOT NULL,
    sessions      INTEGER NOT NULL,
    first_at      TEXT NOT NULL,
    last_at       TEXT NOT NULL,
    insertions    INTEGER NOT NULL,
    insertions_sq INTEGER NOT NULL,
    per_week      REAL,
    PRIMARY KEY (grouping, key, patient_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX outcome_dose_patient_by_patient ON outcome_dose_patient (patient_id);
CREATE INDEX outcome_dose_patient_week ON outcome_dose_patient (grouping, key, per_week)
    WHERE per_week IS NOT NULL;

-- Soreness near 24 h counted by insertions and twitch responses (soreness by dose).
CREATE TABLE outcome_dose_soreness (
    technique       TEXT NOT NULL,
    practitioner_id INTEGER NOT NULL,
    region          TEXT NOT NULL,
    insertions      INTEGER NOT NULL,
    twitches        INTEGER NOT NULL,
    value           INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (technique, practitioner_id, region, insertions, twitches, value)
) STRICT, WITHOUT ROWID;

-- Which patients stand behind each technique and slot (distinct patients cannot be
-- summed from outcome_cell).
CREATE TABLE outcome_patient (
    family          TEXT NOT NULL,
    technique       TEXT NOT NULL,
    practitioner_id INTEGER NOT NULL,
    region          TEXT NOT NULL,
    slot            INTEGER NOT NULL,
    patient_id      INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (family, slot, patient_id, technique, practitioner_id, region)
) STRICT, WITHOUT ROWID;
CREATE INDEX outcome_patient_patient ON outcome_patient (patient_id);
CREATE INDEX outcome_patient_technique ON outcome_patient (technique, slot, patient_id);
CREATE INDEX outcome_patient_practitioner
    ON outcome_patient (practitioner_id, family, slot, patient_id, technique, region);
CREATE INDEX outcome_patient_region
    ON outcome_patient (region, family, slot, patient_id, technique, practitioner_id);

-- Distinct patients per family and per technique in each slot, over all sessions:
-- recounted from outcome_patient after every refresh.
CREATE TABLE outcome_group (
    grouping TEXT NOT NULL CHECK (grouping IN ('family', 'technique')),
    key      TEXT NOT NULL,
    slot     INTEGER NOT NULL,
    patients INTEGER NOT NULL,
    PRIMARY KEY (grouping, key, slot)
) STRICT, WITHOUT ROWID;

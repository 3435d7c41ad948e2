-- sessionlog schema, version 14: figures with the patient as the unit (issue 13).
-- The share of the relief right after a session still there in a later window is a
-- ratio over the sessions with both readings (sessionlog/analysis/relief.py); its
-- interval treats the patient as the unit, so outcome_patient keeps each patient's
-- sessions with both readings (q_pn), their relief right after (q_k0) and in the
-- window (q_kw), and outcome_group the sums over patients, their products and the
-- patients with such sessions (g_pn). Derived tables only: the cache's derivation
-- version rises with this, so they are filled on the next use.

ALTER TABLE outcome_patient ADD COLUMN q_pn REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_k0 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_kw REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_pn REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_k0 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_kw REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_kw_kw REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_kw_k0 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_k0_k0 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN g_pn INTEGER NOT NULL DEFAULT 0;

-- Adverse-event rates with the patient as the unit: each patient's sessions with an
-- adverse event of each tier, beside their sessions (outcome_dose and, merged per
-- family and technique, outcome_dose_patient).
ALTER TABLE outcome_dose ADD COLUMN ae_mild INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outcome_dose ADD COLUMN ae_significant INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outcome_dose ADD COLUMN ae_serious INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outcome_dose_patient ADD COLUMN ae_mild INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outcome_dose_patient ADD COLUMN ae_significant INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outcome_dose_patient ADD COLUMN ae_serious INTEGER NOT NULL DEFAULT 0;

-- Soreness by dose with the patient as the unit: its sums per patient and dose band
-- are kept in outcome_patient and outcome_group (slots 32-39), so the counts of
-- soreness by insertions and twitches (with no patients) and their index go.
DROP INDEX outcome_point_dose_soreness;
DROP TABLE outcome_dose_soreness;

-- The whole clinic's dose per family and technique (sums over patients, with the
-- adverse-event sums and the median sessions a week), kept up to date with
-- outcome_dose_patient: the comparison reads a few rows instead of every patient's.
CREATE TABLE outcome_dose_group (
    grouping          TEXT NOT NULL CHECK (grouping IN ('family', 'technique')),
    key               TEXT NOT NULL,
    per_week_median   REAL,
    per_week_low      REAL,
    per_week_high     REAL,
    patients          INTEGER NOT NULL,
    sessions          INTEGER NOT NULL,
    sessions_sq       INTEGER NOT NULL,
    insertions        INTEGER NOT NULL,
    insertions_sq     INTEGER NOT NULL,
    insertions_p2     INTEGER NOT NULL,
    insertions_n      INTEGER NOT NULL,
    ae_mild           INTEGER NOT NULL,
    ae_mild_sq        INTEGER NOT NULL,
    ae_mild_n         INTEGER NOT NULL,
    ae_significant    INTEGER NOT NULL,
    ae_significant_sq INTEGER NOT NULL,
    ae_significant_n  INTEGER NOT NULL,
    ae_serious        INTEGER NOT NULL,
    ae_serious_sq     INTEGER NOT NULL,
    ae_serious_n      INTEGER NOT NULL,
    PRIMARY KEY (grouping, key)
) STRICT, WITHOUT ROWID;

-- Indexes no query uses (points are found by slot and record, patients' sums by
-- practitioner, region or patient): less to build and to store (17 MB at 100,000
-- sessions).
DROP INDEX outcome_point_patient;
DROP INDEX outcome_patient_technique;

-- sessionlog schema, version 16: the outcome cache as one row per session (issue 17).
-- outcome_point kept a row per session per slot (about 905,000 rows and 138 MB with its
-- date index at 100,000 sessions), and outcome_patient, outcome_cell and outcome_dose
-- counted it per practitioner and region: building them made the first comparison on a
-- database without a cache take 15-22 s, and the cache was half the file's size.
-- outcome_session keeps each current session once, with the value of every slot in a
-- column of its own (s<slot>: the slots of sessionlog/analysis/readings.py; NULL: no
-- point), about 10 MB. The whole clinic's counts (outcome_total, outcome_group,
-- outcome_day, outcome_dose_patient, outcome_dose_group) stay tables; comparisons for a
-- practitioner, region, dates or a complaint group outcome_session's rows when asked.
-- outcome_point, outcome_cell, outcome_patient and outcome_dose become views over it,
-- with the columns they had (what the cache's tests and ad-hoc queries read). Derived
-- tables only: the cache's derivation version rises with this, so it is filled on next use.

DROP INDEX outcome_point_date;
DROP INDEX outcome_point_dose;
DROP TABLE outcome_point;
DROP INDEX outcome_cell_practitioner;
DROP INDEX outcome_cell_region;
DROP TABLE outcome_cell;
DROP INDEX outcome_patient_patient;
DROP INDEX outcome_patient_practitioner;
DROP INDEX outcome_patient_region;
DROP TABLE outcome_patient;
DROP INDEX outcome_dose_by_patient;
DROP TABLE outcome_dose;
DELETE FROM outcome_meta;
DELETE FROM outcome_total;
DELETE FROM outcome_group;
DELETE FROM outcome_day;
DELETE FROM outcome_dose_patient;
DELETE FROM outcome_dose_group;

CREATE TABLE outcome_session (
    record_id       INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL,
    practitioner_id INTEGER NOT NULL,
    episode_id      INTEGER,
    region          TEXT NOT NULL,
    family          TEXT NOT NULL,
    technique       TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    started_on      TEXT NOT NULL,
    pain_before     INTEGER NOT NULL,  -- also the session's own point (slot 40)
    insertions      INTEGER NOT NULL,
    twitches        INTEGER NOT NULL,
    s0  INTEGER, s1  INTEGER, s2  INTEGER, s3  INTEGER, s4  INTEGER, s5  INTEGER,  -- pain
    s19 INTEGER,                                      -- pain between windows
    s20 INTEGER, s21 INTEGER, s22 INTEGER, s23 INTEGER,  -- soreness
    s30 INTEGER,                                      -- the day soreness reached 0
    s31 INTEGER,                                      -- time to loss of relief
    s51 INTEGER NOT NULL, s52 INTEGER NOT NULL, s53 INTEGER NOT NULL  -- adverse events
) STRICT;

-- One row per session per slot, as the table of that name had them (immediate: the
-- session's pain right after it, beside its later pain windows' points).
CREATE VIEW outcome_point AS
SELECT record_id, 0 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s0 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s0 IS NOT NULL
UNION ALL
SELECT record_id, 1 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s1 AS value, insertions, twitches, s0 AS immediate
FROM outcome_session WHERE s1 IS NOT NULL
UNION ALL
SELECT record_id, 2 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s2 AS value, insertions, twitches, s0 AS immediate
FROM outcome_session WHERE s2 IS NOT NULL
UNION ALL
SELECT record_id, 3 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s3 AS value, insertions, twitches, s0 AS immediate
FROM outcome_session WHERE s3 IS NOT NULL
UNION ALL
SELECT record_id, 4 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s4 AS value, insertions, twitches, s0 AS immediate
FROM outcome_session WHERE s4 IS NOT NULL
UNION ALL
SELECT record_id, 5 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s5 AS value, insertions, twitches, s0 AS immediate
FROM outcome_session WHERE s5 IS NOT NULL
UNION ALL
SELECT record_id, 19 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s19 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s19 IS NOT NULL
UNION ALL
SELECT record_id, 20 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s20 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s20 IS NOT NULL
UNION ALL
SELECT record_id, 21 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s21 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s21 IS NOT NULL
UNION ALL
SELECT record_id, 22 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s22 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s22 IS NOT NULL
UNION ALL
SELECT record_id, 23 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s23 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s23 IS NOT NULL
UNION ALL
SELECT record_id, 30 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s30 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s30 IS NOT NULL
UNION ALL
SELECT record_id, 31 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, 0 AS pain_before, s31 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s31 IS NOT NULL
UNION ALL
SELECT record_id, 40 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, pain_before AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE true
UNION ALL
SELECT record_id, 51 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s51 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s51 > 0
UNION ALL
SELECT record_id, 52 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s52 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s52 > 0
UNION ALL
SELECT record_id, 53 AS slot, patient_id, practitioner_id, episode_id, region, family, technique, started_at, started_on, pain_before AS pain_before, s53 AS value, insertions, twitches, NULL AS immediate
FROM outcome_session WHERE s53 > 0;

CREATE VIEW outcome_cell AS
SELECT technique, practitioner_id, region, slot, pain_before, value, count(*) AS n
FROM outcome_point GROUP BY technique, practitioner_id, region, slot, pain_before, value;

-- Each patient's points per slot, with soreness near 24 h again under its two dose bands'
-- slots (32-35 insertions 1-5, 6-10, 11-20, 21+; 36-39 twitches 0, 1-5, 6-15, 16+).
CREATE VIEW outcome_patient AS
SELECT family, technique, practitioner_id, region, slot, patient_id, count(*) AS n FROM (
    SELECT family, technique, practitioner_id, region, slot, patient_id FROM outcome_point
    UNION ALL
    SELECT family, technique, practitioner_id, region,
           CASE WHEN insertions <= 5 THEN 32 WHEN insertions <= 10 THEN 33
                WHEN insertions <= 20 THEN 34 ELSE 35 END, patient_id
    FROM outcome_session WHERE s21 IS NOT NULL AND insertions >= 1
    UNION ALL
    SELECT family, technique, practitioner_id, region,
           CASE WHEN twitches <= 0 THEN 36 WHEN twitches <= 5 THEN 37
                WHEN twitches <= 15 THEN 38 ELSE 39 END, patient_id
    FROM outcome_session WHERE s21 IS NOT NULL AND twitches >= 0
) GROUP BY family, technique, practitioner_id, region, slot, patient_id;

CREATE VIEW outcome_dose AS
SELECT family, technique, practitioner_id, region, patient_id, count(*) AS sessions,
       min(started_at) AS first_at, max(started_at) AS last_at,
       sum(insertions) AS insertions, sum(insertions * insertions) AS insertions_sq,
       sum(s51 > 0) AS ae_mild, sum(s52 > 0) AS ae_significant, sum(s53 > 0) AS ae_serious
FROM outcome_session GROUP BY family, technique, practitioner_id, region, patient_id;

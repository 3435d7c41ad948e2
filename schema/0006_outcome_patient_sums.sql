-- sessionlog schema, version 6: per-patient sums in the outcome cache (issue 13).
-- Intervals that treat the patient as the unit (cluster-robust, see
-- sessionlog/analysis/stats.py) need, per technique and window, sums over patients of
-- each patient's totals and of their products. outcome_patient keeps each patient's
-- totals (q_*: sessions with a percent, relief, percent relief, responders, recovered,
-- zero, the value, resolved by day 1/2/3, and "odd": relief lost, in the
-- time-to-loss-of-relief slot); outcome_group their sums over patients (q_*) and the
-- sums of their products (p_*). Derived tables only: the cache's derivation version
-- rises with this, so they are filled on the next use.

ALTER TABLE outcome_patient ADD COLUMN q_np REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_rel REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_pct REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_r2 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_r30 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_rec REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_zero REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_v REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_by1 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_by2 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_by3 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_patient ADD COLUMN q_odd REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_np REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_rel REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_pct REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_r2 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_r30 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_rec REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_zero REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_v REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_by1 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_by2 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_by3 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN q_odd REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_rel_rel REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_rel_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_n_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_pct_pct REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_pct_np REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_np_np REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_r2_r2 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_r2_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_r30_r30 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_r30_np REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_rec_rec REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_rec_np REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_v_v REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_v_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_zero_zero REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_zero_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_by1_by1 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_by1_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_by2_by2 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_by2_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_by3_by3 REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_by3_n REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_odd_odd REAL NOT NULL DEFAULT 0;
ALTER TABLE outcome_group ADD COLUMN p_odd_n REAL NOT NULL DEFAULT 0;

-- Sessions per technique and day: how many sessions are old enough to have a reading
-- in each window (a window's completeness) is counted from it.
CREATE TABLE outcome_day (
    technique  TEXT NOT NULL,
    started_on TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (technique, started_on)
) STRICT, WITHOUT ROWID;

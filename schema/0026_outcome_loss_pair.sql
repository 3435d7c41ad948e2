-- sessionlog schema, version 26: the interval of "How long relief lasted" with the patient
-- as the unit (sessionlog/analysis/lasting.py). Its variance is the patient-clustered one
-- of the Kaplan-Meier curve itself: a patient's influence on it is a sum over their
-- sessions, one term per loss value (2 x days + lost), so the sum over patients of its
-- square needs, per family and per technique, the sums over patients of the products of
-- a patient's counts of each two loss values (a <= b). The design effect of the share of
-- sessions that lost relief, used before, is about 1 when nearly every session loses
-- it, however much patients differ (review17, defect 5). Derived table only: the cache's
-- derivation version rises with this, so it is filled on the next use.

CREATE TABLE outcome_loss_pair (
    grouping TEXT NOT NULL CHECK (grouping IN ('family', 'technique')),
    key      TEXT NOT NULL,
    a        INTEGER NOT NULL,  -- a loss value (outcome_session.s31)
    b        INTEGER NOT NULL,  -- another, at least a
    n        INTEGER NOT NULL,  -- the sum over patients of their counts of a times of b
    PRIMARY KEY (grouping, key, a, b)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER outcome_loss_pair_edited_insert AFTER INSERT ON outcome_loss_pair
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_loss_pair')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_loss_pair'); END;
CREATE TRIGGER outcome_loss_pair_edited_update AFTER UPDATE ON outcome_loss_pair
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_loss_pair')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_loss_pair'); END;
CREATE TRIGGER outcome_loss_pair_edited_delete AFTER DELETE ON outcome_loss_pair
WHEN NOT EXISTS (SELECT 1 FROM outcome_edited WHERE name = 'outcome_loss_pair')
BEGIN INSERT INTO outcome_edited (name) VALUES ('outcome_loss_pair'); END;

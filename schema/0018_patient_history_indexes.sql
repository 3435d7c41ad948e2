-- sessionlog schema, version 18: a patient's sessions and follow-ups read from their
-- indexes alone (issue 17: progress of a chronic patient).
-- Opening a patient's progress reads every session and follow-up of theirs in time
-- order. Their rows lie one per page across the file (a clinic's rows go in as they
-- happen, a patient's a week apart), so for a patient with 400 sessions and 1,062
-- follow-ups at 100,000 sessions the two queries read about 1,500 table pages, more
-- than SQLite's page cache holds: each opening read them again. The patient indexes now
-- carry the columns those queries read (the id, being the rowid, is in every entry), so
-- they are answered from a few dozen neighbouring index pages. Their first columns stay
-- (patient, time): every query that used them still can.

DROP INDEX session_patient_time;
CREATE INDEX session_patient_time ON session (
    patient_id, started_at, record_id, status, practitioner_id, technique,
    pain_before, pain_after, soreness_after, episode_id
);
DROP INDEX follow_up_patient;
CREATE INDEX follow_up_patient ON follow_up (
    patient_id, at, id, session_record_id, status, pain, soreness
);

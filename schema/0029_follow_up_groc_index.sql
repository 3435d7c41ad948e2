-- sessionlog schema, version 29: a patient's rated follow-ups read from an index of the
-- rated ones alone (issue 17: progress of a chronic patient).
-- The progress screen reads a patient's follow-ups with a GROC (their scales' course).
-- The rating is in no index: for a patient with 1,062 follow-ups at 100,000 sessions,
-- none of them rated, the query read every one of their rows to find none, 2.8 ms of
-- CPU at each opening. This index holds only the rated follow-ups, with the columns
-- that query reads, so it is answered from the index alone (0.01 ms); it costs nothing
-- for a follow-up saved without a rating.

CREATE INDEX follow_up_groc ON follow_up (patient_id, at, id, status, groc)
WHERE groc IS NOT NULL;

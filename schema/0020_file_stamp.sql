-- sessionlog schema, version 20: how many writes this file has had (store/file/walstamp.py).
--
-- Every write adds one to `writes` in the same transaction, so each -wal holds, in the
-- newest copy of this table's page, the count its newest save reached, and the file
-- holds the count of the newest save folded into it. Before opening, a -wal whose count
-- is below the file's (a copy of the -wal put back after later saves were folded in) or
-- a file whose count is below what the -wal starts from (an older copy of the file put
-- back under a newer -wal) is refused, not replayed. Not part of the record: not
-- exported (exchange/tables.py NOT_EXPORTED), and only ever updated, never deleted.

CREATE TABLE file_stamp (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    writes  INTEGER NOT NULL CHECK (writes >= 0)
) STRICT;
INSERT INTO file_stamp (id, writes) VALUES (1, 0);

CREATE TRIGGER file_stamp_no_delete BEFORE DELETE ON file_stamp
BEGIN SELECT RAISE(ABORT, 'the file stamp is kept'); END;

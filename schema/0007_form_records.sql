-- sessionlog schema, version 7: the session form records only what was meant (issue 14).
--
-- 1. A face-to-face time left blank stays blank. Version 1 made session.face_to_face_min
--    NOT NULL, and the code filled a blank with "10 + the longest retention": a time
--    nobody typed, shown on reopening as if typed, and billed (CPT units) and exported
--    (FHIR Encounter period) as fact. The column becomes nullable. SQLite cannot drop
--    a NOT NULL in place, and a table rebuild would have to restate every column other
--    migrations add to `session`; removing a NOT NULL changes nothing stored, so the
--    schema text is edited instead, as SQLite documents for such changes
--    (https://www.sqlite.org/lang_altertable.html#otheralter). Stored rows, their
--    triggers and every other column are untouched. Older rows keep the time they
--    were saved with (it cannot be told now which were typed).
-- 2. Electrical stimulation is recorded on the sites that were on the stimulator only
--    (site.stimulation = 'electrical'), and the lead a site was on: sites with the same
--    estim_lead were paired on one lead. Null when not given (or not stimulated).
--    Nullable, so no stored row changes and the site table's triggers stay as they are.

PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'face_to_face_min INTEGER NOT NULL CHECK', 'face_to_face_min INTEGER CHECK')
 WHERE type = 'table' AND name = 'session';
PRAGMA writable_schema = RESET;
ALTER TABLE site ADD COLUMN estim_lead INTEGER CHECK (estim_lead BETWEEN 1 AND 32);

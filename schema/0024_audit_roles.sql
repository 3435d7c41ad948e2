-- sessionlog schema, version 24: the roles the audit log gave, found without reading it all.
-- A role is not a record row and has no seal, but every role sessionlog gives leaves an
-- audit row (entity practitioner_access, the practitioner's id, {"role": ...}) that the
-- hash chain covers. A role in practitioner_access that is not the one the audit log last
-- gave (since the import that kept another database's log, if any) was changed by hand:
-- every privilege decision goes by the audit log's (store/records/roles.py), and check
-- names the difference. Two small partial indexes make those reads a few rows each: the
-- role rows, and the rows that may be such an import.

CREATE INDEX audit_log_role ON audit_log (entity_id, id) WHERE entity = 'practitioner_access';
CREATE INDEX audit_log_database ON audit_log (id) WHERE entity = 'database';

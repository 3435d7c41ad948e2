-- sessionlog schema, version 4: who may sign in, and how.
-- One row per practitioner who has a secret (a passphrase or a PIN of at least six
-- digits). Only a salted scrypt hash is kept (hex), with its salt and cost parameters,
-- so a secret can never be read back, not even by an admin. role: 'admin' adds
-- practitioners and resets a forgotten secret; 'practitioner' records. must_change: the
-- secret was given by an admin (a new practitioner, a reset) and is replaced at the next
-- sign-in. failed_attempts and last_failed_at drive the back-off after wrong secrets.
-- This is access configuration, not a clinical record: rows are updated in place, and
-- every change leaves an audit row (written by the store).

CREATE TABLE practitioner_access (
    practitioner_id INTEGER PRIMARY KEY REFERENCES practitioner (id),
    secret_hash     TEXT NOT NULL,
    salt            TEXT NOT NULL,
    params          TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT 'practitioner' CHECK (role IN ('admin', 'practitioner')),
    must_change     INTEGER NOT NULL DEFAULT 0 CHECK (must_change IN (0, 1)),
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    last_failed_at  TEXT,
    updated_at      TEXT NOT NULL
) STRICT;

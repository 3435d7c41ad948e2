"""The records: patients, practitioners, sessions, follow-ups, scales, access."""

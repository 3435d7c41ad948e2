"""Tamper evidence: the hash-chained audit log, record seals, their checks."""

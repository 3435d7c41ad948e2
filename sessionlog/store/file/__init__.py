"""The database file kept safe: guards before opening, encryption, backup, check."""

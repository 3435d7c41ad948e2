"""Persistence: opening the database and reading and writing records (all the SQL)."""

from .db import connect, default_path, open_database
from .store import Saved, Store

__all__ = ["Saved", "Store", "connect", "default_path", "open_database"]

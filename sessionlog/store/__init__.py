"""Persistence, and its one door: the front ends import from here and nowhere below.

All the SQL is in this package, grouped by what it does: ``records/`` (patients,
practitioners, sessions, follow-ups, scales, who looked), ``outcomes/`` (the derived
outcome cache and the queries over it), ``file/`` (the database file kept safe:
guards, encryption, backup, check) and ``integrity/`` (the audit chain and the seals).
:class:`Store` is the object the app, the command line and the tests read and write
through; the names below it are the few file-level operations and row types the
front ends need. They load on first use, so the app's first frame loads none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .db import connect, default_path, open_database
from .store import Saved, Store

if TYPE_CHECKING:  # (the names below, for the type checker: loaded on first use)
    from .file.backup import backup as backup
    from .file.backup import check_backup as check_backup
    from .file.backup import not_utf8_where as not_utf8_where
    from .file.backup import refuse_plain_over_encrypted as refuse_plain_over_encrypted
    from .file.backup import restorable as restorable
    from .file.backup import restore as restore
    from .file.cipher import ENV as PASSPHRASE_ENV
    from .file.cipher import passphrase as passphrase
    from .file.cipher import use_passphrase as use_passphrase
    from .file.failures import database_error as database_error
    from .file.failures import read_failed as read_failed
    from .file.health import check as check
    from .file.health import open_readonly as open_readonly
    from .integrity.alarm import raise_alarm as raise_alarm
    from .integrity.history import HistoryCheck as HistoryCheck
    from .integrity.history import verify_history as verify_history
    from .outcomes.queries import check_filters as check_filters
    from .records.credentials import SignInName as SignInName
    from .records.credentials import sign_ins_in_file as sign_ins_in_file
    from .records.lazy_rows import ScaleReadingRow as ScaleReadingRow
    from .records.people import EpisodeRow as EpisodeRow
    from .records.people import PatientRow as PatientRow
    from .rows import FollowUpRow as FollowUpRow
    from .rows import ListedSession as ListedSession
    from .rows import ProtocolRow as ProtocolRow
    from .rows import StoredSession as StoredSession

_LAZY: dict[str, tuple[str, str]] = {
    "backup": (".file.backup", "backup"),
    "check_backup": (".file.backup", "check_backup"),
    "refuse_plain_over_encrypted": (".file.backup", "refuse_plain_over_encrypted"),
    "restore": (".file.backup", "restore"),
    "restorable": (".file.backup", "restorable"),
    "not_utf8_where": (".file.backup", "not_utf8_where"),
    "PASSPHRASE_ENV": (".file.cipher", "ENV"),
    "passphrase": (".file.cipher", "passphrase"),
    "use_passphrase": (".file.cipher", "use_passphrase"),
    "database_error": (".file.failures", "database_error"),
    "read_failed": (".file.failures", "read_failed"),
    "check": (".file.health", "check"),
    "open_readonly": (".file.health", "open_readonly"),
    "raise_alarm": (".integrity.alarm", "raise_alarm"),
    "HistoryCheck": (".integrity.history", "HistoryCheck"),
    "verify_history": (".integrity.history", "verify_history"),
    "check_filters": (".outcomes.queries", "check_filters"),
    "SignInName": (".records.credentials", "SignInName"),
    "sign_ins_in_file": (".records.credentials", "sign_ins_in_file"),
    "ScaleReadingRow": (".records.lazy_rows", "ScaleReadingRow"),
    "EpisodeRow": (".records.people", "EpisodeRow"),
    "PatientRow": (".records.people", "PatientRow"),
    "FollowUpRow": (".rows", "FollowUpRow"),
    "ListedSession": (".rows", "ListedSession"),
    "ProtocolRow": (".rows", "ProtocolRow"),
    "StoredSession": (".rows", "StoredSession"),
}

__all__ = [
    "Saved",
    "Store",
    "connect",
    "default_path",
    "open_database",
    "backup",
    "check_backup",
    "refuse_plain_over_encrypted",
    "restore",
    "restorable",
    "not_utf8_where",
    "PASSPHRASE_ENV",
    "passphrase",
    "use_passphrase",
    "database_error",
    "read_failed",
    "check",
    "open_readonly",
    "raise_alarm",
    "HistoryCheck",
    "verify_history",
    "check_filters",
    "SignInName",
    "sign_ins_in_file",
    "ScaleReadingRow",
    "EpisodeRow",
    "PatientRow",
    "FollowUpRow",
    "ListedSession",
    "ProtocolRow",
    "StoredSession",
]


def __getattr__(name: str) -> object:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), attr)
    globals()[name] = value
    return value

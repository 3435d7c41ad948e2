"""Who looked at a patient: access rows in the audit log, and reading them back.

Opening a patient's record, history, progress or patient view (in the app) and a
report on a patient (on the command line) each add one audit row: action ``view`` or
``report``, entity ``patient``, the patient's id, and what was opened. Exports of the
whole database (action ``export``) hold every patient, so they count as looking too.

An access row is written without waiting for the disk (``synchronous = NORMAL`` for
its commit): it is the one write made on opening a screen, and the next save, which
does wait, flushes it with everything before it. A power cut can lose the last few
access rows, never break the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..base import StoreBase

if TYPE_CHECKING:
    from .lazy_rows import AccessRow as AccessRow

VIEWS = ("record", "history", "progress", "patient_view", "report", "scales")


def __getattr__(name: str) -> object:
    if name == "AccessRow":  # made on first use (lazy_rows.py)
        from .lazy_rows import AccessRow

        return AccessRow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class AccessStore(StoreBase):
    def log_access(
        self, actor_id: int | None, patient_id: int, what: str, *, action: str = "view"
    ) -> None:
        """Record that ``actor_id`` opened ``what`` (one of VIEWS) of patient ``patient_id``."""
        self.log_access_to(actor_id, [patient_id], what, action=action)

    def log_access_to(
        self, actor_id: int | None, patient_ids: Iterable[int], what: str, *, action: str = "view"
    ) -> None:
        """:meth:`log_access` for each of ``patient_ids`` (a listing of several patients'
        records), in one transaction."""
        if what not in VIEWS:
            raise ValueError(f"unknown view {what!r}: one of {', '.join(VIEWS)}")
        ids = list(dict.fromkeys(patient_ids))
        if not ids:
            return
        self.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            with self.write() as conn:
                for patient_id in ids:
                    self._audit(conn, actor_id, action, "patient", patient_id, what=what)
        finally:
            self.conn.execute("PRAGMA synchronous = FULL")

    def patient_access(self, patient_id: int) -> list[AccessRow]:
        """Every view of, report on and take-home report of ``patient_id``, and every
        export and backup (each carries every patient), oldest first."""
        from .lazy_rows import AccessRow

        rows = self.conn.execute(
            "SELECT a.at, a.actor_id, p.name, a.action, a.detail FROM audit_log a"
            " LEFT JOIN practitioner p ON p.id = a.actor_id"
            " WHERE (a.entity = 'patient' AND a.entity_id = ? AND a.action IN ('view', 'report'))"
            " OR (a.entity = 'report' AND a.action = 'export'"
            "     AND json_extract(a.detail, '$.patient_id') = ?)"
            " OR (a.entity = 'database' AND a.action IN ('export', 'backup'))"
            " ORDER BY a.id",
            (patient_id, patient_id),
        ).fetchall()
        return [
            AccessRow(at, actor, name, action, _what(action, detail))
            for at, actor, name, action, detail in rows
        ]


def _what(action: str, detail: str) -> str:
    data = json.loads(detail)
    if action == "backup":
        return "backup of every patient"
    if action == "export" and "patient_id" in data:
        return f"take-home report ({data.get('format', '?')})"
    if action == "export":
        return f"export of every patient ({data.get('format', '?')})"
    return str(data.get("what", "?"))

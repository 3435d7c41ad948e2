"""``sessionlog audit verify``: the whole audit chain walked and every record held to its seal.

What is wrong comes back as sentences (the first broken link first, then each record
row that no longer matches its seal), and the alarm note is left beside the database so
that every later start warns (:mod:`.alarm`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import alarm, audit, tamper

if TYPE_CHECKING:
    from ..store import Store


@dataclass(frozen=True)
class HistoryCheck:
    """The audit rows walked, and what is wrong (empty: intact)."""

    rows: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_history(store: Store) -> HistoryCheck:
    """Walk the chain and check every seal; raise the alarm when anything is wrong."""
    report = audit.verify(store.conn)
    problems = tamper.problems(tamper.findings(store.conn))
    if not report.ok:
        problems = [
            f"the audit log is broken at row {report.broken_at}: {report.reason}."
            " Records may have been changed outside sessionlog; run `sessionlog check` and"
            " compare with a backup made before that row.",
            *problems,
        ]
    if problems:
        alarm.raise_alarm(store.path, problems)
    return HistoryCheck(report.rows, problems)

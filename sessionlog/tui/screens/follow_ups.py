"""A patient's follow-ups (F3 on the follow-up form), newest first, to correct or void.

Each current follow-up and each voided one (marked) is a row. E (or Enter) opens the
highlighted one in the follow-up form, filled with its values, to correct it; F8 voids
it, with a reason and a yes; F3 shows its versions (:class:`FollowUpHistory`). Both go
through :mod:`sessionlog.services.follow_ups`, as ``follow-up-amend`` and
``follow-up-void`` do: the original stays in the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ...services import follow_ups
from ...services.scales import readings_words, taken_with
from ...services.sessions import Refused
from .. import outcome_upkeep
from ..safe import plain
from .home_lists import highlighted_key
from .record_list import RecordList

if TYPE_CHECKING:
    from ...store import FollowUpRow, Store

COLUMNS = ("#", "When", "Session", "Pain", "Sore", "GROC", "Status", "Notes")


def _blank(value: object) -> str:
    return "" if value is None else str(value)


def scores(row: FollowUpRow) -> str:
    """``pain 3, soreness 2, GROC +2``: what a follow-up version recorded."""
    parts = [f"pain {row['pain']}"]
    if row["soreness"] is not None:
        parts.append(f"soreness {row['soreness']}")
    if row["groc"] is not None:
        parts.append(f"GROC {row['groc']:+d}")
    return ", ".join(parts)


class FollowUpsScreen(RecordList):
    """The follow-ups of ``patient_id``; corrections and voids are made from here."""

    TITLE_TEXT = "Follow-ups"
    TABLE_ID = "follow-ups"
    COLUMNS = COLUMNS
    HINT = (
        "{follow_ups.correct} or Enter: correct · {follow_ups.void}: void"
        " · {follow_ups.history}: its versions · {follow_ups.close}: back"
    )

    BINDINGS = [
        Binding("e", "correct", "Correct", id="follow_ups.correct"),
        Binding("f8", "void", "Void", id="follow_ups.void"),
        Binding("f3", "history", "Versions", id="follow_ups.history"),
        Binding("escape", "close", "Back", id="follow_ups.close"),
    ]

    def fill(self, select: int | None = None) -> None:
        """The rows anew (after a correction: ``select``, the new one, highlighted)."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        rows = self.store.listed_follow_ups(self.patient_id)
        for f in rows:
            void = f["status"] == "void"
            status = "void" if void else "corrected" if f["supersedes_id"] else ""
            table.add_row(
                str(f["supersedes_id"] if void else f["id"]),
                Text(str(f["at"])[:16], style="strike dim" if void else ""),
                f"#{f['session_record_id']}",
                str(f["pain"]),
                _blank(f["soreness"]),
                "" if f["groc"] is None else f"{f['groc']:+d}",
                Text(status, style="bold red" if void else ""),
                plain(f["notes"].splitlines()[0] if f["notes"] else ""),
                key=f"{f['id']}:{f['status']}",
            )
        keys = [f["id"] for f in rows]
        if select in keys:
            table.move_cursor(row=keys.index(select))
        elif rows:
            table.move_cursor(row=min(max(row, 0), len(rows) - 1))
        live = sum(f["status"] != "void" for f in rows)
        title = f"Follow-ups: {live}" + (f" (+{len(rows) - live} void)" if live < len(rows) else "")
        self.query_one("#topbar", Static).update(title)

    def _highlighted(self, doing: str) -> int | None:
        """The current follow-up highlighted, or None (said why)."""
        key = highlighted_key(self.query_one(DataTable))
        if key is None:
            self.notify(f"This patient has no follow-up to {doing}.", timeout=3)
            return None
        fid, status = key.split(":")
        if status == "void":
            self.notify("That follow-up is void: F3 shows its versions.", timeout=3)
            return None
        return int(fid)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_correct()

    def action_correct(self) -> None:
        fid = self._highlighted("correct")
        if fid is not None:
            from .follow_up import FollowUpScreen

            self.app.push_screen(FollowUpScreen(self.patient_id, correcting=fid), self._saved)

    def _saved(self, new_id: int | None) -> None:
        if new_id is not None:
            outcome_upkeep.records_changed(self.app)
        self.fill(select=new_id)

    def action_void(self) -> None:
        fid = self._highlighted("void")
        if fid is None:
            return
        from .modals import void_asking

        row = self.store.follow_up_versions(fid)[-1]
        what = f"follow-up #{fid} ({str(row['at'])[:16]}, {scores(row)})"
        along = readings_words(taken_with(self.store, self.patient_id, follow_up_id=fid))
        if along:  # they count only while it does (review17)
            what += f" and {along}"

        def confirmed(reason: str) -> None:
            app: Any = self.app
            done = follow_ups.void(self.store, fid, app.practitioner_id, reason)
            if isinstance(done, Refused):
                self.notify(plain(f"Not voided: {done.error}"), severity="error", timeout=8)  # type: ignore[arg-type]  # a Text: user text shown as text, never markup
            else:
                self.notify(done.message, timeout=3)
                outcome_upkeep.records_changed(self.app)
            self.fill()

        void_asking(
            self.app,
            what,
            confirmed,
            placeholder="e.g. recorded for the wrong patient",
            several=bool(along),
        )

    def action_history(self) -> None:
        key = highlighted_key(self.query_one(DataTable))
        if key is not None:
            self.app.push_screen(FollowUpHistory(int(key.split(":")[0])))

    def action_close(self) -> None:
        self.dismiss(None)


def versions_text(versions: list[FollowUpRow], names: dict[int, str]) -> str:
    """Each version of a follow-up, oldest first: its row, what it is now, who wrote it
    and when, why (a correction or a void) and what it holds."""
    lines: list[str] = []
    for i, v in enumerate(versions):
        later = versions[i + 1] if i + 1 < len(versions) else None
        if v["status"] == "void":
            state = "void"
        elif later is None:
            state = "current"
        else:
            state = (
                f"voided by #{later['id']}"
                if later["status"] == "void"
                else (f"replaced by #{later['id']}")
            )
        by = names.get(v["recorded_by"], "?")
        lines.append(f"#{v['id']} · {state} · recorded {str(v['recorded_at'])[:16]} by {by}")
        if v["supersedes_id"] is not None:
            lines.append(f"  Why: {v['amend_reason'] or 'not given'}")
        lines.append(f"  {str(v['at'])[:16]}, after session #{v['session_record_id']}: {scores(v)}")
        if v["notes"]:
            lines.append(f"  Notes: {v['notes']}")
    return "\n".join(lines)


class FollowUpHistory(ModalScreen[None]):
    """The versions of the follow-up row ``follow_up_id`` is one of, oldest first."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="follow_up_history.close")]

    def __init__(self, follow_up_id: int) -> None:
        super().__init__()
        self.follow_up_id = follow_up_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(f"Versions of follow-up #{self.follow_up_id}", classes="title")
            with VerticalScroll():
                yield Static(id="versions")
            yield Static("Escape closes", classes="hint")

    def on_mount(self) -> None:
        store: Store = self.app.store  # type: ignore[attr-defined]
        versions = store.follow_up_versions(self.follow_up_id)
        names = {p["id"]: p["name"] for p in store.practitioners()}
        self.query_one("#versions", Static).update(plain(versions_text(versions, names)))

    def action_close(self) -> None:
        self.dismiss(None)

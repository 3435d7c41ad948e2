"""A patient's scale readings (C on their progress), newest first, to correct or void one.

Each reading that counts is a row, and each voided one (marked). E (or Enter) opens the
highlighted one in the scale form (:class:`.scale_entry.ScaleEntry`), filled with its
answers, to type them again: checked as a new reading's are, then a reason is asked.
F8 voids it, after a reason and a yes. Both go through :mod:`sessionlog.services.scales`,
as ``scale amend`` and ``scale void`` do: the original stays in the record, with who
changed it and why. A patient never reaches this screen: the patient view over the
progress screen takes every key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from ...errors import SessionlogError
from ...services.scales import (
    Corrected,
    answers_text,
    counting,
    listed_readings,
    reading_words,
    score_words,
    void_reading,
)
from .. import outcome_upkeep
from ..safe import plain
from .home_lists import highlighted_key
from .record_list import RecordList

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.widget import Widget

    from ...store import ScaleReadingRow

COLUMNS = ("#", "When", "Scale", "Score", "Session", "Status", "Answers")  # the long one last
VOID = "That reading is void: it counts in no figure."


def _key(r: ScaleReadingRow | Corrected, void: bool = False) -> str:
    """A row's key: the reading's id (or its void row's) and whether it is a void."""
    if isinstance(r, Corrected):
        return f"{r.reading_id}:{'void' if r.voided else 'active'}"
    return f"{r.id}:{'void' if void else 'active'}"


class ScaleReadingsScreen(RecordList):
    """The scale readings of ``patient_id``; a reading is corrected or voided from here."""

    TITLE_TEXT = "Scale readings"
    TABLE_ID = "readings"
    COLUMNS = COLUMNS
    HINT = (
        "{scale_readings.correct} or Enter: correct · {scale_readings.void}: void"
        " · {scale_readings.close}: back"
    )
    ACCESS = "scales"

    BINDINGS = [
        Binding("e", "correct", "Correct", id="scale_readings.correct"),
        Binding("f8", "void", "Void", id="scale_readings.void"),
        Binding("escape", "close", "Back", id="scale_readings.close"),
    ]
    DEFAULT_CSS = "ScaleReadingsScreen #readings-said { height: auto; padding: 0 1; }"

    def under_table(self) -> Iterable[Widget]:
        yield Label("", id="readings-error", classes="error")
        yield Static("", id="readings-said")

    def fill(self, select: str | None = None) -> None:
        """The rows anew, the highlight kept on the same line (or on the row keyed
        ``select``: a correction or a void just saved)."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        rows = listed_readings(self.store, self.patient_id)
        for r, void in rows:
            status = "void" if void else "corrected" if r.supersedes_id else ""
            table.add_row(
                str(r.supersedes_id if void else r.id),
                Text(r.at[:16], style="strike dim" if void else ""),
                r.scale,
                score_words(r),
                f"#{r.session_record_id}",
                Text(status, style="bold red" if void else ""),
                plain(answers_text(r) or "(total)"),
                key=_key(r, void),
            )
        keys = [_key(r, void) for r, void in rows]
        if select in keys:
            row = keys.index(select)
        if rows:
            table.move_cursor(row=min(max(row, 0), len(rows) - 1))
        live = sum(not void for _, void in rows)
        title = f"Scale readings: {live}" + (
            f" (+{len(rows) - live} void)" if live < len(rows) else ""
        )
        self.query_one("#topbar", Static).update(title)

    def _tell(self, error: str = "", said: str = "") -> None:
        """One line: what went wrong (in red), or what was done."""
        label = self.query_one("#readings-error", Label)
        label.update(plain(error))
        label.set_class(bool(error), "-shown")
        self.query_one("#readings-said", Static).update(plain(said))

    def _highlighted(self, doing: str) -> ScaleReadingRow | None:
        """The highlighted reading as it counts now, or None (said why)."""
        self._tell()
        key = highlighted_key(self.query_one(DataTable))
        if key is None:
            self._tell(f"This patient has no scale reading to {doing}.")
            return None
        rid, status = key.split(":")
        if status == "void":
            self._tell(VOID)
            return None
        try:
            return counting(self.store, int(rid))  # as it is now, not as listed
        except SessionlogError as exc:  # corrected or voided (or its follow-up) since
            self._tell(str(exc))
            self.fill()
            return None

    def _changed(self, said: str | None, select: str | None = None) -> None:
        if said:
            outcome_upkeep.records_changed(self.app)
            self.fill(select)
            self._tell(said=said)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_correct()

    def action_correct(self) -> None:
        row = self._highlighted("correct")
        if row is not None:
            from .scale_entry import ScaleEntry

            entry = ScaleEntry(self.patient_id, correcting=row)
            self.app.push_screen(
                entry,
                lambda said: self._changed(said, _key(entry.done) if entry.done else None),
            )

    def action_void(self) -> None:
        row = self._highlighted("void")
        if row is None:
            return
        from .modals import void_asking

        def confirmed(reason: str) -> None:
            app: Any = self.app
            try:
                done = void_reading(self.store, row.id, app.practitioner_id, reason)
            except SessionlogError as exc:  # voided or corrected at another desk since
                self._tell(str(exc))
                self.fill()
                return
            self._changed(done.message, _key(done))

        what = f"scale reading #{row.id} ({reading_words(row)}, {row.at[:16]})"
        void_asking(self.app, what, confirmed, placeholder="e.g. recorded twice")

    def action_close(self) -> None:
        self.dismiss(None)

"""Who is due for a follow-up reading: overdue first, with how to reach them.

The list is the CLI's ``sessionlog due``: :func:`sessionlog.analysis.due.due_list`
over the store's :meth:`last_visits`, by the clinic's windows (``sessionlog due
--set-checks``). Recording a follow-up (or a scale reading)
clears a patient; ``r`` reloads.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...analysis.due import due_list
from ...services.due import clinic_checks
from ..safe import plain
from ..widgets.footer import Footer

COLUMNS = ("Status", "Chart", "Name", "Check", "Due since", "Contact")


class DueScreen(Screen[None]):
    """The due list, read again on every open and on ``r``."""

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="due.close"),
        Binding("r", "reload", "Reload", id="due.reload"),
    ]
    DEFAULT_CSS = """
    DueScreen #due-title { height: 1; padding: 0 1; background: $primary; color: $text;
                           text-style: bold; }
    DueScreen #due-table { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="due-title")
        yield DataTable(id="due-table", zebra_stripes=True, cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.load()

    def load(self) -> None:
        app: Any = self.app
        items = due_list(app.store.last_visits(), app.clock(), clinic_checks(app.store))
        table = self.query_one(DataTable)
        table.clear()
        for d in items:
            table.add_row(
                plain("overdue" if d.overdue else "due", style="bold" if d.overdue else ""),
                plain(d.chart_id), plain(d.name), plain(d.label),
                plain(d.due_at.strftime("%Y-%m-%d %H:%M")), plain(d.contact or ""),
            )  # fmt: skip
        late = sum(d.overdue for d in items)
        title = f"Due for a reading: {len(items)} ({late} overdue)" if items else "Nobody is due"
        self.query_one("#due-title", Static).update(plain(title))

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss()

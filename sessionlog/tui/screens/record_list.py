"""A list of one patient's records of one kind, to correct or void them: the frame the
follow-ups list (:mod:`.follow_ups`) and the scale readings list (:mod:`.scale_readings`)
share. A title, the patient's chart id and name, the table, what the subclass puts
under it, the keys' hint and the footer; opening it leaves an access row."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static

from .. import config
from ..access import record_access
from ..safe import plain
from ..widgets.footer import Footer

_BOUND = re.compile(r"\{([\w.]+)\}")  # a binding's id in a hint

if TYPE_CHECKING:
    from ...store import Store


class RecordList(Screen[None]):
    """Patient ``patient_id``'s records of a kind, one row each, filled by :meth:`fill`."""

    TITLE_TEXT: ClassVar[str] = ""
    TABLE_ID: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    HINT: ClassVar[str] = ""  # "{binding id}": the key the keymap binds it to (bound_key)
    ACCESS: ClassVar[str] = "record"  # what the access log says was opened

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Static(self.TITLE_TEXT, id="topbar")
        yield Static(id="patient-line")
        yield DataTable(id=self.TABLE_ID, cursor_type="row", zebra_stripes=True)
        yield from self.under_table()
        hint = _BOUND.sub(lambda m: config.bound_key(self.app, type(self), m[1]), self.HINT)
        yield Static(hint, classes="hint")
        yield Footer()

    def under_table(self) -> Iterable[Widget]:
        """What shows between the table and the hint (nothing by default)."""
        return ()

    def on_mount(self) -> None:
        patient = self.store.patient(self.patient_id)
        if patient is not None:
            self.query_one("#patient-line", Static).update(
                plain(f" {patient['chart_id']}  {patient['name']}")
            )
        record_access(self.app, self.patient_id, self.ACCESS)
        self.query_one(DataTable).add_columns(*self.COLUMNS)
        self.fill()
        self.query_one(DataTable).focus()

    def fill(self) -> None:
        raise NotImplementedError

"""A session's history: every version, who recorded it, when and why."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ..safe import plain

_COMPARED = (
    "started_at",
    "technique",
    "pain_before",
    "pain_after",
    "pain_during",
    "soreness_after",
    "face_to_face_min",
    "notes",
    "co_interventions",
)


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """What a version changed from the one before, in short words."""
    if before is None:
        return f"{len(after['sites'])} sites"
    if after["status"] == "void":
        return "voided"
    out = [
        f"{k.replace('_', ' ')} {before.get(k)} -> {after.get(k)}"
        for k in _COMPARED
        if before.get(k) != after.get(k)
    ]
    old = [(s["target"], s["side"]) for s in before["sites"]]
    new = [(s["target"], s["side"]) for s in after["sites"]]
    if old != new:
        gone = [f"{t} {s}" for t, s in old if (t, s) not in new]
        came = [f"{t} {s}" for t, s in new if (t, s) not in old]
        out.append(
            "sites"
            + (f" -{', -'.join(gone)}" if gone else "")
            + (f" +{', +'.join(came)}" if came else "")
        )
    elif [s for s in before["sites"]] != [s for s in after["sites"]]:
        out.append("site details")
    return "; ".join(out) or "no change in the fields shown"


class HistoryScreen(ModalScreen[None]):
    """The versions of session ``record_id``, oldest first."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="history.close")]

    def __init__(self, record_id: int) -> None:
        super().__init__()
        self.record_id = record_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(f"History of session #{self.record_id}", classes="title")
            yield DataTable(id="versions", cursor_type="row", zebra_stripes=True)
            yield Static("Escape closes", classes="hint")

    def on_mount(self) -> None:
        store: Any = self.app.store  # type: ignore[attr-defined]
        names = {p["id"]: p["name"] for p in store.practitioners()}
        table = self.query_one(DataTable)
        table.add_columns("Ver", "Status", "Recorded", "By", "Why", "What changed")
        previous = None
        for version in store.session_history(self.record_id):
            table.add_row(
                str(version["version"]),
                version["status"],
                str(version["recorded_at"])[:16],
                plain(names.get(version["recorded_by"], "?")),
                plain(version["amend_reason"] or "(first record)"),
                plain(changes(previous, version)),
            )
            previous = version
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

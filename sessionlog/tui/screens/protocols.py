"""Choosing one of the practitioner's saved protocols (named groups of sites)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..safe import plain
from ..tables import technique_name

if TYPE_CHECKING:
    from ...store import ProtocolRow


class ProtocolPicker(ModalScreen["ProtocolRow | None"]):
    """Dismisses the chosen protocol (as ``Store.protocols`` returns it), or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="protocols.cancel")]

    def __init__(self, protocols: list[ProtocolRow]) -> None:
        super().__init__()
        self.protocols = protocols

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("Apply a protocol: its sites are added to the session", classes="title")
            options = []
            for i, p in enumerate(self.protocols):
                targets = " ".join(str(s.get("target", "")) for s in p["sites"])
                options.append(
                    Option(
                        plain(f"{p['name']}  ({technique_name(p['technique'])}): {targets}"),
                        id=str(i),
                    )
                )
            yield OptionList(*options, id="protocol-list")
            yield Static("Enter applies · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.protocols[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)

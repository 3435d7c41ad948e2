"""Choosing the episode of care a session is filed under (the session form's F5).

A patient treated for two complaints in the same weeks has sessions for each: the
episode the form would take by itself (the one under way on the session's day) is
offered first, then each of the patient's episodes (complaint, region, since when)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from ..safe import plain

AUTOMATIC = 0  # dismissed for "the one under way on the session's day" (no episode id is 0)


class EpisodePicker(ModalScreen[int | None]):
    """Dismisses the id of the episode chosen, :data:`AUTOMATIC`, or None (Escape).

    ``episodes``: (id, the episode in one line); ``automatic``: the first choice's line
    (the episode the session's day gives it), None when there is none to give (a saved
    session keeps its own); ``current``: the choice highlighted first."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="episodes.cancel")]

    def __init__(
        self, episodes: list[tuple[int, str]], automatic: str | None, current: int
    ) -> None:
        super().__init__()
        self.episodes = episodes
        self.automatic = automatic
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static("File this session under an episode of care", classes="title")
            options = []
            if self.automatic is not None:
                line = f"Under way on the session's day: {self.automatic}"
                options.append(Option(plain(line), id=str(AUTOMATIC)))
            options += [Option(plain(text), id=str(eid)) for eid, text in self.episodes]
            yield OptionList(*options, id="episode-list")
            yield Static("Enter chooses · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        listed = self.query_one(OptionList)
        try:
            listed.highlighted = listed.get_option_index(str(self.current))
        except OptionDoesNotExist:
            pass  # (an episode no longer listed: the first stays highlighted)
        listed.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or AUTOMATIC))

    def action_cancel(self) -> None:
        self.dismiss(None)

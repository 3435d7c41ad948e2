"""The eight IMS signs of one segment as toggles: a letter toggles its sign.

One focusable widget, like the technique picker: ``t`` ticks tender motor points,
``c`` coldness (each sign's letter is underlined); left/right move a cursor and space
toggles the sign under it; Enter moves on. The signs flow onto as many lines as the
width needs (one at 120 columns, two at 80).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.widget import Widget

from ...services.entry.stricta import SIGNS

_GAP = 2


class SignToggles(Widget, can_focus=True):
    """Which of the eight signs were found at this segment."""

    BINDINGS = [
        Binding("left", "move(-1)", "Previous sign", show=False),
        Binding("right", "move(1)", "Next sign", show=False),
        Binding("space", "toggle", "Toggle sign", show=False),
        Binding("enter", "app.focus_next", "Next field", show=False),
    ]
    DEFAULT_CSS = """
    SignToggles { height: auto; width: 1fr; }
    SignToggles:focus { background: $boost; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.values: dict[str, bool] = {name: False for name, _, _ in SIGNS}
        self.cursor = 0
        self._item = max(len(label) for _, label, _ in SIGNS) + 4  # "[x] " + label

    @property
    def found(self) -> dict[str, bool]:
        return dict(self.values)

    def set_values(self, values: dict[str, bool]) -> None:
        self.values = {name: bool(values.get(name)) for name, _, _ in SIGNS}
        self.refresh()

    def clear(self) -> None:
        self.set_values({})
        self.cursor = 0

    def _per_line(self, width: int) -> int:
        return max(1, (width + _GAP) // (self._item + _GAP))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        per_line = self._per_line(width)
        return -(-len(SIGNS) // per_line)

    def render(self) -> Text:
        per_line = self._per_line(self.size.width or 80)
        out = Text()
        for i, (name, label, key) in enumerate(SIGNS):
            if i and i % per_line == 0:
                out.append("\n")
            elif i:
                out.append(" " * _GAP)
            on = self.values[name]
            under_cursor = self.has_focus and i == self.cursor
            style = "reverse" if under_cursor else ("bold" if on else "dim")
            at = max(label.lower().find(key), 0)
            out.append("[x] " if on else "[ ] ", style)
            out.append(label[:at], style)
            out.append(label[at], f"{style} underline")
            out.append(label[at + 1 :], style)
            out.append(" " * (self._item - 4 - len(label)))
        return out

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(SIGNS)
        self.refresh()

    def action_toggle(self) -> None:  # type: ignore[override]  # a toggle of its own
        self._flip(self.cursor)

    def _flip(self, index: int) -> None:
        name = SIGNS[index][0]
        self.values[name] = not self.values[name]
        self.cursor = index
        self.refresh()

    def on_key(self, event) -> None:
        keys = [key for _, _, key in SIGNS]
        character = (event.character or "").lower()
        if character in keys:
            event.stop()
            event.prevent_default()
            self._flip(keys.index(character))

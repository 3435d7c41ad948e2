"""One-key choices: the technique picker and the consent toggle.

Both are single focusable lines: a letter picks and moves on, Enter keeps the value
and moves on, so a practitioner confirms each with one key.

A letter that moves focus is a *priority* binding, not an ``on_key`` handler. The App
handles a burst of keys (a fast typist, a macro, ``tmux send-keys``) one after another
without yielding, and forwards each to the widget focused at that moment by posting it
to that widget's queue. Had the widget moved focus in ``on_key``, the keys after the
letter would already have been posted to it, not to the next field, and lost. Priority
bindings run inside the App's own routing of the key, so focus has moved before the
next key is routed.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Select

from ...domain.techniques import TECHNIQUES

# The key that picks each technique; shown underlined in its label.
TECHNIQUE_KEYS = {
    "a": "acupuncture",
    "e": "electroacupuncture",
    "d": "dry_needling",
    "n": "electrical_dry_needling",
    "i": "ims",
}


class TechniquePicker(Widget, can_focus=True):
    """The session's technique: a letter picks one (a, e, d, n, i), left/right cycle;
    y keeps it and records consent."""

    BINDINGS = [
        Binding("left", "cycle(-1)", "Previous technique", show=False),
        Binding("right", "cycle(1)", "Next technique", show=False),
        Binding("enter", "app.focus_next", "Next field", show=False),
        # Priority bindings run while the App routes the key, so focus has moved on
        # before the App routes the next key of a burst (see the module docstring).
        *(
            Binding(key, f"pick({tech!r})", show=False, priority=True)
            for key, tech in TECHNIQUE_KEYS.items()
        ),
        # The technique comes pre-picked and the consent line below says "(y)": y here
        # keeps the technique and records consent, as it would on that line.
        Binding("y,shift+y", "keep_and_consent", show=False, priority=True),
    ]
    # The techniques by their one name (the label), on a second line when the width
    # does not hold them all (80 columns): never a short name of the picker's own.
    DEFAULT_CSS = "TechniquePicker { height: auto; width: 1fr; }"

    # init=False: no Changed for the first value at mount. The form shows a saved or
    # repeated session's technique in its on_mount, and a late "acupuncture" from the
    # mount switched the form to acupuncture and back, resetting the saved settings.
    value: reactive[str] = reactive("acupuncture", init=False)

    class Changed(Message):
        def __init__(self, picker: TechniquePicker, value: str) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

    def _items(self) -> list[Text]:
        items = []
        for tech in TECHNIQUE_KEYS.values():
            label = TECHNIQUES[tech].label
            chosen = tech == self.value
            style = "bold reverse" if chosen else "dim" if not self.has_focus else ""
            # The key's letter underlined: the n of Electrical dry Needling.
            at = label.find("needling") if tech == "electrical_dry_needling" else 0
            item = Text(" ")
            item.append(label[:at], style)
            item.append(label[at], (style + " underline").strip())
            item.append(label[at + 1 :], style)
            item.append(" ")
            items.append(item)
        return items

    def _lines(self, width: int) -> list[list[Text]]:
        lines: list[list[Text]] = [[]]
        for item in self._items():
            if lines[-1] and sum(t.cell_len for t in lines[-1]) + item.cell_len > width:
                lines.append([])
            lines[-1].append(item)
        return lines

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Text:
        out = Text(no_wrap=True)
        for row, items in enumerate(self._lines(self.content_size.width or 10**6)):
            if row:
                out.append("\n")
            for item in items:
                out.append_text(item)
        return out

    def watch_value(self, value: str) -> None:
        self.post_message(self.Changed(self, value))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cycle(self, step: int) -> None:
        keys = list(TECHNIQUES)
        self.value = keys[(keys.index(self.value) + step) % len(keys)]

    def action_pick(self, tech: str) -> None:
        self.value = tech
        self.screen.focus_next()

    def on_key(self, event) -> None:
        # The letters are bindings; any other character would vanish: say why.
        if event.is_printable:
            from .number_input import KeyRefused

            event.stop()
            event.prevent_default()
            keys = ", ".join(f"{k} {TECHNIQUES[t].label}" for k, t in TECHNIQUE_KEYS.items())
            self.post_message(
                KeyRefused(
                    "technique",
                    f"{event.character!r} picks nothing: the technique comes first ({keys};"
                    " y keeps it)",
                )
            )

    def action_keep_and_consent(self) -> None:
        self.screen.focus_next()
        consent = self.screen.focused
        if isinstance(consent, ConsentToggle):
            consent.action_consent()


class ConsentToggle(Widget, can_focus=True):
    """Informed consent: ``y`` records it and moves on, ``n`` clears it, space toggles."""

    BINDINGS = [
        Binding("space", "toggle", "Toggle consent", show=False),
        Binding("enter", "app.focus_next", "Next field", show=False),
        # A priority binding, like the technique letters: see the module docstring.
        Binding("y,shift+y", "consent", show=False, priority=True),
    ]
    DEFAULT_CSS = "ConsentToggle { height: 1; width: auto; min-width: 30; }"

    value: reactive[bool] = reactive(False, init=False)  # Changed only for a real change

    class Changed(Message):
        def __init__(self, toggle: ConsentToggle, value: bool) -> None:
            super().__init__()
            self.toggle = toggle
            self.value = value

    def render(self) -> Text:
        if self.value:
            return Text.assemble(("[x] ", "bold"), "consent obtained")
        return Text.assemble(("[ ] ", "bold"), "consent obtained ", ("(y)", "dim"))

    def watch_value(self, value: bool) -> None:
        self.post_message(self.Changed(self, value))

    def action_toggle(self) -> None:  # type: ignore[override]  # a toggle of its own
        self.value = not self.value

    def action_consent(self) -> None:
        self.value = True
        self.screen.focus_next()

    def on_key(self, event) -> None:
        # ``n`` stays put, so it needs no priority binding.
        if event.character in ("n", "N"):
            event.stop()
            event.prevent_default()
            self.value = False
        elif event.is_printable and event.character != " ":
            from .number_input import KeyRefused

            event.stop()
            event.prevent_default()
            # Said as the line above reads: recorded ([x]) or not yet ([ ] ... (y)).
            how = "consent is recorded (n clears it)" if self.value else "y records consent first"
            self.post_message(
                KeyRefused("consent", f"{event.character!r} does nothing here: {how}")
            )


class NextSelect(Select):
    """A Select that moves on to the next field once its list closes (Enter picks)."""

    def watch_expanded(self, expanded: bool) -> None:
        if not expanded:
            self.call_after_refresh(self._move_on)  # focus returns to us first

    def _move_on(self) -> None:
        if self.has_focus:
            self.screen.focus_next()

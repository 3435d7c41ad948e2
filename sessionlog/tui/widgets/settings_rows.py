"""The session form's settings: retention, stimulation, De Qi, and the needle and depth,
every site's unless the site's shorthand gives its own (``20mm``, ``0.30x50``).

The screen shows a technique's settings with :meth:`SettingsRows.show` and
:meth:`SettingsRows.show_technique` (which fields apply, retention's unit), reads them
back with :attr:`SettingsRows.value`, and hears of each edit by
:class:`SettingsRows.Changed`. Problems with them go on ``#err-settings``; a setting
changed that some sites do not take (they keep their own) is said on
``#settings-reach`` (:meth:`SettingsRows.show_reach`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from ...services.entry.form_model import Settings, family
from ...services.entry.technique_settings import retention_unit
from ..safe import plain
from .error_line import ErrorLine
from .field_input import FieldInput

SETTINGS = (
    # Widths that show what is typed at 80 columns ("2/100", "no", "manual_even").
    ("retention", "Retention", 5),
    ("stimulation", "stim", 14),
    ("estim_hz", "Hz", 8),
    ("deqi", "De Qi", 4),
    ("deqi_quality", "quality", 12),
)
# The needle and the depth, on a second line of the settings: every site's unless the
# site's shorthand gives its own (``20mm``, ``0.30x50``).
SIZES = (
    ("needle", "Needle", 16, "e.g. 0.25x30"),
    ("depth", "Depth", 17, "e.g. 15mm, 1cun"),
)
SIZES_HINT = "all sites; per site: 20mm"
NAMES = tuple(name for name, *_ in SETTINGS + SIZES)


def takes(name: str, technique: str) -> bool:
    """Whether ``technique`` takes the setting ``name`` (Hz: an electrical technique;
    De Qi: the acupuncture family; the others: every technique)."""
    if name == "estim_hz":
        return "electr" in technique
    if name in ("deqi", "deqi_quality"):
        return family(technique) == "acupuncture"
    return True


class SettingsRows(Vertical):
    """Two rows of settings inputs (``#s-NAME``) and their error line.

    A setting only some techniques take (:func:`takes`) is built when one of them is
    first chosen: each label and input costs the form's opening a restyle and a layout.
    The value of a setting not built yet is held as shown (:meth:`show`), as its hidden
    input held it."""

    DEFAULT_CSS = "SettingsRows { height: auto; }"

    class Changed(Message):
        """A setting was typed (read :attr:`SettingsRows.value`)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = Settings()  # as shown last: a change from it says whom it reaches
        self.technique = "acupuncture"
        self.inputs: dict[str, Input] = {}  # the settings built, by name
        self.held: dict[str, str] = {}  # the value of each setting not built

    def _field(self, name: str, label: str, width: int, placeholder: str = "") -> list[Widget]:
        """The label and input of setting ``name`` (its value: the one held)."""
        field = FieldInput(
            self.held.pop(name, ""),
            id=f"s-{name}",
            classes=f"setting s-{name}",
            compact=True,
            placeholder=placeholder,
        )
        field.styles.width = width
        self.inputs[name] = field
        return [Label(label, classes=f"small-label s-{name}", id=f"l-{name}"), field]

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row", id="settings-row"):
            for name, label, width in SETTINGS:
                if takes(name, self.technique):
                    yield from self._field(name, label, width)
                if name == "retention":
                    yield Label("min", id="retention-unit", classes="unit")
        with Horizontal(classes="row", id="sizes-row"):
            for name, label, width, example in SIZES:
                yield from self._field(name, label, width, example)
            yield Static(SIZES_HINT, classes="hint")
        yield ErrorLine("settings")
        yield Static(id="settings-reach", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#settings-reach", Static).display = False

    @property
    def value(self) -> Settings:
        """The settings as typed."""
        typed = {name: field.value for name, field in self.inputs.items()}
        return Settings(**{name: typed.get(name, self.held.get(name, "")) for name in NAMES})

    def show(self, settings: Settings) -> None:
        self.opened = Settings(**vars(settings))
        for name in NAMES:
            if name in self.inputs:
                self.inputs[name].value = getattr(settings, name)
            else:
                self.held[name] = getattr(settings, name)

    def show_reach(self, text: str) -> None:
        """Which sites a changed setting reaches and which keep their own (blank: all)."""
        line = self.query_one("#settings-reach", Static)
        if not text and not line.display:
            return  # nothing said, nothing to say: no layout at each key of a setting
        was = line.display and str(line.render())
        line.update(plain(text))
        line.display = bool(text)
        if text and text != was:  # under the fold at 80x24: brought into view
            line.call_after_refresh(line.scroll_visible, animate=False)

    def show_technique(self, technique: str) -> None:
        """Only the settings that apply to ``technique``; retention in its unit. A
        setting first taken is built in its place; one no longer taken is hidden, as it
        was before any was built on demand (its input keeps its value)."""
        self.technique = technique
        self.query_one("#retention-unit", Label).update(retention_unit(technique))
        after: Widget = self.inputs["stimulation"]
        for name, label, width in SETTINGS[2:]:
            shown = takes(name, technique)
            if name not in self.inputs:
                if not shown:
                    continue
                built = self._field(name, label, width)
                self.query_one("#settings-row", Horizontal).mount(*built, after=after)
            field = self.inputs[name]
            if field.display != shown:
                for widget in (field, self.query_one(f"#l-{name}")):
                    widget.display = shown
            after = field

    def on_input_changed(self, event: Input.Changed) -> None:
        # Not stopped: the screen also hears each key (a refused key's line goes).
        self.post_message(self.Changed())

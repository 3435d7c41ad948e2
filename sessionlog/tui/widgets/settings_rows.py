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
from textual.widgets import Input, Label, Static

from ...services.entry.form_model import Settings, family
from ...services.entry.technique_settings import retention_unit
from ..safe import plain
from .error_line import ErrorLine

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


class SettingsRows(Vertical):
    """Two rows of settings inputs (``#s-NAME``) and their error line."""

    DEFAULT_CSS = "SettingsRows { height: auto; }"

    class Changed(Message):
        """A setting was typed (read :attr:`SettingsRows.value`)."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row", id="settings-row"):
            for name, label, _width in SETTINGS:
                yield Label(label, classes=f"small-label s-{name}", id=f"l-{name}")
                yield Input(id=f"s-{name}", classes=f"setting s-{name}", compact=True)
                if name == "retention":
                    yield Label("min", id="retention-unit", classes="unit")
        with Horizontal(classes="row", id="sizes-row"):
            for name, label, _width, example in SIZES:
                yield Label(label, classes="small-label", id=f"l-{name}")
                yield Input(id=f"s-{name}", classes="setting", compact=True, placeholder=example)
            yield Static(SIZES_HINT, classes="hint")
        yield ErrorLine("settings")
        yield Static(id="settings-reach", classes="hint")

    def __init__(self) -> None:
        super().__init__()
        self.opened = Settings()  # as shown last: a change from it says whom it reaches

    def on_mount(self) -> None:
        self.query_one("#settings-reach", Static).display = False
        for name, _label, width, *_ in SETTINGS + SIZES:
            self.query_one(f"#s-{name}", Input).styles.width = width

    @property
    def value(self) -> Settings:
        """The settings as typed."""
        return Settings(**{name: self.query_one(f"#s-{name}", Input).value for name in NAMES})

    def show(self, settings: Settings) -> None:
        self.opened = Settings(**vars(settings))
        for name in NAMES:
            self.query_one(f"#s-{name}", Input).value = getattr(settings, name)

    def show_reach(self, text: str) -> None:
        """Which sites a changed setting reaches and which keep their own (blank: all)."""
        line = self.query_one("#settings-reach", Static)
        was = line.display and str(line.render())
        line.update(plain(text))
        line.display = bool(text)
        if text and text != was:  # under the fold at 80x24: brought into view
            line.call_after_refresh(line.scroll_visible, animate=False)

    def show_technique(self, technique: str) -> None:
        """Only the settings that apply to ``technique``; retention in its unit."""
        fam = family(technique)
        self.query_one("#retention-unit", Label).update(retention_unit(technique))
        for name, shown in (
            ("estim_hz", "electr" in technique),
            ("deqi", fam == "acupuncture"),
            ("deqi_quality", fam == "acupuncture"),
        ):
            for widget in self.query(f".s-{name}"):
                widget.display = shown

    def on_input_changed(self, event: Input.Changed) -> None:
        # Not stopped: the screen also hears each key (a refused key's line goes).
        self.post_message(self.Changed())

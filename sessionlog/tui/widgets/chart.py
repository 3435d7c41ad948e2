"""A plotext chart whose colour codes are read into Rich text the quick way.

textual-plotext's widget turns plotext's output into Rich text with ``Text.from_ansi``,
which works out each colour code's style anew: a 400-session patient's progress chart
(118x15, about 250 codes, a dozen different ones) took 4.3 ms of the 14 ms it costs to
draw. :func:`ansi_text` makes the same Text, each style change worked out once per
(style, code) for the life of the app. ``tests/tui/test_chart_text.py`` holds it equal
to ``Text.from_ansi`` on every chart the screens draw.
"""

from __future__ import annotations

import re

from rich.ansi import AnsiDecoder
from rich.console import Console, ConsoleOptions
from rich.console import RenderResult as Lines
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from ...charts.common import build
from ...charts.progress import fold_key
from ..safe import plain

_STEPS: dict[tuple[Style, str], Style] = {}  # (style, SGR code) -> the style after it
_MAX_STEPS = 4096
_SGR = re.compile(r"\x1b\[([0-9;]*)m")  # a colour code (Select Graphic Rendition)


class _Decoder(AnsiDecoder):
    """Rich's decoder, each (style, SGR code) step remembered; other codes (links, a
    carriage return: plotext writes none) are left to Rich's decoder."""

    def decode_line(self, line: str) -> Text:
        parts = _SGR.split(line)  # text, code, text, code, ..., text
        if "\r" in line or any("\x1b" in part for part in parts[::2]):
            return super().decode_line(line)
        text = Text()
        append = text.append
        style = self.style
        for i, part in enumerate(parts):
            if i % 2 == 0:
                if part:
                    append(part, style or None)
                continue
            key = (style, part)
            after = _STEPS.get(key)
            if after is None:
                self.style = style
                super().decode_line(f"\x1b[{part}m")  # moves self.style on
                if len(_STEPS) >= _MAX_STEPS:
                    _STEPS.clear()
                after = _STEPS[key] = self.style
            style = after
        self.style = style
        return text


def ansi_text(ansi: str) -> Text:
    """``Text.from_ansi(ansi)``, quicker on output that repeats its colour codes."""
    return Text("\n").join(_Decoder().decode(ansi))


class Chart(PlotextPlot):
    """textual-plotext's plot widget, its output read by :func:`ansi_text`."""

    def render(self) -> RenderResult:
        # PlotextPlot.render, but for the last line (see its comments on the size)
        self._plot.plotsize(self.size.width, self.size.height)
        self._plot._set_size(self.size.width, self.size.height)
        self._plot.theme(self._get_plotext_theme_name(self.app.theme))
        return ansi_text(build(self._plot))  # its tags placed at this size (a line's number)


class ChartKey:
    """A chart's key (lines of entries: :func:`.charts.progress.key_entries`) drawn at
    the width it is given, broken only between two entries (:func:`fold_key`): as one
    string wrapped by words, a complaint's name was split over two lines (review20 #4)."""

    def __init__(self, lines: list[list[str]]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Lines:
        for line in fold_key(self.lines, options.max_width):
            yield plain(line)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((len(e) for line in self.lines for e in line), default=0)
        return Measurement(min(widest, options.max_width), options.max_width)

"""A chart's colour codes read into Rich text the quick way (issue 17: ``Text.from_ansi``
took 4.3 ms of the 14 ms a 400-session patient's progress chart costs to draw): the
same Text as ``Text.from_ansi``, style for style, on the charts the screens draw and on
codes plotext never writes (which Rich's own decoder then reads); and the chart widget
draws what textual-plotext's draws."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
import tui_scenarios as ts
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual_plotext import PlotextPlot

from sessionlog.analysis import FollowUp, SessionOutcome, patient_progress
from sessionlog.analysis.progress import Progress
from sessionlog.charts import draw_progress
from sessionlog.charts.common import render
from sessionlog.domain.techniques import TECHNIQUES
from sessionlog.tui.screens.compare import CompareScreen
from sessionlog.tui.screens.progress import ProgressScreen
from sessionlog.tui.widgets.chart import Chart, ansi_text


def _progress(sessions: int) -> Progress:
    """A patient seen weekly with every technique, a follow-up two days after each."""
    t0 = datetime(2025, 1, 6, 10)
    kinds = list(TECHNIQUES)
    rows = [
        SessionOutcome(
            i + 1, 1, 1, t0 + timedelta(days=7 * i), kinds[i % len(kinds)], 7 - i % 4, 3 + i % 3
        )
        for i in range(sessions)
    ]
    follow = [
        FollowUp(s.record_id, s.started_at + timedelta(days=2), 4, 1, i + 1)
        for i, s in enumerate(rows)
    ]
    return patient_progress(1, rows, follow)


def _chart(sessions: int, width: int, height: int) -> str:
    p = _progress(sessions)
    return render(lambda plt: draw_progress(plt, p), width, height, color=True)


ODD = [
    "",
    "plain\n",
    "\x1b[1;31mbold red\x1b[0m then \x1b[38;5;208mindexed\x1b[48;5;17m on blue\x1b[0m",
    "\x1b[32mgreen carried\nto the next line\x1b[0m\n\x1b[4;;1mempty code\x1b[m reset",
    "\x1b]8;id=1;https://example.org\x1b\\a link\x1b]8;;\x1b\\ after",
    "\x1b[2Jcleared \x1b[38:2:1:2:3mcolon form\x1b[0m",
    "overwritten\rby this \x1b[7mreversed\x1b[27m",
    "\x1b[38;2;300;0;0mclamped\x1b[0m \x1b[38;2;1mshort\x1b[0m",
]


@pytest.mark.parametrize("ansi", ODD)
def test_odd_codes_read_as_rich_reads_them(ansi: str) -> None:
    assert ansi_text(ansi) == Text.from_ansi(ansi)
    assert ansi_text(ansi) == Text.from_ansi(ansi)  # again, from what it remembered


@pytest.mark.parametrize(
    ("sessions", "width", "height"), [(3, 60, 12), (40, 118, 15), (400, 78, 10)]
)
def test_a_progress_chart_reads_as_rich_reads_it(sessions: int, width: int, height: int) -> None:
    ansi = _chart(sessions, width, height)
    assert ansi.count("\x1b[") > 50
    ours, rich = ansi_text(ansi), Text.from_ansi(ansi)
    assert ours == rich and ours.spans == rich.spans and ours.plain == rich.plain


class Plots(App[None]):
    def compose(self) -> ComposeResult:
        yield PlotextPlot(id="stock")
        yield Chart(id="ours")


def _strips(plot: PlotextPlot) -> list[list[Segment]]:
    return [list(strip) for strip in plot.render_lines(Region(0, 0, *plot.size))]


def test_the_chart_draws_what_textual_plotext_draws() -> None:
    p = _progress(60)

    async def run() -> None:
        app = Plots()
        async with app.run_test(size=(100, 40)) as pilot:
            stock, ours = app.query_one("#stock", PlotextPlot), app.query_one("#ours", Chart)
            for plot in (stock, ours):
                draw_progress(plot.plt, p)
                plot.refresh()
            await pilot.pause()
            assert stock.size == ours.size and stock.size.height > 10
            drawn: Any = _strips(ours)
            assert drawn == _strips(stock)
            assert sum(len(line) for line in drawn) > 100  # coloured: many segments

    asyncio.run(run())


def test_progress_and_compare_draw_their_charts_the_quick_way() -> None:
    async def steps(pilot: Any, app: Any) -> None:
        for screen in (ProgressScreen(1), CompareScreen()):
            await app.push_screen(screen)
            await pilot.pause()
            plots = list(app.screen.query(PlotextPlot))
            assert plots and all(type(plot) is Chart for plot in plots)
            app.pop_screen()
            await pilot.pause()

    ts.run_app(ts.make_app(), steps, size=(120, 40))

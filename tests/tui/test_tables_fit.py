"""No table column is cut, at 80x24, 100x30 or 120x40 (issue 14): every DataTable on each
screen fits its width, so every figure can be read without scrolling sideways. Checked on
the widgets (each table's columns against the width it has), not by eye on pictures."""

from __future__ import annotations

import pytest
import tui_scenarios as ts
from rich.cells import cell_len
from textual.widgets import DataTable

from sessionlog.demo import build_demo
from sessionlog.store import Store

SIZES = ((80, 24), (100, 30), (120, 40))
TABS = ("relief", "curves", "responders", "complete", "soreness", "details")


def cut_tables(app, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The shown tables whose columns are wider than the table, or that reach past the
    screen's right edge, each with its column widths."""
    cut = []
    screen = app.screen
    for table in screen.query(DataTable):
        if not table.display or not table.region.width:
            continue  # on a tab not shown
        columns = [c.get_render_width(table) for c in table.columns.values()]
        if (
            table.virtual_size.width > table.scrollable_content_region.width
            or table.region.right > screen.region.right
        ):
            cut.append(f"{where} #{table.id}: {columns} in {table.scrollable_content_region}")
        # ... and no cell wider than its column (drawn at an earlier, narrower width).
        for index, column in enumerate(table.columns.values()):
            cells = [table.get_row_at(r)[index] for r in range(table.row_count)]
            widest = max((cell_len(line) for c in cells for line in str(c).split("\n")), default=0)
            if widest > column.get_render_width(table) - 2 * table.cell_padding:
                cut.append(f"{where} #{table.id} {column.label}: {widest} cells in {column.width}")
    return cut


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo clinic, built once: every technique, follow-ups, adverse events."""
    path = str(tmp_path_factory.mktemp("fit") / "demo.db")
    store = Store.open(path, clock=ts.clock)
    build_demo(store, patients=12, months=4, today=ts.NOW.date())
    store.close()
    return path


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_table_is_cut_on_home_progress_or_compare(demo_path: str, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.animation_level = "none"
        cut: list[str] = []
        await pilot.press(*"P0001")  # an electro-acupuncture patient: long names, many sites
        await pilot.pause()
        cut += cut_tables(app, "home")
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        cut += cut_tables(app, "progress")
        await pilot.press("escape", "enter", "a", "y", "4", "enter", *"st36 b", "enter")
        await pilot.press("enter", "2", "ctrl+s")  # saved: Home's lists filled anew
        cut += cut_tables(app, "home after a save")
        await pilot.press("f7")
        for by in ("family", "technique"):  # each technique: the longest names
            await app.workers.wait_for_complete()
            await pilot.pause()
            for tab in TABS:
                app.screen.query_one("#cmp-tabs").active = f"tab-{tab}"
                await pilot.pause()
                cut += cut_tables(app, f"compare {by} {tab}")
            await pilot.press("ctrl+g")
        assert cut == []

    store = Store.open(demo_path, clock=ts.clock)
    # With toasts drawn: the one after a save takes rows from Home's lists as they fill.
    ts.run_app(ts.make_app(store), steps, size, notifications=True)
    store.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_column_of_the_sites_table_is_cut(store, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1003", "enter", "d", "y", "6", "enter")
        for site in ("upper trap r 3 25mm 0.30x50", "infraspinatus r 2 30mm 0.30x60", "lev r 1"):
            await pilot.press(*ts.typed(site), "enter")
        await pilot.pause()
        assert cut_tables(app, "form") == []
        table = app.screen.query_one("#sites", DataTable)
        cells = " ".join(str(c) for r in range(table.row_count) for c in table.get_row_at(r))
        words = cells.split()
        for figure in ("25mm", "0.3x50", "30mm", "0.3x60", "trapezius", "scapulae"):
            assert figure in words  # each figure whole (a line of its own at most)

    ts.run_app(ts.make_app(store), steps, size)


def test_home_says_how_many_sites_when_their_names_do_not_fit() -> None:
    from sessionlog.tui.screens.home_lists import sites_summary

    names = "upper trapezius infraspinatus rhomboid major"  # three muscles, five words
    assert sites_summary(names, 3, 60) == names
    assert sites_summary(names, 3, 20) == "3 sites"
    assert sites_summary("ST36", 1, 2) == "1 site"

"""Each complaint's number on the pain chart, beside its line's start, and the key under
the chart that names each number, wrapped only between its entries (review20 #4)."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from sessionlog.analysis import SessionOutcome, patient_progress
from sessionlog.charts import common, progress_chart
from sessionlog.charts.progress import LABEL_ROW, progress_key

NAMES = ("Tension-type headache", "Neck pain", "Knee pain", "Shoulder pain", "Low back pain")


def begun_days_apart(count: int) -> Any:
    """A headache treated weekly for 200 days, then ``count - 1`` complaints begun two
    or three days apart (review20 #4: four complaints; its numbers read "2 3  4" at the
    right edge, away from the lines' starts), each with two sessions five days apart."""
    t0 = datetime(2026, 3, 1, 10)
    sessions = [
        SessionOutcome(i + 1, 1, 1, t0 + timedelta(days=7 * i), "ims", 6 - i // 6, 4, episode_id=1)
        for i in range(29)
    ]
    starts, pains = (200, 202, 205, 207), (7, 5, 8, 6)
    for e in range(count - 1):
        for k in range(2):
            at = t0 + timedelta(days=starts[e] + 5 * k, hours=e)
            sessions.append(
                SessionOutcome(
                    100 + 10 * e + k, 1, 1, at, "dry_needling", pains[e] - k, 2, episode_id=e + 2
                )
            )
    sessions.sort(key=lambda s: s.started_at)
    return patient_progress(1, sessions, [], complaints=dict(enumerate(NAMES[:count], start=1)))


def canvas(text: str) -> list[str]:
    """The chart's plot area: the rows inside its frame, without the frame."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left, right = lines[top].index("┌"), lines[top].index("┐")
    return [line[left + 1 : right] for line in lines[top + 1 : bottom]]


def numbers(area: list[str]) -> dict[int, list[tuple[int, int, int]]]:
    """Each number on the plot area: where (row, first column, last column) its tag is.
    Lines begun at one cell share a tag (review21 #4): ``2-6`` holds 2 to 6, ``2,3``
    holds 2 and 3."""
    found: dict[int, list[tuple[int, int, int]]] = {}
    for row, line in enumerate(area):
        for m in re.finditer(r"\d+(?:[-,]\d+)*", line):
            held: list[int] = []
            for part in m.group().split(","):
                first, _, last = part.partition("-")
                held += range(int(first), int(last or first) + 1)
            for n in held:
                found.setdefault(n, []).append((row, m.start(), m.end() - 1))
    return found


def starts(progress: Any, area: list[str]) -> list[tuple[int, int]]:
    """Each line's first reading's cell (row from the top, column), as plotext places a
    point: ``floor(0.5 + (cells - 1) * (value - low) / (high - low))``."""
    rows, cols = len(area), len(area[0])
    t0, span = progress.timeline[0].at, (progress.timeline[-1].at - progress.timeline[0].at)
    out = []
    for episode in progress.episodes:
        first = episode.timeline[0]
        col = math.floor(0.5 + (cols - 1) * (first.at - t0) / span)
        row = math.floor(0.5 + (rows - 1) * first.pain / LABEL_ROW)
        out.append((rows - 1 - row, col))
    return out


SIZES = [(w, h) for w in (40, 60, 80, 100, 118, 160, 200) for h in (12, 16, 24)]


@pytest.mark.parametrize("count", [4, 5])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_each_number_is_beside_its_line_s_start(count: int, width: int, height: int) -> None:
    progress = begun_days_apart(count)
    area = canvas(progress_chart(progress, width=width, height=height))
    found = numbers(area)
    assert sorted(found) == list(range(1, count + 1))  # each once: none clipped or run on
    for n, (row, col) in enumerate(starts(progress, area), start=1):
        [(r, first, last)] = found[n]
        # On the nearest blank cells to its first reading's: touching it, or a cell or
        # two from it where other lines' readings take the cells between (3 below 80
        # columns; 5 on a 40x12 chart, whose plot is 3 rows high); never pushed far.
        near = 2 if width >= 80 else 3 if (width, height) != (40, 12) else 5
        assert abs(r - row) <= near and first - near <= col <= last + near, (n, r, first, row, col)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_numbers_take_only_blank_cells(monkeypatch: Any, width: int, height: int) -> None:
    # The chart drawn with and without its numbers: the cells that differ were blank,
    # and no two numbers touch (never "23" for lines 2 and 3).
    progress = begun_days_apart(5)
    drawn = canvas(progress_chart(progress, width=width, height=height))
    monkeypatch.setattr(common, "place_tags", lambda *_: None)
    bare = canvas(progress_chart(progress, width=width, height=height))
    changed = [
        (r, c) for r, (a, b) in enumerate(zip(drawn, bare, strict=True))
        for c in range(len(a)) if a[c] != b[c]
    ]  # fmt: skip
    assert sorted(numbers(drawn)) == [1, 2, 3, 4, 5]
    assert {bare[r][c] for r, c in changed} == {" "}


ENTRIES = [f"{i} {name}" for i, name in enumerate(NAMES, start=1)]


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 200])
def test_the_key_wraps_between_its_entries_only(width: int) -> None:
    # review20 #4: at 100 columns the key broke "Shoulder" from "pain".
    key = progress_key(begun_days_apart(5), width=width).splitlines()
    assert all(len(line) <= width for line in key)
    entries = [entry for line in key for entry in line.split("   ")]
    assert entries == [*ENTRIES, "o before session", "D after dry needling", "I after IMS"]


def test_the_key_keeps_as_many_entries_on_a_line_as_fit() -> None:
    key = progress_key(begun_days_apart(5), width=60).splitlines()
    assert key == [
        "1 Tension-type headache   2 Neck pain   3 Knee pain",
        "4 Shoulder pain   5 Low back pain",
        "o before session   D after dry needling   I after IMS",
    ]
    assert progress_chart(begun_days_apart(5), width=60, height=24).splitlines()[-3:] == key
    assert progress_key(begun_days_apart(5)).splitlines()[0] == "   ".join(ENTRIES)  # unwrapped


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_lines_begun_at_one_cell_share_one_tag_beside_it(width: int, height: int) -> None:
    # review21 #4: five complaints begun a day apart at one pain, after a long
    # headache: their numbers, written one by one, were pushed rows away from the lines'
    # starts, onto the pain-10 row. Begun at one cell, they share one tag there: "2-6".
    t0 = datetime(2026, 3, 1, 10)
    sessions = [
        SessionOutcome(i + 1, 1, 1, t0 + timedelta(days=7 * i), "ims", 6 - i // 6, 4, episode_id=1)
        for i in range(29)
    ]
    for e in range(5):
        for k in range(2):
            at = t0 + timedelta(days=200 + e + 5 * k, hours=e)
            sessions.append(
                SessionOutcome(100 + 10 * e + k, 1, 1, at, "dry_needling", 5, 2, episode_id=e + 2)
            )
    sessions.sort(key=lambda s: s.started_at)
    names = ("Headache", "Neck pain", "Knee pain", "Shoulder pain", "Low back pain", "Hip pain")
    progress = patient_progress(1, sessions, [], complaints=dict(enumerate(names, start=1)))
    area = canvas(progress_chart(progress, width=width, height=height))
    found = numbers(area)
    assert sorted(found) == [1, 2, 3, 4, 5, 6]
    for n, (row, col) in enumerate(starts(progress, area), start=1):
        [(r, first, last)] = found[n]
        assert abs(r - row) <= 1 and first - 2 <= col <= last + 2, (n, r, first, last, row, col)

"""Time windows after a session: edges, gaps, and windows typed by the user."""

from __future__ import annotations

import pytest

from sessionlog.analysis.windows import DEFAULT_WINDOWS, parse_windows, window_index
from sessionlog.errors import ValidationError


@pytest.mark.parametrize(
    ("hours", "index"),
    [
        (0, 0),  # the end-of-session score: immediate
        (0.5, 1),
        (72, 1),  # up to 72 h includes 72 h
        (72.01, 2),
        (168, 2),  # a week later
        (191.9, 2),  # a week later at a later hour still counts as one week
        (192.1, 3),  # day 8: 1 to 4 weeks (no gap between the windows)
        (312, 3),  # day 13
        (696, 3),
        (696.5, 4),
        (1000, 4),  # day 41, a 6-week follow-up: 4 to 12 weeks
        (1992, 4),
        (1992.1, 5),
        (10_000, 5),
        (-1, None),  # before the session
    ],
)
def test_default_windows(hours: float, index: int | None) -> None:
    assert window_index(hours, DEFAULT_WINDOWS) == index


def test_parse_windows_gives_the_defaults_back() -> None:
    parsed = parse_windows("72h, 72h-8d, 8d-29d, 29d-83d, 83d-")
    assert [(w.after_h, w.until_h) for w in parsed] == [
        (w.after_h, w.until_h) for w in DEFAULT_WINDOWS
    ]
    assert [w.key for w in parsed] == ["immediate", "72h", "72h-8d", "8d-29d", "29d-83d", "83d+"]
    assert [w.label for w in parsed][1:] == [
        "up to 72h",
        "72h to 8d",
        "8d to 29d",
        "29d to 83d",
        "83d and later",
    ]


def test_default_windows_leave_no_gap() -> None:
    for a, b in zip(DEFAULT_WINDOWS, DEFAULT_WINDOWS[1:], strict=False):
        assert a.until_h == b.after_h
    assert DEFAULT_WINDOWS[-1].until_h is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("72x", "'72x' is not a duration"),
        ("0-5d, 3d-8d", "overlap"),
        ("8d-3d", "ends before it starts"),
        (" , ", "at least one window"),
        ("1w-, 2w-", "overlap"),
    ],
)
def test_bad_windows_are_refused(spec: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_windows(spec)
    assert err.value.field == "windows"
    assert message in err.value.message

"""Each window's label comes with its real edges: the defaults are padded by a day
(visits drift by hours), so "1 to 4 weeks" runs from over 8 days to 29 days, and the
README, ``compare --help`` and the compare screen say so."""

from __future__ import annotations

import re
from pathlib import Path

from helpers_cli import run

from sessionlog.analysis.windows import DEFAULT_WINDOWS, edges_legend, parse_windows, window_edges

README = Path(__file__).parent.parent / "README.md"


def test_the_default_windows_state_their_edges() -> None:
    assert [window_edges(w) for w in DEFAULT_WINDOWS] == [
        "at the session's end",
        "over 0 h, up to 72 h",
        "over 72 h, up to 8 days (192 h)",
        "over 8 days, up to 29 days",
        "over 29 days, up to 83 days",
        "over 83 days",
    ]
    assert edges_legend(DEFAULT_WINDOWS) == (
        "Windows by time since the session: immediately after = at the session's end;"
        " up to 72 h = over 0 h, up to 72 h; 72 h to 1 week = over 72 h, up to 8 days (192 h);"
        " 1 to 4 weeks = over 8 days, up to 29 days; 4 to 12 weeks = over 29 days, up to"
        " 83 days; 12 weeks and later = over 83 days."
    )


def test_given_windows_state_theirs() -> None:
    spans = parse_windows("72h, 72h-8d, 13d-29d, 83d-")
    assert [window_edges(w) for w in spans][2:] == [
        "over 72 h, up to 8 days (192 h)",
        "over 13 days, up to 29 days",
        "over 83 days",
    ]


def test_compare_help_and_readme_say_the_edges(tmp_path: Path) -> None:
    out = run(tmp_path / "x.db", "compare --help").output
    flat = " ".join(out.split())
    assert edges_legend(DEFAULT_WINDOWS) in flat
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert edges_legend(DEFAULT_WINDOWS) in readme
    assert not re.search(r"1 to 4 weeks \(a two-week follow-up\)", readme)

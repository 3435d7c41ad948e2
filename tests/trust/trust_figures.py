"""Figures the trust tests produce (examples tried, trials run, saves checked), shown
in pytest's terminal summary so they appear in CI's output, not only with ``-s``."""

from __future__ import annotations

FIGURES: list[str] = []


def report(line: str) -> None:
    """Record one figure (and print it, for ``pytest -s``)."""
    FIGURES.append(line)
    print(f"\n{line}")

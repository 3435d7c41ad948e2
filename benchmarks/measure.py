"""Timing helpers and the result table: every figure beside its same-run baseline.

A :class:`Row` is one line of the table. Figures that could not be measured (a module
not written yet) are rows too, saying so, so the table always has every line and
never shows a number that was not measured in this run.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

UNAVAILABLE = "not available yet"


@dataclass(frozen=True)
class Row:
    """One line: the figure, what it measured, its baseline, the ratio and the target."""

    figure: str
    measured: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""

    @property
    def has_figures(self) -> bool:
        return not self.measured.startswith(UNAVAILABLE)


def unavailable(figure: str, why: str, target: str = "") -> Row:
    """The row for a figure whose code is not there yet: ``why`` names what is missing."""
    return Row(figure, f"{UNAVAILABLE} ({why})", "", "", target, "-")


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def ms(seconds: float) -> str:
    """Seconds as milliseconds with sensible precision."""
    value = seconds * 1000
    return (
        f"{value:.3f} ms" if value < 1 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    )


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def mb(nbytes: float) -> str:
    return f"{nbytes / 2**20:.1f} MB"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base > 0 else "-"


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (garbage collection held off during it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        began = time.perf_counter()
        fn()
        return time.perf_counter() - began
    finally:
        if enabled:
            gc.enable()


def paired(
    fn: Callable[[], object], base: Callable[[], object], repeat: int, warmup: int = 3
) -> tuple[list[float], list[float]]:
    """Time ``fn`` and ``base`` alternately ``repeat`` times each, after a warm-up.

    Alternating keeps both exposed to the same drift of a shared machine.
    """
    for _ in range(warmup):
        fn()
        base()
    a, b = [], []
    for _ in range(repeat):
        a.append(timed(fn))
        b.append(timed(base))
    return a, b


def format_table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table (Markdown-compatible)."""
    head = ("figure", "measured", "baseline (same run)", "ratio", "target", "met?")
    cells = [head] + [(r.figure, r.measured, r.baseline, r.ratio, r.target, r.met) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), rule, *(line(c) for c in cells[1:])])

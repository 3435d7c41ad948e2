"""The stand-ins for plotext's inner functions (charts/plotext_speed.py) give what
plotext's own give, on random input and on whole charts; and the chart's thinning is
the one it was."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest
from test_progress_long_history import long_history

from sessionlog.analysis import patient_progress
from sessionlog.charts import draw_progress, plotext_speed
from sessionlog.charts.common import render, thin

pytestmark = pytest.mark.skipif(
    not plotext_speed.install(), reason=f"plotext is not {plotext_speed.VERIFIED}"
)
COLORS: list[Any] = ["default", "red", "gray", 123, (10, 20, 30), "orange"]


def matrix(rng: random.Random) -> Any:
    """A random plotext matrix: size, canvas area, colours, markers."""
    from plotext._matrix import matrix_class

    m = matrix_class()
    cols, rows = rng.randint(0, 30), rng.randint(0, 12)
    m.set_size(cols, rows)
    m.set_canvas_area(
        rng.randint(0, 5), rng.randint(0, cols), rng.randint(0, 3), rng.randint(0, rows)
    )
    m.set_canvas_color(rng.choice(COLORS))
    m.set_axes_color(rng.choice(COLORS))
    m.set_matrices()
    for _ in range(rng.randint(0, 60)):
        if cols and rows:
            m.insert_element(rng.randrange(cols), rng.randrange(rows), rng.choice("o*A⠁ |"),
                             rng.choice(COLORS), rng.choice(["default", "bold"]),
                             rng.choice([None, *COLORS]))  # fmt: skip
    return m


@pytest.fixture
def originals() -> Iterator[dict[str, Any]]:
    yield plotext_speed.ORIGINAL


def test_set_matrices_and_set_canvas_equal_plotexts(originals: dict[str, Any]) -> None:
    rng = random.Random(1)
    for _ in range(120):
        m = matrix(rng)
        theirs = copy.deepcopy(m)
        originals["set_matrices"](theirs)
        plotext_speed.set_matrices(m)
        for name in ("marker", "fullground", "background", "style"):
            assert getattr(m, name) == getattr(theirs, name), name
        m = matrix(rng)
        assert plotext_speed.set_canvas(copy.deepcopy(m)) == originals["set_canvas"](m)


def test_get_matrix_data_equals_plotexts(originals: dict[str, Any]) -> None:
    rng = random.Random(2)
    for _ in range(500):
        lo = rng.choice([0, -1.5, rng.uniform(-100, 100)])
        hi = lo + rng.choice([1, 10, 0.3, rng.uniform(0.001, 1000)])
        bins = rng.randint(1, 300)
        data = [rng.choice([lo, hi, rng.uniform(lo, hi), rng.randint(-5, 5), (lo + hi) / 2])
                for _ in range(rng.randint(0, 40))]  # fmt: skip
        # values on a cell's very edge, where plotext's rounding (half up) decides
        data += [lo + (hi - lo) * k / (2 * max(bins - 1, 1)) for k in range(5)]
        assert plotext_speed.get_matrix_data(data, [lo, hi], bins) == originals["get_matrix_data"](
            data, [lo, hi], bins
        )
    odd = [1.0, None, float("nan"), "2026-01-01", True]
    assert plotext_speed.get_matrix_data(odd[:3], [0, 2], 10) == originals["get_matrix_data"](
        odd[:3], [0, 2], 10
    )


def test_get_lines_equals_plotexts(originals: dict[str, Any]) -> None:
    rng = random.Random(3)
    for _ in range(120):
        n = rng.randint(0, 12)
        x = [rng.randint(-5, 60) for _ in range(n)]
        y = [rng.choice([rng.randint(0, 40), 0, 40]) for _ in range(n)]
        other = ([rng.choice("⠁o") for _ in range(n)], [rng.choice(COLORS) for _ in range(n)],
                 [rng.choice(["default", "bold"]) for _ in range(n)])  # fmt: skip
        assert plotext_speed.get_lines(x, y, *other) == originals["get_lines"](x, y, *other)
    mixed = ([1, 5.5, 9], [2, 3, 4], ["o"] * 3)  # not whole cells: plotext's own
    assert plotext_speed.get_lines(*mixed) == originals["get_lines"](*mixed)
    uneven = ([1, 5, 9], [2, 3, 4], ["o"] * 3, ["red"] * 2)  # plotext's zip cuts the colours
    assert plotext_speed.get_lines(*uneven) == originals["get_lines"](*uneven)
    assert plotext_speed.get_lines([], [], [], [], []) == originals["get_lines"]([], [], [], [], [])


def test_insert_element_equals_plotexts(originals: dict[str, Any]) -> None:
    rng = random.Random(6)
    for _ in range(60):
        ours = matrix(rng)
        theirs = copy.deepcopy(ours)
        for _ in range(40):
            args = (rng.randint(-3, 33), rng.randint(-2, 14), rng.choice("o*⠁"),
                    rng.choice([None, *COLORS]), rng.choice([None, "bold"]),
                    rng.choice([None, *COLORS]), rng.choice([False, True]))  # fmt: skip
            plotext_speed.insert_element(ours, *args)
            originals["insert_element"](theirs, *args)
        for name in ("marker", "fullground", "background", "style"):
            assert getattr(ours, name) == getattr(theirs, name), name


def test_plain_numbers_are_told_from_the_rest() -> None:
    plain = plotext_speed._plain
    assert plain([]) and plain([1, 2.5, -3]) and plain([10**300, 1.0])
    for odd in ([1, True], [1.0, None], [float("nan")], [2, float("-inf")], ["1"]):
        assert not plain(odd), odd
    assert not plain([10**400])  # beyond a float: plotext's own function answers
    assert not plain([1e308, 1e308])  # finite, but their sum is not: plotext's own too


def test_join_get_lim_and_hd_group_equal_plotexts(originals: dict[str, Any]) -> None:
    rng = random.Random(5)
    for _ in range(300):
        flat = [
            rng.choice([rng.randint(-9, 9), rng.uniform(-50, 50)]) for _ in range(rng.randint(0, 9))
        ]
        nested = [flat, [], [rng.randint(0, 3), [1.5, [2]]], rng.choice([7, [8.0]]), *flat[:2]]
        joined: list[Any]
        for joined in (flat, nested, [flat, flat[::-1]], [[], []]):
            assert plotext_speed.join(joined) == originals["join"](joined)
        same = [rng.choice([0, 0.0, -3, 2.5])] * rng.randint(1, 4)
        limits: list[Any]
        for limits in (flat, same, []):
            assert plotext_speed.get_lim(limits) == originals["get_lim"](limits)
        n = rng.randint(1, 40)
        fx, fy = rng.choice([(2, 4), (2, 3), (1, 1), (2, 2)])
        x = [rng.randint(-3, 60) for _ in range(n)]
        y = [rng.randint(-3, 40) for _ in range(n)]
        xf, yf = [fx] * n, [fy] * n
        assert plotext_speed.hd_group(x, y, xf, yf) == originals["hd_group"](x, y, xf, yf)
    odd = [1.0, None, float("nan"), 4]
    assert plotext_speed.get_lim(odd) == originals["get_lim"](odd)
    assert plotext_speed.hd_group([1.0, 3], [2, 5], [2, 2], [4, 4]) == originals["hd_group"](
        [1.0, 3], [2, 5], [2, 2], [4, 4]
    )


def old_thin(xs: list[float], ys: list[float], limit: int) -> tuple[list[float], list[float]]:
    """``charts.common.thin`` before (bucket by bucket)."""
    if len(xs) <= limit:
        return list(xs), list(ys)
    size = -(-len(xs) // limit)
    out_x, out_y = [], []
    for i in range(0, len(xs), size):
        bx, by = xs[i : i + size], ys[i : i + size]
        out_x.append(sum(bx) / len(bx))
        out_y.append(sum(by) / len(by))
    return out_x, out_y


def test_thin_equals_the_old_thinning() -> None:
    rng = random.Random(4)
    for _ in range(60):
        n = rng.randint(0, 1500)
        xs = [rng.uniform(0, 3000) for _ in range(n)]
        ys = [float(rng.randint(0, 10)) for _ in range(n)]
        limit = rng.choice([1, 7, 240, 1000])
        assert thin(xs, ys, limit) == old_thin(xs, ys, limit)


@pytest.mark.parametrize("size", [(118, 20), (58, 12), (200, 40)])
def test_a_long_historys_chart_is_the_one_plotext_draws(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch, originals: dict[str, Any]
) -> None:
    import plotext._utility as ut
    from plotext._matrix import matrix_class

    p = patient_progress(7, *long_history(1))
    for color in (True, False):
        ours = render(lambda plt: draw_progress(plt, p), *size, color=color)
        with monkeypatch.context() as m:
            for name, original in originals.items():  # every stand-in back to plotext's own
                m.setattr(matrix_class if hasattr(matrix_class, name) else ut, name, original)
            assert render(lambda plt: draw_progress(plt, p), *size, color=color) == ours

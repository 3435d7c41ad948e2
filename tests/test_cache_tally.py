"""The outcome cache's tally (store/outcomes/tally.py): its two lane widths and its
patients with several techniques of one family give the SQL's counts."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from test_analysis_cache import random_clinic

from sessionlog.analysis import Filters
from sessionlog.store import Store
from sessionlog.store.outcomes import cache as outcome_cache
from sessionlog.store.outcomes import queries as outcomes
from sessionlog.store.outcomes import tally


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("tally") / "clinic.db"
    store = Store.open(path, clock=lambda: datetime(2026, 6, 1))
    random_clinic(store, random.Random(5), patients=4)
    yield store
    store.close()


def _groups(store: Store) -> dict[tuple[str, str, int], list[float]]:
    rows = store.conn.execute("SELECT * FROM outcome_group").fetchall()
    return {tuple(r[:3]): list(r[3:]) for r in rows}


def test_a_patient_with_two_techniques_of_a_family_is_counted_once_there(store: Store) -> None:
    outcome_cache.rebuild(store)
    several = store.conn.execute(
        "SELECT count(*) FROM (SELECT patient_id FROM outcome_session"
        " GROUP BY patient_id, family HAVING count(DISTINCT technique) > 1)"
    ).fetchone()[0]
    assert several > 0  # the clinic has such patients
    assert outcomes.group_counts(store, Filters()) == outcomes.reference_counts(store, Filters())


def test_wide_lanes_give_what_narrow_lanes_give(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome_cache.rebuild(store)
    narrow = _groups(store)
    monkeypatch.setattr(tally, "_NARROW", tally._WIDE)  # every slot in 64-bit lanes
    outcome_cache.rebuild(store)
    wide = _groups(store)
    assert narrow.keys() == wide.keys()
    for key, row in narrow.items():
        assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(row, wide[key], strict=True))


def test_the_rows_read_back_move_the_progress_before_the_tally_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sessionlog.store.outcomes import counts, points

    store = Store.open(":memory:", clock=lambda: datetime(2026, 6, 1))
    random_clinic(store, random.Random(11), patients=4)
    steps: list[int] = []
    before_tally: list[int] = []

    def tallied(
        rows: list[tuple[object, ...]],
        specs: Sequence[counts.Slot],
        progress: Callable[[int], None],
    ) -> tally.Tally:
        before_tally.append(sum(steps))
        return tally.tally(rows, specs, progress)

    monkeypatch.setattr(counts, "tally", tallied)
    outcome_cache.rebuild(store, progress=steps.append)
    # The old rows out, the new rows' steps, them in, then each part of them read back.
    assert before_tally == [2 + points.STEPS + counts.FETCH_STEPS]
    assert sum(steps) == outcome_cache.STEPS
    store.close()

"""Fixtures shared by the whole suite: a fresh database file with a fixed clock.

Kept small and generic on purpose: areas with their own needs add fixtures in their
subfolder's conftest.py. The ids are fixed because the database is always fresh:
practitioner 1 treats; patients 1 (chart C001) and 2 (chart C002).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers_domain import fixed_clock

from sessionlog.domain import Patient, Practitioner
from sessionlog.store import Store


def pytest_configure(config: pytest.Config) -> None:
    """New database files get the migrated schema in one step (see helpers_schema.py)."""
    import helpers_schema

    helpers_schema.install()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collect the garbage less often in a test process. Each Pilot test builds and drops
    a whole app (tens of thousands of objects), so with Python's thresholds the collector
    ran ~3,400 times over two TUI test files and took 3.5-4.7 s of their 15 s of CPU,
    most of it walking the modules and catalogue loaded before the first test. Those are
    frozen (never walked again) and young collections come after 50,000 new objects
    rather than 700: 232 collections, 1.2-1.6 s. Memory per worker stays under 150 MB.
    The app's own collector settings (``SessionlogApp.run``) are not touched."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (each takes 5-30 s of a worker) run first, so that the
    workers end together rather than one finishing a long test alone; tests marked
    ``browser`` run last: CI installs Chromium while the others run (see ``.ci/run`` and
    ``tests/scales/test_take_home.py``)."""

    def order(item: pytest.Item) -> int:
        if item.get_closest_marker("browser"):
            return 2
        return 0 if item.get_closest_marker("slow") else 1

    items.sort(key=order)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the cores. Many tests wait on subprocesses, the
    disk or the app's next frame, so a worker per core leaves the cores idle then: on 2
    cores the suite took 348 s with 2 workers, 253 s with 3 and 253 s with 4 (1,100
    tests, a fresh clone, nothing else running; before the Pilot tests stopped sleeping
    between keys)."""
    import os

    return len(os.sched_getaffinity(0)) + 1


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database file lives (not created until something opens it)."""
    return tmp_path / "sessionlog.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh file database at ``db_path`` with one practitioner and two patients."""
    s = Store.open(db_path, clock=fixed_clock)
    s.add_practitioner(Practitioner("Ann Lee", "physiotherapist", "PT"))
    s.add_patient(Patient("C001", "Bo Kim", 1980, "female"))
    s.add_patient(Patient("C002", "Cy Doe", 1975, "male"))
    yield s
    s.close()


@pytest.fixture
def practitioner_id(store: Store) -> int:
    return int(store.practitioners()[0]["id"])


@pytest.fixture
def patient_id(store: Store) -> int:
    return int(store.patient_by_chart("C001")["id"])  # type: ignore[index]


@pytest.fixture
def other_patient_id(store: Store) -> int:
    return int(store.patient_by_chart("C002")["id"])  # type: ignore[index]


def count_rows(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in every table of the database (to show a refused write changed nothing)."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}


@pytest.fixture
def table_counts() -> Callable[[sqlite3.Connection | Path], dict[str, int]]:
    """``table_counts(conn_or_path)``: rows per table, for before/after comparisons."""

    def counts(target: sqlite3.Connection | Path) -> dict[str, int]:
        if isinstance(target, sqlite3.Connection):
            return count_rows(target)
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            return count_rows(conn)
        finally:
            conn.close()

    return counts

"""A full build of the outcome cache in two parts at once (a second process computes half
the patients' rows, :mod:`sessionlog.store.outcomes.parallel`) writes exactly the rows
and counts one connection writes; the refresh of a few patients afterwards keeps
working; without the second process one connection does it all; a failing build
stops the second process and leaves nothing half-written."""

from __future__ import annotations

import os
import pickle
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from test_analysis_cache import assert_points_match, disturb, random_clinic

from sessionlog.errors import DatabaseError
from sessionlog.store import Store
from sessionlog.store.integrity.triggers import (
    CACHE_PREFIX,
    applied_migrations,
    expected_triggers,
    plain,
)
from sessionlog.store.outcomes import cache as outcome_cache
from sessionlog.store.outcomes import counts as outcome_counts
from sessionlog.store.outcomes import edits, tally
from sessionlog.store.outcomes import parallel as outcome_parallel
from sessionlog.store.outcomes import points as outcome_points

CLOCK = datetime(2026, 6, 1)


def _exact(store: Store) -> dict[str, list[tuple]]:
    """Every cache row as stored (no rounding: the same computation, the same bits)."""
    return {
        t: sorted(store.conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
        for t in outcome_cache.CACHE_TABLES
    }


def _build(store: Store, monkeypatch: pytest.MonkeyPatch, *, parts: bool) -> None:
    monkeypatch.setattr(outcome_parallel, "MIN_SESSIONS", 0 if parts else 10**9)
    monkeypatch.setattr(outcome_parallel, "spare_core", lambda: True)  # whatever the load
    outcome_cache.rebuild(store)


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "clinic.db", clock=lambda: CLOCK)
    random_clinic(store, random.Random(7), patients=9)
    yield store
    store.close()


def test_two_parts_write_what_one_connection_writes(
    clinic: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(clinic, monkeypatch, parts=False)
    one = _exact(clinic)
    first = outcome_parallel.cut(clinic.conn)
    patients = {row[0] >= first for row in clinic.conn.execute("SELECT patient_id FROM session")}
    assert patients == {False, True}  # both parts have patients
    _build(clinic, monkeypatch, parts=True)
    assert _exact(clinic) == one
    assert_points_match(clinic)  # and the pure path's points
    names = [row[1] for row in clinic.conn.execute("PRAGMA database_list")]
    assert outcome_parallel.PART_SCHEMA not in names  # detached after the build


@pytest.mark.parametrize("parts", [False, True])
def test_a_whole_build_leaves_the_cache_s_triggers_as_the_migrations_make_them(
    clinic: Store, monkeypatch: pytest.MonkeyPatch, parts: bool
) -> None:
    """A whole build writes without the cache's triggers and puts them back, their very
    text, before it commits: afterwards nothing is noted, and a write by hand is."""
    conn = clinic.conn
    sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'outcome%'"
    before = dict(conn.execute(sql).fetchall())
    expected = expected_triggers(frozenset(applied_migrations(conn)))
    assert {n: plain(s) for n, s in before.items()} == {
        n: s for n, s in expected.items() if n.startswith(CACHE_PREFIX)
    }
    assert len(before) == 3 * len((*outcome_cache.CACHE_TABLES, "outcome_meta"))
    _build(clinic, monkeypatch, parts=parts)
    assert dict(conn.execute(sql).fetchall()) == before
    assert edits.edited(conn) == []
    assert outcome_cache.is_current(conn)
    conn.execute("UPDATE outcome_total SET n = n")  # (a write that changes nothing)
    assert edits.edited(conn) == ["outcome_total"]


def test_the_parts_are_ranges_of_patients_cut_at_the_share_of_sessions(
    clinic: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second part starts at the patient holding the session at SHARE of them in
    patient order; the two ranges hold every patient id, each once."""
    conn = clinic.conn
    ids = sorted(row[0] for row in conn.execute("SELECT patient_id FROM session"))
    first = outcome_parallel.cut(conn)
    assert first == ids[int(len(ids) * outcome_parallel.SHARE)]
    mine, theirs = outcome_parallel.parts(first)
    assert mine == (outcome_parallel.LOWEST, first - 1)
    assert theirs == (first, outcome_parallel.HIGHEST)
    for part, expected in (
        (mine, [i for i in ids if i < first]),
        (theirs, [i for i in ids if i >= first]),
    ):
        where = outcome_points.part_sql(part)
        got = conn.execute(f"SELECT patient_id FROM session WHERE {where} ORDER BY 1").fetchall()
        assert [row[0] for row in got] == expected and expected
    monkeypatch.setattr(outcome_parallel, "SHARE", 1.0)  # past the last session: none
    assert outcome_parallel.cut(conn) == outcome_parallel.HIGHEST


def test_a_refresh_after_a_build_in_parts_equals_a_rebuild(
    clinic: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(clinic, monkeypatch, parts=True)
    rng = random.Random(8)
    random_clinic(clinic, rng, patients=2, start=1)
    assert outcome_cache.refresh(clinic) == 2  # two of eleven: step by step, one connection
    disturb(clinic, rng)
    outcome_cache.refresh(clinic)
    assert_points_match(clinic)
    _build(clinic, monkeypatch, parts=False)
    rebuilt = _exact(clinic)
    _build(clinic, monkeypatch, parts=True)
    assert _exact(clinic) == rebuilt


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes] | None]:
    """Record the second processes started."""
    started: list[subprocess.Popen[bytes] | None] = []
    real = outcome_parallel._start

    def start(path: str, first: int) -> subprocess.Popen[bytes] | None:
        started.append(real(path, first))
        return started[-1]

    monkeypatch.setattr(outcome_parallel, "_start", start)
    return started


def _spy_frames(monkeypatch: pytest.MonkeyPatch) -> list[bytes | None]:
    """Record what the write connection reads of the second process's outputs."""
    frames: list[bytes | None] = []
    real = outcome_parallel._frame

    def frame(process: subprocess.Popen[bytes] | None) -> bytes | None:
        frames.append(real(process))
        return frames[-1]

    monkeypatch.setattr(outcome_parallel, "_frame", frame)
    return frames


def test_the_second_process_computes_half_and_is_waited_for(
    clinic: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _spy(monkeypatch)
    frames = _spy_frames(monkeypatch)
    _build(clinic, monkeypatch, parts=True)
    [other] = started
    assert other is not None and other.returncode == 0
    rows, early, rest = frames  # its rows, its days and doses, then its other counts
    assert rows and early and rest
    days, doses = pickle.loads(early)
    assert days and doses
    counted = pickle.loads(rest)
    assert counted.slots and counted.totals and not counted.doses and not counted.days


@pytest.mark.parametrize(
    "command", [["/nonexistent/python"], [sys.executable, "-c", "import sys; sys.exit(3)"]]
)
def test_without_the_second_process_one_connection_computes_everything(
    clinic: Store, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    _build(clinic, monkeypatch, parts=False)
    one = _exact(clinic)
    started = _spy(monkeypatch)
    monkeypatch.setattr(outcome_parallel, "command", lambda path, first: command)
    _build(clinic, monkeypatch, parts=True)  # cannot start, or fails: the same rows
    assert _exact(clinic) == one
    assert all(p is None or p.returncode == 3 for p in started) and len(started) == 1


# The second process, failing once it sent its rows ("rows") or its days and doses too
# ("early"): the last of argv.
_FAILS_LATE = """
import sys
from sessionlog.store.outcomes import parallel
real = parallel.tally_part
def tally_part(rows, specs, progress, ready=None):
    def early(part):
        if sys.argv[3] == "early":
            ready(part)
        raise RuntimeError("failed")
    return real(rows, specs, progress, early)
parallel.tally_part = tally_part
parallel.main()
"""


@pytest.mark.parametrize("sent", ["rows", "early"])
def test_a_second_process_failing_after_sending_some_leaves_the_rest_to_this_one(
    clinic: Store, monkeypatch: pytest.MonkeyPatch, sent: str
) -> None:
    """What it sent is kept (its rows, its days and doses), the rest computed from them
    here: the same cache, nothing written twice."""
    _build(clinic, monkeypatch, parts=False)
    one = _exact(clinic)
    started = _spy(monkeypatch)
    frames = _spy_frames(monkeypatch)
    monkeypatch.setattr(
        outcome_parallel,
        "command",
        lambda path, first: [sys.executable, "-c", _FAILS_LATE, path, str(first), sent],
    )
    _build(clinic, monkeypatch, parts=True)
    assert _exact(clinic) == one
    [other] = started
    assert other is not None and other.returncode == 1
    assert [f is not None for f in frames] == (
        [True, False] if sent == "rows" else [True] * 2 + [False]
    )


def test_a_failing_build_stops_the_second_process_and_writes_nothing(
    clinic: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(clinic, monkeypatch, parts=False)
    before = _exact(clinic)
    started = _spy(monkeypatch)
    real_compute = outcome_points.compute

    def compute(conn: sqlite3.Connection, *args: object, **kw: object) -> str:
        part = kw.get("part")
        if isinstance(part, tuple) and part[0] == outcome_parallel.LOWEST:  # the first part
            raise sqlite3.OperationalError("database is locked")
        return real_compute(conn, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(outcome_points, "compute", compute)
    monkeypatch.setattr(outcome_parallel, "MIN_SESSIONS", 0)
    monkeypatch.setattr(outcome_parallel, "spare_core", lambda: True)
    with clinic.write() as conn:  # as rebuild does: the next use builds everything
        conn.execute("DELETE FROM outcome_meta")
    with pytest.raises(DatabaseError) as caught:
        outcome_cache.refresh(clinic)
    assert str(caught.value) == (
        "the database is busy (another sessionlog is saving or restoring): nothing was saved;"
        " wait a moment and try again"
    )
    [other] = started
    assert other is not None and other.returncode is not None  # stopped and waited for
    assert _exact(clinic) == before  # nothing half-written
    assert clinic.conn.execute("SELECT count(*) FROM outcome_meta").fetchone()[0] == 0
    assert not clinic.conn.in_transaction
    names = [row[1] for row in clinic.conn.execute("PRAGMA database_list")]
    assert outcome_parallel.PART_SCHEMA not in names
    monkeypatch.setattr(outcome_points, "compute", real_compute)
    outcome_cache.refresh(clinic)  # and the next build works
    assert _exact(clinic) == before


@pytest.mark.parametrize("seed", [12, 13])
def test_counts_of_two_sets_of_patients_add_up_to_the_counts_of_all(seed: int) -> None:
    """Every way of cutting the patients in two (the relief's scale differs between the
    sets when their pains before differ) gives, merged, the very counts of everyone."""
    store = Store.open(":memory:", clock=lambda: CLOCK)
    random_clinic(store, random.Random(seed), patients=16)
    outcome_cache.refresh(store)
    specs = outcome_counts.slot_specs(outcome_cache.CACHED_WINDOWS)

    def part(where: str) -> tally.Part:
        rows = store.conn.execute(tally.read_sql(specs, "outcome_session", where)).fetchall()
        return tally.tally_part(rows, specs, lambda n: None)

    everyone = tally.tally(
        store.conn.execute(tally.read_sql(specs, "outcome_session", "true")).fetchall(),
        specs,
        lambda n: None,
    )
    pains = "(SELECT patient_id FROM session GROUP BY patient_id HAVING max(pain_before) > 8)"
    for cut in ("patient_id % 2 = 0", "patient_id % 3 = 1", f"patient_id IN {pains}"):
        merged = tally.finish(tally.merge(part(cut), part(f"NOT ({cut})")))
        assert merged.totals == everyone.totals and merged.days == everyone.days, cut
        assert merged.groups == everyone.groups, cut  # the same floats, in the same order
        assert sorted(merged.doses) == sorted(everyone.doses), cut
    store.close()


@pytest.mark.parametrize(
    ("cores", "load", "running", "spare"),
    [
        (2, 1.0, 2, True),
        (2, 1.5, 2, True),
        (2, 2.0, 2, False),
        (2, 3.5, 3, False),
        (1, 0.0, 1, False),
        # The average lags behind a busy minute: only this process runs now.
        (2, 2.0, 1, True),
        (4, 4.0, 3, True),
        (4, 4.0, 4, False),
        (2, 2.0, None, False),  # no count of running tasks: the average decides
    ],
)
def test_the_second_process_needs_a_spare_core(
    monkeypatch: pytest.MonkeyPatch, cores: int, load: float, running: int | None, spare: bool
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(outcome_parallel, "_running_now", lambda: running)
    assert outcome_parallel.spare_core() is spare
    assert outcome_parallel.usable("clinic.db", 10**6, outcome_cache.CACHED_WINDOWS) is spare


@pytest.mark.parametrize(
    ("text", "running"),
    [("2.51 1.80 1.60 3/212 4711\n", 3), ("0.00 0.00 0.00 1/98 12\n", 1), ("0.5 0.4\n", None)],
)
def test_the_tasks_running_now_are_read_from_the_kernels_count(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, running: int | None
) -> None:
    loadavg = tmp_path / "loadavg"
    loadavg.write_text(text, encoding="ascii")
    monkeypatch.setattr(outcome_parallel, "_LOADAVG", str(loadavg))
    monkeypatch.setattr(outcome_parallel, "SAMPLE_GAP", 0)
    assert outcome_parallel._running_now() == running
    monkeypatch.setattr(outcome_parallel, "_LOADAVG", str(tmp_path / "none"))  # not Linux
    assert outcome_parallel._running_now() is None

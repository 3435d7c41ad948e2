"""After a save, the patients who changed get their outcome figures recomputed on a
worker thread (tui/outcome_upkeep.py): their progress is read from the cache again.
A whole build is never started so; a database in memory is left alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import tui_scenarios as ts

from sessionlog.services.reports import keep_outcomes_current
from sessionlog.store import Store
from sessionlog.store.outcomes import cache as outcome_cache
from sessionlog.store.outcomes.patient import cached_patient_outcomes

TOM = 2  # Tom Baker, whose first session new_acupuncture_8 saves


def _saved_session(store: Store, scenario: ts.Scenario) -> None:
    asyncio.run(ts.play(scenario, store))


def _scenario(name: str) -> ts.Scenario:
    return next(s for s in ts.SCENARIOS if s.run.__name__ == name)


def _cache_rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
        for table in outcome_cache.CACHE_TABLES
    }


def _file_store(tmp_path: Path) -> Store:
    return ts.seeded_store(str(tmp_path / "clinic.db"))


def test_a_saved_session_s_patient_is_recomputed_off_the_ui_thread(tmp_path: Path) -> None:
    store = _file_store(tmp_path)
    outcome_cache.refresh(store)  # the clinic's figures, as a comparison leaves them
    assert cached_patient_outcomes(store, TOM) is not None
    _saved_session(store, _scenario("new_acupuncture_8"))
    # The app waited for its worker before the scenario ended: the cache is current and
    # holds Tom's new session, so his progress is read from it.
    assert outcome_cache.is_current(store.conn)
    assert store.conn.execute(
        "SELECT pain_before FROM outcome_session WHERE patient_id = ?", (TOM,)
    ).fetchall() == [(7,)]
    cached = cached_patient_outcomes(store, TOM)
    assert cached is not None and [s.pain_before for s in cached.sessions] == [7]
    # The very rows and counts a whole rebuild makes.
    kept = _cache_rows(store)
    outcome_cache.rebuild(store)
    assert _cache_rows(store) == kept
    store.close()


def test_a_follow_up_s_patient_is_recomputed_too(tmp_path: Path) -> None:
    store = _file_store(tmp_path)
    outcome_cache.refresh(store)
    _saved_session(store, _scenario("follow_up"))
    assert outcome_cache.is_current(store.conn)
    kept = _cache_rows(store)
    outcome_cache.rebuild(store)
    assert _cache_rows(store) == kept
    store.close()


def test_no_whole_build_starts_after_a_save(tmp_path: Path) -> None:
    store = _file_store(tmp_path)  # never compared: no cache yet
    _saved_session(store, _scenario("new_acupuncture_8"))
    assert store.conn.execute("SELECT count(*) FROM outcome_meta").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM outcome_session").fetchone()[0] == 0
    assert keep_outcomes_current(store) == 0  # what the worker did: nothing
    assert not outcome_cache.is_current(store.conn)
    store.close()


def test_a_database_in_memory_is_left_alone() -> None:
    store = ts.seeded_store()
    outcome_cache.refresh(store)
    _saved_session(store, _scenario("new_acupuncture_8"))
    assert not outcome_cache.is_current(store.conn)  # the comparison refreshes it
    store.close()

"""The loss pairs of the outcome cache (``outcome_loss_pair``, schema 0026: per family and
technique, the sums over patients of the products of their counts of each two loss
values) are counted by the tally from the rows it reads anyway
(:mod:`sessionlog.store.outcomes.tally`), not by two grouped self-joins over
``outcome_session``: the very numbers the SQL (:func:`.counts.loss_pairs_sql`, still what
a filtered comparison uses) gives, on awkward records (ties in time, follow-ups after a
later session, amended and voided rows, a patient with one session, several techniques
of one family), built at once, step by step, and in two parts."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from datetime import datetime

import pytest
from test_analysis_cache import _awkward_clinic, _awkward_clinic_step_by_step, random_clinic

from sessionlog.store import Store
from sessionlog.store.outcomes import cache as outcome_cache
from sessionlog.store.outcomes import counts as outcome_counts
from sessionlog.store.outcomes import tally

CLOCK = datetime(2026, 6, 1)
SPECS = outcome_counts.slot_specs(outcome_cache.CACHED_WINDOWS)
Pairs = Counter[tuple[str, str, int, int]]


def _sql_pairs(conn: sqlite3.Connection, where: str = "true") -> Pairs:
    """What the two grouped queries give over ``outcome_session``'s rows."""
    out: Pairs = Counter()
    for grouping in ("family", "technique"):
        sql = outcome_counts.loss_pairs_sql("outcome_session", where, grouping)
        for key, a, b, n in conn.execute(sql):
            out[(grouping, key, a, b)] += n
    return out


def _stored(conn: sqlite3.Connection) -> Pairs:
    return Counter(
        {(g, k, a, b): n for g, k, a, b, n in conn.execute("SELECT * FROM outcome_loss_pair")}
    )


def _rows(conn: sqlite3.Connection, where: str = "true") -> list[tuple[object, ...]]:
    return conn.execute(tally.read_sql(SPECS, "outcome_session", where)).fetchall()


def _clinic(kind: str) -> Store:
    store = Store.open(":memory:", clock=lambda: CLOCK)
    if kind == "awkward":
        _awkward_clinic(store)
    else:
        random_clinic(store, random.Random(int(kind)), patients=12)
    outcome_cache.refresh(store)
    return store


@pytest.mark.parametrize("kind", ["awkward", "21", "22", "23"])
def test_the_tally_counts_the_loss_pairs_the_sql_counts(kind: str) -> None:
    store = _clinic(kind)
    want = _sql_pairs(store.conn)
    assert want  # the clinic has sessions whose relief was lost or kept
    assert tally.tally(_rows(store.conn), SPECS, lambda n: None).losses == want
    assert _stored(store.conn) == want
    store.close()


def test_several_techniques_of_a_family_make_one_patient_there() -> None:
    store = _clinic("24")
    several = store.conn.execute(
        "SELECT count(*) FROM (SELECT patient_id FROM outcome_session WHERE s31 IS NOT NULL"
        " GROUP BY patient_id, family HAVING count(DISTINCT technique) > 1)"
    ).fetchone()[0]
    assert several > 0
    assert tally.tally(_rows(store.conn), SPECS, lambda n: None).losses == _sql_pairs(store.conn)
    store.close()


@pytest.mark.parametrize("seed", [25, 26])
def test_the_pairs_of_two_sets_of_patients_add_up_to_everyones(seed: int) -> None:
    store = _clinic(str(seed))
    for cut in ("patient_id % 2 = 0", "patient_id % 3 = 1"):
        parts = [tally.tally_part(_rows(store.conn, w), SPECS, lambda n: None)
                 for w in (cut, f"NOT ({cut})")]  # fmt: skip
        assert parts[0].losses == _sql_pairs(store.conn, cut)
        assert tally.finish(tally.merge(*parts)).losses == _sql_pairs(store.conn), cut
    store.close()


def test_a_refresh_counts_pairs_out_and_in_as_a_rebuild_does() -> None:
    store = Store.open(":memory:", clock=lambda: CLOCK)
    outcome_cache.refresh(store)
    _awkward_clinic_step_by_step(store)  # a refresh after every change
    random_clinic(store, random.Random(27), patients=3)
    outcome_cache.refresh(store)
    kept = _stored(store.conn)
    assert kept == _sql_pairs(store.conn)
    outcome_cache.rebuild(store)
    assert _stored(store.conn) == kept
    store.close()


def test_a_build_runs_no_grouped_query_for_the_pairs() -> None:
    store = Store.open(":memory:", clock=lambda: CLOCK)
    random_clinic(store, random.Random(28), patients=4)
    ran: list[str] = []
    store.conn.set_trace_callback(ran.append)
    outcome_cache.rebuild(store)
    store.conn.set_trace_callback(None)
    assert [s for s in ran if "loss_count" in s] == []
    assert _stored(store.conn) == _sql_pairs(store.conn)
    store.close()

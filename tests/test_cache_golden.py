"""The outcome cache rebuilt (schema 0016: a row per session) gives exactly the figures the
previous cache (a row per session per slot) gave: every ``compare --json`` and
``compare`` output of two small clinics, whole and filtered, against a file written by
the previous code (``tests/data/cache_golden.json``). And the cache kept up to date after
each kind of change (save, amend, void, follow-up, import) equals one rebuilt from
nothing, and the records.

To write the file again (only when a change of the figures is intended), run from the
repository root: ``python tests/test_cache_golden.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers_cli import ENV, ok  # noqa: E402
from helpers_outcomes import follow_up, patient, session, session_data  # noqa: E402
from helpers_store import sql_rows
from test_analysis_cache import random_clinic  # noqa: E402
from test_demo import make_demo  # noqa: E402

from sessionlog.analysis import Filters  # noqa: E402
from sessionlog.analysis.jsonable import to_jsonable  # noqa: E402
from sessionlog.cli.identify import SECRET_ENV  # noqa: E402
from sessionlog.domain import parse_follow_up, parse_session  # noqa: E402
from sessionlog.services import reports as outcome_reports  # noqa: E402
from sessionlog.store import Store  # noqa: E402
from sessionlog.store.outcomes import cache as outcome_cache  # noqa: E402
from sessionlog.store.outcomes import queries as outcomes  # noqa: E402

GOLDEN = Path(__file__).parent / "data" / "cache_golden.json"
COMMANDS = (
    "compare --json",
    "compare --json --by technique",
    "compare --json --technique dry_needling",
    "compare --json --technique electroacupuncture --by technique",
    "compare --json --practitioner 2",
    "compare --json --practitioner 1 --by technique",
    "compare --json --region neck",
    "compare --json --complaint back",
    "compare --json --since 2026-02-01",
    "compare --json --until 2026-08-15 --technique ims",
    "compare --no-color --width 100",
    "compare --no-color --width 100 --region low_back",
)


def _random(path: Path) -> None:
    store = Store.open(path, clock=lambda: datetime(2026, 6, 1))
    random_clinic(store, random.Random(11), patients=14)
    store.close()


def _demo(path: Path) -> None:
    make_demo(path).close()


CLINICS = {"demo": _demo, "random": _random}


def outputs(db: Path) -> dict[str, str]:
    """Each command's output: the text, or for JSON (100 kB each) its SHA-256 (run the
    previous code to see a difference)."""
    # The demo's practitioners have their own secrets (Mei Lin Chen's: 111111).
    env = {SECRET_ENV: "111111"} if "demo" in db.name else {}
    with mock.patch.dict(os.environ, env), mock.patch.dict(ENV, env):
        out = {command: ok(db, command) for command in COMMANDS}
    return {
        c: hashlib.sha256(text.encode()).hexdigest() if "--json" in c else text
        for c, text in out.items()
    }


def write_golden(folder: Path) -> None:
    golden = {}
    for name, make in CLINICS.items():
        db = folder / f"{name}.db"
        make(db)
        golden[name] = outputs(db)
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@pytest.mark.parametrize("clinic", sorted(CLINICS))
def test_the_rebuilt_cache_gives_the_previous_cache_s_figures(clinic: str, tmp_path: Path) -> None:
    db = tmp_path / f"{clinic}.db"
    CLINICS[clinic](db)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))[clinic]
    assert outputs(db) == golden


# -- kept up to date after each kind of change ------------------------------------------

FILTERS = (
    Filters(),
    Filters(technique="ims"),
    Filters(practitioner_id=1),
    Filters(region="neck"),
    Filters(since=date(2026, 2, 1)),
)


def _rounded(x: Any) -> Any:
    """Figures to 9 decimals: sums kept up to date by adding and taking away differ from
    sums made at once in the last bits (never in what is printed)."""
    if isinstance(x, float):
        return round(x, 9) + 0.0
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_rounded(v) for v in x]
    return x


def _figures(store: Store) -> list[Any]:
    out = []
    for f in FILTERS:
        for by in ("family", "technique"):
            out.append(to_jsonable(outcome_reports.comparison_report(store, f, by=by)))
            out.append(to_jsonable(outcome_reports.details_report(store, f, by=by)))
    return _rounded(out)


def _assert_current_and_right(store: Store, recomputed: int) -> None:
    """The refresh recomputed ``recomputed`` patients, and its figures are those of a
    cache built from nothing and (for the counts) of the records themselves."""
    assert not outcome_cache.is_current(store.conn)  # the change was seen
    assert outcome_cache.refresh(store) == recomputed
    kept = _figures(store)
    for f in FILTERS:
        assert outcomes.group_counts(store, f) == outcomes.reference_counts(store, f), f
    outcome_cache.rebuild(store)
    assert _figures(store) == kept


def test_the_cache_follows_save_amend_void_and_follow_up(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "clinic.db", clock=lambda: datetime(2026, 6, 1))
    random_clinic(store, random.Random(12), patients=8)
    outcome_cache.refresh(store)
    row = sql_rows(store, "SELECT record_id, patient_id, practitioner_id, started_at"
                      " FROM current_session ORDER BY record_id LIMIT 1")[0]  # fmt: skip
    pid, doctor, when = row["patient_id"], row["practitioner_id"], row["started_at"]
    later = (datetime.fromisoformat(when) + timedelta(days=9)).isoformat(sep=" ")
    # save: a new session for that patient
    rid = session(store, pid, doctor, later, technique="ims", before=8, after=3, soreness=2)
    _assert_current_and_right(store, 1)
    # follow-up
    at = (datetime.fromisoformat(later) + timedelta(days=2)).isoformat(sep=" ")
    fid = follow_up(store, pid, rid, at, 4, soreness=0)
    _assert_current_and_right(store, 1)
    # amend: another technique and pain, then the follow-up corrected
    data = session_data(pid, doctor, later, technique="dry_needling", before=7, after=6)
    store.amend_session(rid, parse_session(data), doctor, "wrong technique")
    _assert_current_and_right(store, 1)
    fixed = parse_follow_up({"patient_id": pid, "session_record_id": rid, "at": at, "pain": 9})
    store.amend_follow_up(fid, fixed, doctor, "typo")
    _assert_current_and_right(store, 1)
    # void
    store.void_session(row["record_id"], doctor, "recorded in error")
    _assert_current_and_right(store, 1)
    # a new patient
    other = patient(store, "N1", "New Patient")
    session(store, other, doctor, later, technique="acupuncture", before=5, after=2)
    _assert_current_and_right(store, 1)
    store.close()


def test_the_cache_follows_an_import(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    _random(source)
    export = tmp_path / "clinic.json"
    ok(source, f"export --format json -o {export}")
    target = tmp_path / "target.db"
    Store.open(target).close()
    ok(target, f"import {export}")  # (it prepares the figures after its commit)
    store = Store.open(target)
    assert outcome_cache.is_current(store.conn)
    kept = _figures(store)
    outcome_cache.rebuild(store)
    assert _figures(store) == kept
    store.close()
    for command in ("compare --json --by technique", "compare --json --region neck"):
        assert ok(target, command) == ok(source, command)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_golden(Path(tmp))
    print(f"wrote {GOLDEN}")

"""The store: exact rows written by a save, and all-or-nothing saves."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

import pytest
from helpers_store import NOW_TEXT, dry_needling, ims, rows

from sessionlog.domain import Episode, Patient
from sessionlog.errors import DatabaseError, ValidationError
from sessionlog.store import Store
from sessionlog.store.integrity import audit

# --- a save writes exactly these rows ----------------------------------------------


def test_save_writes_exact_rows(store: Store) -> None:
    saved = store.save_session(dry_needling())
    assert (saved.record_id, saved.row_id, saved.version) == (1, 1, 1)

    [record] = rows(store, "SELECT * FROM session_record")
    assert len(record.pop("uid")) == 32
    assert record == {"id": 1, "patient_id": 1, "created_at": NOW_TEXT}

    assert rows(store, "SELECT * FROM session") == [
        {
            "id": 1,
            "record_id": 1,
            "version": 1,
            "supersedes_id": None,
            "status": "active",
            "amend_reason": None,
            "patient_id": 1,
            "practitioner_id": 1,
            "episode_id": None,
            "started_at": "2026-11-20 09:15:00",
            "technique": "dry_needling",
            "style": "",
            "rationale": "",
            "response_sought": "twitch",
            "consent": 1,
            "pain_before": 7,
            "pain_after": 3,
            "pain_during": 5,
            "soreness_after": 4,
            "face_to_face_min": 25,
            "co_interventions": '["exercise"]',
            "notes": "Tolerated well.",
            "recorded_by": 1,
            "recorded_at": NOW_TEXT,
        }
    ]
    blank_site = {
        "depth_value": None,
        "depth_unit": None,
        "depth_tissue": None,
        "needle_diameter_mm": None,
        "needle_length_mm": None,
        "needle_material": None,
        "estim_frequency_hz": None,
        "estim_frequency_2_hz": None,
        "estim_intensity": None,
        "estim_lead": None,
        "deqi_obtained": None,
        "deqi_quality": "",
        "twitch_count": None,
        "grasp": None,
    }
    assert rows(store, "SELECT * FROM site ORDER BY id") == [
        {
            **blank_site,
            "id": 1,
            "session_id": 1,
            "seq": 1,
            "kind": "trigger_point",
            "target": "upper trapezius",
            "side": "left",
            "insertions": 1,
            "depth_value": 20.0,
            "depth_unit": "mm",
            "needle_diameter_mm": 0.3,
            "needle_length_mm": 40.0,
            "stimulation": "pistoning",
            "retention_s": 0,
            "twitch_count": 3,
            "thorax_risk": 1,
        },
        {
            **blank_site,
            "id": 2,
            "session_id": 1,
            "seq": 2,
            "kind": "trigger_point",
            "target": "infraspinatus",
            "side": "right",
            "insertions": 2,
            "stimulation": "pistoning",
            "retention_s": 0,
            "thorax_risk": 1,
        },
    ]
    assert rows(store, "SELECT * FROM adverse_event") == [
        {
            "id": 1,
            "session_id": 1,
            "follow_up_id": None,
            "tier": "mild",
            "kind": "bruising",
            "description": "small",
        }
    ]
    assert rows(store, "SELECT * FROM ims_finding") == []

    # The fixture wrote 3 audit rows (one practitioner, two patients); the save one more.
    # Each seals the rows it wrote (the save: record, version, 2 sites, 1 adverse event);
    # the digest of the seals is left out here (tests/trust/test_tamper.py checks them).
    audit_rows = rows(
        store,
        "SELECT at, actor_id, action, entity, entity_id, json_remove(detail, '$.seal') AS detail"
        " FROM audit_log ORDER BY id",
    )
    assert audit_rows == [
        {
            "at": NOW_TEXT,
            "actor_id": 1,
            "action": "create",
            "entity": "practitioner",
            "entity_id": 1,
            "detail": '{"name":"Ann Lee","sealed":1}',
        },
        {
            "at": NOW_TEXT,
            "actor_id": None,
            "action": "create",
            "entity": "patient",
            "entity_id": 1,
            "detail": '{"chart_id":"C001","sealed":1}',
        },
        {
            "at": NOW_TEXT,
            "actor_id": None,
            "action": "create",
            "entity": "patient",
            "entity_id": 2,
            "detail": '{"chart_id":"C002","sealed":1}',
        },
        {
            "at": NOW_TEXT,
            "actor_id": 1,
            "action": "create",
            "entity": "session",
            "entity_id": 1,
            "detail": '{"row_id":1,"sealed":5,"sites":2,"version":1}',
        },
    ]
    assert audit.verify(store.conn) == audit.ChainReport(rows=4, broken_at=None)


def test_ims_findings_are_stored(store: Store) -> None:
    store.save_session(ims())
    assert rows(store, "SELECT * FROM ims_finding") == [
        {
            "id": 1,
            "session_id": 1,
            "level": "L4-L5",
            "side": "bilateral",
            "tender_motor_points": 0,
            "paraspinal_tenderness": 1,
            "coldness": 1,
            "sweating": 0,
            "goosebumps": 0,
            "skin_rolling": 0,
            "matchstick": 0,
            "muscle_shortening": 0,
            "notes": "",
        }
    ]
    [site] = rows(store, "SELECT kind, target, retention_s, grasp, stimulation FROM site")
    assert site == {
        "kind": "paraspinal",
        "target": "L4-L5",
        "retention_s": 5,
        "grasp": "strong",
        "stimulation": "manual_even",
    }


def test_session_reads_back_with_derived_values(store: Store) -> None:
    store.save_session(dry_needling())
    s = store.session(1)
    assert s is not None
    assert (s["total_insertions"], s["distinct_muscles"], s["cpt_codes"]) == (3, 2, ["20560"])
    assert s["co_interventions"] == ["exercise"] and s["consent"] is True
    assert [x["target"] for x in s["sites"]] == ["upper trapezius", "infraspinatus"]
    assert s["sites"][0]["thorax_risk"] is True
    assert s["adverse_events"] == [{"tier": "mild", "kind": "bruising", "description": "small"}]
    assert store.counts() == {
        "practitioners": 1,
        "patients": 2,
        "sessions": 1,
        "sites": 2,
        "follow_ups": 0,
        "adverse_events": 1,
    }


# --- all or nothing ----------------------------------------------------------------


def test_failed_save_leaves_no_trace(store: Store, table_counts: Any) -> None:
    good = dry_needling()
    # Bypass validation: a second site the schema's CHECK refuses (insertions 1..50).
    # The session row and site 1 are written before it fails; all must roll back.
    bad_site = dataclasses.replace(good.sites[1], insertions=0)
    bad = dataclasses.replace(good, sites=(good.sites[0], bad_site))
    before = table_counts(store.conn)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        store.save_session(bad)
    assert table_counts(store.conn) == before
    assert not store.conn.in_transaction
    # The connection is still usable and the next save gets record 1.
    assert store.save_session(good).record_id == 1


def test_failed_adverse_event_rolls_back_the_session(store: Store, table_counts: Any) -> None:
    good = dry_needling()
    bad = dataclasses.replace(
        good, adverse_events=(dataclasses.replace(good.adverse_events[0], tier="catastrophic"),)
    )
    before = table_counts(store.conn)
    with pytest.raises(sqlite3.IntegrityError):
        store.save_session(bad)
    assert table_counts(store.conn) == before


def test_missing_references_are_refused_before_writing(store: Store, table_counts: Any) -> None:
    before = table_counts(store.conn)
    with pytest.raises(ValidationError, match="patient_id: there is no patient with id 99"):
        store.save_session(dry_needling(patient_id=99))
    with pytest.raises(ValidationError, match="practitioner_id: there is no practitioner"):
        store.save_session(dataclasses.replace(dry_needling(), practitioner_id=5))
    other_episode = store.add_episode(Episode(2, "neck pain", "neck", "2026-11-01"))
    after_episode = table_counts(store.conn)
    with pytest.raises(ValidationError, match="episode_id: episode 1 is not one of this"):
        store.save_session(dataclasses.replace(dry_needling(), episode_id=other_episode))
    assert table_counts(store.conn) == after_episode
    assert after_episode["episode"] == before["episode"] + 1


def test_busy_database_fails_cleanly(store: Store, db_path: Any, table_counts: Any) -> None:
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    store.conn.execute("PRAGMA busy_timeout = 0")  # do not wait 10 s in a test
    try:
        with pytest.raises(DatabaseError, match="the database is busy; nothing was saved"):
            store.save_session(dry_needling())
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert table_counts(store.conn)["session"] == 0


def test_nested_write_is_a_savepoint_of_the_outer_transaction(
    store: Store, table_counts: Any
) -> None:
    # A batch (the demo clinic) wraps many saves in one write: an inner failure undoes
    # only the inner save; a failure of the batch undoes everything.
    with store.write():
        store.save_session(dry_needling())
        with pytest.raises(ValidationError):
            with store.write():
                store.save_session(dry_needling())
                raise ValidationError("test", "inner failure")
    assert table_counts(store.conn)["session"] == 1
    with pytest.raises(RuntimeError):
        with store.write():
            store.save_session(dry_needling())
            raise RuntimeError("batch fails")
    assert table_counts(store.conn)["session"] == 1


# --- people ------------------------------------------------------------------------


def test_duplicate_chart_id_refused(store: Store, table_counts: Any) -> None:
    before = table_counts(store.conn)
    with pytest.raises(ValidationError, match="chart_id: 'C001' is already in use"):
        store.add_patient(Patient("C001", "Someone Else"))
    assert table_counts(store.conn) == before


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("P0042", "P0043"),
        ("P0099", "P0100"),
        ("P9999", "P10000"),  # the width grows rather than wrapping to 0000
        ("2026-009", "2026-010"),
        ("7", "8"),
        ("smith", ""),  # nothing to count on: no suggestion
        ("P-4\u0663", ""),  # an Arabic-Indic digit is a digit to Python, not to a clinic
    ],
)
def test_next_chart_id(last: str, expected: str) -> None:
    from sessionlog.domain.text import next_chart_id

    assert next_chart_id(last) == expected


def test_suggested_chart_id_skips_ids_in_use(store: Store) -> None:
    assert store.suggested_chart_id() == "C003"  # after the newest patient, C002
    store.add_patient(Patient("C004", "Out Of Order"))
    store.add_patient(Patient("C003x", "No Number At The End"))
    assert store.suggested_chart_id() == ""
    store.add_patient(Patient("C003", "Newest"))
    assert store.suggested_chart_id() == "C005"  # C004 is taken


def test_patient_search_and_listing(store: Store) -> None:
    store.save_session(dry_needling())
    assert [p["chart_id"] for p in store.search_patients("c00")] == ["C001", "C002"]
    assert [p["chart_id"] for p in store.search_patients("kim")] == ["C001"]
    assert store.search_patients("%") == []  # LIKE wildcards are literal
    listing = {p["chart_id"]: (p["sessions"], p["last_visit"]) for p in store.patients()}
    assert listing == {"C001": (1, "2026-11-20 09:15:00"), "C002": (0, None)}


def _public_annotations(cls: type) -> dict[str, str]:
    """Every annotation of ``cls``'s public methods and properties, as written."""
    import inspect

    found = {}
    for name in dir(cls):
        if name.startswith("_"):
            continue
        member = inspect.getattr_static(cls, name)
        function = member.fget if isinstance(member, property) else member
        function = getattr(function, "__func__", function)  # classmethods, staticmethods
        if inspect.isfunction(function):
            for arg, text in inspect.get_annotations(function).items():
                found[f"{name}({arg})"] = str(text)
    return found


def test_the_store_boundary_holds_no_any() -> None:
    # Issue 16: "No Any at the store boundary; a renamed store method is caught by
    # mypy." Each public method's annotations, and the fields of the row types they
    # name, say what they take and give; raw SQL has no public door (tests: rows()).
    import re
    import sys
    from typing import is_typeddict

    from sessionlog.store import Store

    annotations = _public_annotations(Store)
    assert not hasattr(Store, "query")  # raw SQL: the store's own _rows, and tests' rows()
    modules = [sys.modules[c.__module__] for c in Store.__mro__ if c.__module__ in sys.modules]
    seen: set[str] = set()
    todo = list(annotations.items())
    while todo:
        where, text = todo.pop()
        assert not re.search(r"\bAny\b", text), f"Store.{where}: {text}"
        for word in set(re.findall(r"[A-Za-z_]\w*", text)) - seen:
            seen.add(word)
            kind = next((vars(m)[word] for m in modules if word in vars(m)), None)
            if isinstance(kind, type) and is_typeddict(kind):
                todo += [(f"{where}: {word}.{k}", str(v)) for k, v in kind.__annotations__.items()]
            elif isinstance(kind, str | type(int | str)) or getattr(kind, "__origin__", None):
                todo.append((f"{where}: {word}", str(kind)))  # an alias such as JsonValue
    assert {"StoredSession", "ListedSession", "PatientRow", "ProtocolRow", "JsonValue"} <= seen

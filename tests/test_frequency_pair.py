"""Dense-disperse electrical stimulation (2/100 Hz): a second, higher frequency per site,
typed as ``2/100`` and kept through save, history, amendment, repeat, export and import,
and on databases made before schema 0003."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import make_clinic, ok, run

from sessionlog.domain import parse_session, parse_site
from sessionlog.domain.fields import InvalidRecord
from sessionlog.domain.frequency import frequency_text, split_frequency_text
from sessionlog.errors import ValidationError
from sessionlog.exchange import export, import_file
from sessionlog.services.entry.form_model import build_raw, state_from_session
from sessionlog.services.entry.technique_settings import setting_fields, setting_problems
from sessionlog.store import Store, db
from sessionlog.tui.screens.history import changes, version_text

SITE_SQL = (
    "SELECT session_id, seq, target, side, stimulation, estim_frequency_hz,"
    " estim_frequency_2_hz, retention_s FROM site ORDER BY id"
)


def fixed_clock() -> datetime:
    """The suite's 'now' (as conftest's): Sunday 22 November 2026, 10:00."""
    return datetime(2026, 11, 22, 10, 0)


def electro(hz: str, patient_id: int = 1, **extra: Any) -> dict[str, Any]:
    """An electro-acupuncture session as the form gives it, the Hz typed as ``hz``."""
    freqs = split_frequency_text(hz)
    return {
        "technique": "electroacupuncture",
        "patient_id": patient_id,
        "practitioner_id": 1,
        "started_at": "2026-11-20 09:15",
        "consent": True,
        "pain_before": 6,
        "pain_after": 3,
        "face_to_face_min": 30,
        "sites": [
            {"target": "st36", "side": "bilateral", **freqs},
            {"target": "li4", "side": "left", **freqs},
        ],
        **extra,
    }


def save(store: Store, hz: str = "2/100 Hz") -> int:
    return store.save_session(parse_session(electro(hz), now=fixed_clock())).record_id


def site_rows(conn: sqlite3.Connection | Store) -> list[tuple[Any, ...]]:
    c = conn.conn if isinstance(conn, Store) else conn
    return [tuple(r) for r in c.execute(SITE_SQL)]


# --- text and the domain --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "fields"),
    [
        ("2/100", {"estim_frequency_hz": "2", "estim_frequency_2_hz": "100"}),
        (" 2 / 100 Hz ", {"estim_frequency_hz": "2", "estim_frequency_2_hz": "100"}),
        ("2.5/80hz", {"estim_frequency_hz": "2.5", "estim_frequency_2_hz": "80"}),
        ("2", {"estim_frequency_hz": "2"}),
        ("2 Hz", {"estim_frequency_hz": "2"}),
        ("", {}),
    ],
)
def test_the_pair_as_typed(typed: str, fields: dict[str, str]) -> None:
    assert split_frequency_text(typed) == fields


@pytest.mark.parametrize("typed", ["2/", "/100", "2/100/5"])
def test_a_malformed_pair_is_named(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        split_frequency_text(typed)
    assert (caught.value.field, caught.value.message) == (
        "estim_frequency_hz",
        f"{typed!r} is not a number from 0.1 to 200, or a low/high pair such as 2/100",
    )


def test_the_site_keeps_both_frequencies() -> None:
    site = parse_site(
        {"target": "st36", "side": "left", **split_frequency_text("2/100")}, "electroacupuncture"
    )
    assert (site.stimulation, site.estim_frequency_hz, site.estim_frequency_2_hz) == (
        "electrical",
        2.0,
        100.0,
    )
    assert frequency_text(site.estim_frequency_hz, site.estim_frequency_2_hz) == "2/100 Hz"
    assert frequency_text(2.0) == "2 Hz" and frequency_text(None) == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"estim_frequency_hz": 100, "estim_frequency_2_hz": 2},
            "2 Hz must be higher than the first frequency (100 Hz): the pair is low/high,"
            " such as 2/100",
        ),
        (
            {"estim_frequency_hz": 2, "estim_frequency_2_hz": 2},
            "2 Hz must be higher than the first frequency (2 Hz): the pair is low/high,"
            " such as 2/2",
        ),
        (
            {"estim_frequency_hz": 2, "estim_frequency_2_hz": "300"},
            "'300' is out of range: a number from 0.1 to 200",
        ),
        (
            {"estim_frequency_2_hz": 100},
            "100 Hz is given without a first frequency: give the low one in"
            " estim_frequency_hz (2/100 is 2 Hz alternating with 100 Hz)",
        ),
    ],
)
def test_a_wrong_pair_is_refused_naming_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_session(electro("2", sites=[{"target": "st36", "side": "left", **fields}]))
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("sites[1].estim_frequency_2_hz", message)
    ]


def test_a_bad_first_frequency_is_named_once() -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_site(
            {
                "target": "st36",
                "side": "left",
                "estim_frequency_hz": "x",
                "estim_frequency_2_hz": 9,
            },
            "electroacupuncture",
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("site.estim_frequency_hz", "'x' is not a number: a number from 0.1 to 200")
    ]


def test_the_settings_row_takes_2_100_and_names_a_bad_pair_once() -> None:
    state = state_from_session(
        {"technique": "electroacupuncture", "sites": []}, with_outcomes=False
    )
    state.settings.estim_hz = "2/100 Hz"
    assert setting_fields(state.settings, "electroacupuncture") == {
        "retention_s": 1200,
        "stimulation": "manual_even",  # the row's: sites marked e/e1 are the stimulated ones
        "estim_frequency_hz": "2",
        "estim_frequency_2_hz": "100",
    }
    state.settings.estim_hz = "2/300"
    assert [
        (e.field, e.message) for e in setting_problems(state.settings, "electroacupuncture")
    ] == [("estim_hz", "'300' is out of range: a number from 0.1 to 200")]
    # Neither half of a bad pair reaches the sites.
    assert "estim_frequency_hz" not in setting_fields(state.settings, "electroacupuncture")


# --- the store: save, history, amendment, repeat ---------------------------------------


def test_save_history_amendment_and_repeat_keep_the_pair(store: Store) -> None:
    record = save(store)
    assert site_rows(store) == [
        (1, 1, "ST36", "bilateral", "electrical", 2.0, 100.0, 1200),
        (1, 2, "LI4", "left", "electrical", 2.0, 100.0, 1200),
    ]
    stored = store.session(record)
    assert stored is not None
    assert [(s["estim_frequency_hz"], s["estim_frequency_2_hz"]) for s in stored["sites"]] == [
        (2.0, 100.0),
        (2.0, 100.0),
    ]

    # Amendment: the form made from the stored session carries the pair in its Hz.
    form = state_from_session(stored, with_outcomes=True)
    assert form.settings.estim_hz == "2/100"
    assert [s.raw for s in form.sites] == [  # both on the stimulator (e), with the row's Hz
        {"target": "ST36", "side": "bilateral", "stimulation": "electrical"},
        {"target": "LI4", "side": "left", "stimulation": "electrical"},
    ]
    form.fields["pain_after"] = "2"
    amended = parse_session(build_raw(form, patient_id=1, practitioner_id=1), now=fixed_clock())
    store.amend_session(record, amended, actor_id=1, reason="pain after was 2")
    # Then the Hz is changed in a second amendment: the history says so.
    form = state_from_session(store.session(record), with_outcomes=True)  # type: ignore[arg-type]
    form.settings.estim_hz = "4/100"
    changed = parse_session(build_raw(form, patient_id=1, practitioner_id=1), now=fixed_clock())
    store.amend_session(record, changed, actor_id=1, reason="it was 4/100 Hz")
    assert site_rows(store)[2:] == [
        (2, 1, "ST36", "bilateral", "electrical", 2.0, 100.0, 1200),
        (2, 2, "LI4", "left", "electrical", 2.0, 100.0, 1200),
        (3, 1, "ST36", "bilateral", "electrical", 4.0, 100.0, 1200),
        (3, 2, "LI4", "left", "electrical", 4.0, 100.0, 1200),
    ]
    versions = store.session_history(record)
    assert [changes(a, b) for a, b in zip([None, *versions], versions, strict=False)] == [
        "2 sites",
        "pain after 3 -> 2",
        "frequency 2/100 Hz -> 4/100 Hz",
    ]
    assert "\nFrequency: 4/100 Hz\n" in version_text(versions, 2, "Ann Lee")

    # Repeat last session: what was done, the pair with it.
    repeat = state_from_session(store.last_session(1), with_outcomes=False)  # type: ignore[arg-type]
    assert repeat.settings.estim_hz == "4/100"
    repeat.fields.update(started_at="2026-11-22 09:00", pain_before="5")
    repeat.consent = True
    again = parse_session(build_raw(repeat, patient_id=1, practitioner_id=1), now=fixed_clock())
    assert [(s.estim_frequency_hz, s.estim_frequency_2_hz) for s in again.sites] == [
        (4.0, 100.0),
        (4.0, 100.0),
    ]


def test_a_site_with_its_own_single_frequency_keeps_it_on_repeat(store: Store) -> None:
    data = electro("2/100")
    data["sites"][1] = {"target": "li4", "side": "left", "estim_frequency_hz": 2}
    record = store.save_session(parse_session(data, now=fixed_clock())).record_id
    repeat = state_from_session(store.session(record), with_outcomes=False)  # type: ignore[arg-type]
    assert repeat.settings.estim_hz == "2/100"
    repeat.fields.update(started_at="2026-11-22 09:00", pain_before="5")
    repeat.consent = True
    again = parse_session(build_raw(repeat, patient_id=1, practitioner_id=1), now=fixed_clock())
    assert [(s.estim_frequency_hz, s.estim_frequency_2_hz) for s in again.sites] == [
        (2.0, 100.0),
        (2.0, None),  # not given the row's 100 Hz
    ]


# --- the command line ---------------------------------------------------------------------


def test_log_hz_2_100_and_sessions_json(tmp_path: Path) -> None:
    clinic = make_clinic(tmp_path / "clinic.db")
    ok(
        clinic,
        "log --patient C001 --technique electroacupuncture --at '2025-06-10 09:00' --consent"
        " --site st36:bilateral:hz=2/100 --site 'li4:left:hz=2/100 Hz' --site du20::hz=2"
        " --pain-before 5",
    )
    [session] = json.loads(ok(clinic, "sessions --json"))
    assert [
        (s["target"], s["stimulation"], s["estim_frequency_hz"], s["estim_frequency_2_hz"])
        for s in session["sites"]
    ] == [
        ("ST36", "electrical", 2.0, 100.0),
        ("LI4", "electrical", 2.0, 100.0),
        ("GV20", "electrical", 2.0, None),
    ]


@pytest.mark.parametrize(
    ("hz", "error"),
    [
        (
            "100/2",
            "sites[1].estim_frequency_2_hz: 2 Hz must be higher than the first frequency"
            " (100 Hz): the pair is low/high, such as 2/100",
        ),
        (
            "2/300",
            "sites[1].estim_frequency_2_hz: '300' is out of range: a number from 0.1 to 200",
        ),
        (
            "2/1/3",
            "site: hz= in 'st36:left:hz=2/1/3': '2/1/3' is not a number from 0.1 to 200,"
            " or a low/high pair such as 2/100",
        ),
    ],
)
def test_log_refuses_a_wrong_pair(tmp_path: Path, hz: str, error: str) -> None:
    clinic = make_clinic(tmp_path / "clinic.db")
    result = run(
        clinic,
        "log --patient C001 --technique electroacupuncture --at '2025-06-10 09:00' --consent"
        f" --site st36:left:hz={hz} --pain-before 5",
    )
    assert result.exit_code == 1
    assert error in result.stderr
    assert ok(clinic, "sessions --json") == "[]\n"


# --- export and import ----------------------------------------------------------------------


def test_export_then_import_keeps_the_pair(store: Store, tmp_path: Path) -> None:
    save(store)
    for fmt, name in (("json", "out.json"), ("csv", "out.zip")):
        export(store, fmt, tmp_path / name, actor_id=1)
        copy = Store.open(tmp_path / f"{fmt}.db", clock=fixed_clock)
        try:
            import_file(tmp_path / name, copy)
            assert site_rows(copy) == site_rows(store)
            assert site_rows(copy)[0][5:7] == (2.0, 100.0)
        finally:
            copy.close()


def test_an_export_made_before_schema_3_imports(store: Store, tmp_path: Path) -> None:
    save(store, "2")
    export(store, "json", tmp_path / "new.json", actor_id=1)
    text = (tmp_path / "new.json").read_text(encoding="utf-8")
    # The file as sessionlog wrote it before schema 0003: no such column on any site.
    old = re.sub(r',"estim_frequency_2_hz":null(,"estim_lead":null)?', "", text)
    old = re.sub(r'"format_version":\d+', '"format_version":1', old, count=1)
    assert "estim_frequency_2_hz" not in old and old.count('"estim_frequency_hz":2.0') == 2
    assert '"format_version":1' in old
    (tmp_path / "old.json").write_text(old, encoding="utf-8")
    export(store, "csv", tmp_path / "csv", actor_id=1)
    site_csv = tmp_path / "csv" / "site.csv"
    with site_csv.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    drop = {table[0].index("estim_frequency_2_hz"), table[0].index("estim_lead")}
    with site_csv.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([cell for i, cell in enumerate(r) if i not in drop] for r in table)
    for source in (tmp_path / "old.json", tmp_path / "csv"):
        copy = Store.open(tmp_path / f"{source.stem}.db", clock=fixed_clock)
        try:
            import_file(source, copy)
            assert site_rows(copy) == [
                (1, 1, "ST36", "bilateral", "electrical", 2.0, None, 1200),
                (1, 2, "LI4", "left", "electrical", 2.0, None, 1200),
            ]
        finally:
            copy.close()


# --- a database made before schema 0003 ---------------------------------------------------


def test_migration_adds_the_column_to_a_schema_2_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v2.db"
    files = db.migration_files()
    assert [p.stem for p in files][:3] == [
        "0001_initial",
        "0002_outcome_cache",
        "0003_estim_frequency_pair",
    ]
    monkeypatch.setattr(db, "migration_files", lambda: files[:2])
    conn = db.open_connection(path)  # what sessionlog made before 0003
    columns = [r[1] for r in conn.execute("PRAGMA table_info(site)")]
    assert "estim_frequency_2_hz" not in columns
    conn.executescript(
        "INSERT INTO practitioner VALUES (1, 'Ann Lee', 'physiotherapist', '', '2026-01-01');"
        "INSERT INTO patient VALUES (1, 'C001', 'Bo Kim', NULL, 'unknown', '2026-01-01');"
        "INSERT INTO session_record VALUES (1, printf('%032d', 1), 1, '2026-01-02 09:00:00');"
        "INSERT INTO session (id, record_id, version, patient_id, practitioner_id, started_at,"
        " technique, response_sought, consent, pain_before, face_to_face_min, recorded_by,"
        " recorded_at) VALUES (1, 1, 1, 1, 1, '2026-01-02 09:00:00', 'electroacupuncture',"
        " 'deqi', 1, 5, 30, 1, '2026-01-02 09:00:00');"
        "INSERT INTO site (session_id, seq, kind, target, side, insertions, stimulation,"
        " estim_frequency_hz, retention_s, thorax_risk) VALUES (1, 1, 'acupuncture_point',"
        " 'ST36', 'left', 1, 'electrical', 2, 1200, 0);"
    )
    conn.close()
    monkeypatch.undo()

    store = Store.open(path, clock=fixed_clock)
    try:
        applied = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations")]
        assert applied == [p.stem for p in files]
        assert site_rows(store) == [(1, 1, "ST36", "left", "electrical", 2.0, None, 1200)]
        assert store.session(1)["sites"][0]["estim_frequency_2_hz"] is None  # type: ignore[index]
        save(store)  # a 2/100 session goes into the migrated file
        assert site_rows(store)[1:] == [
            (2, 1, "ST36", "bilateral", "electrical", 2.0, 100.0, 1200),
            (2, 2, "LI4", "left", "electrical", 2.0, 100.0, 1200),
        ]
        with pytest.raises(sqlite3.IntegrityError):  # the column's own check, as in 0001
            store.conn.execute(
                "INSERT INTO site (session_id, seq, kind, target, side, insertions,"
                " stimulation, retention_s, thorax_risk, estim_frequency_2_hz)"
                " VALUES (1, 9, 'ashi', 'x', 'left', 1, 'none', 0, 0, 300)"
            )
    finally:
        store.close()

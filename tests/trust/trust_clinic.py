"""A small clinic with every kind of row the export must carry: amendments, a void,
corrected and voided follow-ups, adverse events on sessions and follow-ups, IMS
findings, episodes, a protocol, free text with quotes, commas, newlines and unicode."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sessionlog.domain import parse_follow_up, parse_patient, parse_practitioner, parse_session
from sessionlog.domain.models import Episode
from sessionlog.store import Store
from sessionlog.store.records.bulk import KNOWN_TABLES

NOW = datetime(2026, 11, 22, 10, 0)

TABLES = KNOWN_TABLES  # every exported table: the record tables and the audit log


def clock() -> datetime:
    return NOW


def _session(patient: int, practitioner: int, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "technique": "dry_needling",
        "patient_id": patient,
        "practitioner_id": practitioner,
        "started_at": "2026-11-02 09:15",
        "consent": True,
        "pain_before": 7,
        "pain_after": 3,
        "sites": [
            {
                "target": "upper trap",
                "side": "left",
                "twitch_count": 3,
                "depth_value": 22.5,
                "needle_diameter_mm": 0.3,
                "needle_length_mm": 40,
                "needle_material": "steel",
            },
            {"target": "infraspinatus", "side": "right", "insertions": 2},
        ],
    }
    data.update(extra)
    return parse_session(data, now=NOW)


def build(store: Store) -> dict[str, int]:
    """Fill ``store``; returns the ids a test may want."""
    ann = store.add_practitioner(
        parse_practitioner(
            {"name": "Ann Lee", "profession": "physiotherapist", "credential": "PT, FCAMPT"}
        )
    )
    mei = store.add_practitioner(
        parse_practitioner(
            {"name": "Mei Chen", "profession": "acupuncturist", "credential": "R.Ac"}
        )
    )
    bo = store.add_patient(
        parse_patient(
            {"chart_id": "C001", "name": 'Bo "Bobby" Kim, Jr.', "birth_year": 1980, "sex": "female"}
        )
    )
    cy = store.add_patient(parse_patient({"chart_id": "C002", "name": "Cy Doe Ünal"}))
    ep = store.add_episode(Episode(bo, "neck pain, left; worse at desk", "neck", "2026-10-30"))
    first = store.save_session(
        _session(
            bo,
            ann,
            episode_id=ep,
            notes='Line one\nline "two", with commas\ttab',
            co_interventions=["exercise", "heat"],
            soreness_after=4,
            pain_during=5,
            adverse_events=[{"tier": "mild", "kind": "bruising", "description": "2 cm, left"}],
        )
    )
    store.amend_session(
        first.record_id,
        _session(bo, ann, episode_id=ep, pain_after=2, notes="corrected: pain after was 2"),
        ann,
        "typed 3 instead of 2",
    )
    acu = store.save_session(
        _session(
            cy,
            mei,
            technique="electroacupuncture",
            started_at="2026-11-03 16:00",
            pain_before=5,
            pain_after=4,
            face_to_face_min=35,
            sites=[
                {
                    "target": "LI4",
                    "side": "bilateral",
                    "deqi_quality": "heaviness, ache",
                    "estim_frequency_hz": 2.5,
                    "estim_intensity": "to tolerance",
                    "depth_value": 0.5,
                    "depth_unit": "cun",
                },
                {"target": "GV20"},
                {"kind": "ashi", "target": "tender spot, mid-calf", "side": "left"},
            ],
        ),
        mei,
    )
    ims = store.save_session(
        _session(
            bo,
            ann,
            technique="ims",
            started_at="2026-11-05 11:00",
            sites=[{"target": "L4-L5", "side": "bilateral", "grasp": "strong"}],
            ims_findings=[
                {
                    "level": "L4-L5",
                    "side": "left",
                    "coldness": True,
                    "skin_rolling": "yes",
                    "notes": "goosebumps over L5",
                }
            ],
            adverse_events=[
                {"tier": "significant", "kind": "faintness", "description": "lay down 5 min"}
            ],
        ),
        ann,
    )
    wrong = store.save_session(_session(cy, ann, started_at="2026-11-06 08:00"), ann)
    store.void_session(wrong.record_id, ann, "recorded for the wrong patient")
    fu = store.add_follow_up(
        parse_follow_up(
            {
                "patient_id": bo,
                "session_record_id": first.record_id,
                "at": "2026-11-04 10:00",
                "pain": 4,
                "soreness": 2,
                "groc": 3,
                "notes": "better",
                "adverse_events": [{"tier": "mild", "kind": "aggravation"}],
            },
            now=NOW,
        ),
        ann,
    )
    store.amend_follow_up(
        fu,
        parse_follow_up(
            {
                "patient_id": bo,
                "session_record_id": first.record_id,
                "at": "2026-11-04 10:00",
                "pain": 5,
                "soreness": 2,
                "groc": 2,
            },
            now=NOW,
        ),
        ann,
        "pain was 5, not 4",
    )
    fu2 = store.add_follow_up(
        parse_follow_up(
            {
                "patient_id": cy,
                "session_record_id": acu.record_id,
                "at": "2026-11-10 10:00",
                "pain": 3,
            },
            now=NOW,
        ),
        mei,
    )
    store.amend_follow_up(
        fu2,
        parse_follow_up(
            {
                "patient_id": cy,
                "session_record_id": acu.record_id,
                "at": "2026-11-10 10:00",
                "pain": 3,
            },
            now=NOW,
        ),
        mei,
        "entered twice",
        void=True,
    )
    store.save_protocol(
        mei,
        "neck basics",
        "acupuncture",
        [{"target": "GB20", "side": "bilateral"}, {"target": "LI4"}],
    )
    return {
        "ann": ann,
        "mei": mei,
        "bo": bo,
        "cy": cy,
        "first": first.record_id,
        "acu": acu.record_id,
        "ims": ims.record_id,
        "wrong": wrong.record_id,
    }


def dump(path_or_conn: Any) -> dict[str, list[tuple]]:
    """Every row of every exported table, in id order (ids included), from a file or an
    open connection."""
    own = isinstance(path_or_conn, (str, Path))
    conn = sqlite3.connect(f"file:{path_or_conn}?mode=ro", uri=True) if own else path_or_conn
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    finally:
        if own:
            conn.close()


def counts(path: Path) -> dict[str, int]:
    return {t: len(rows) for t, rows in dump(path).items()}


def count_rows(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per exported table, on an open connection."""
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def edit_csv_zip(source: Path, out: Path, member: str, edit: Any) -> Path:
    """A copy of the CSV export ``source`` with the rows of ``member`` (header first,
    as lists of cells) changed in place by ``edit(rows)``: an edit by hand."""
    import csv
    import io
    import zipfile

    with zipfile.ZipFile(source) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    rows = list(csv.reader(io.StringIO(members[member].decode("utf-8"))))
    edit(rows)
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    members[member] = text.getvalue().encode("utf-8")
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out

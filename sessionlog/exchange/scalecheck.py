"""Checking the scale readings of an import file (schema 0010, format version 3).

Each row is scored again by the domain (:func:`parse_scale_reading`), so a reading is
accepted exactly when the app would accept it typed, and a score that does not match
its answers is refused. Links: the patient is the session's (and the follow-up's), a
correction corrects a reading of the same patient and scale, once. A file made
before format 3 has no such table: nothing to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..domain.scales import parse_scale_reading
from ..domain.validate import as_choice, as_text
from ..errors import ValidationError
from .problems import Problems
from .rowcheck import Checked, Fields, Raw, check_simple, ref, when

TABLE = "scale_reading"


def _number(value: Any) -> float | None:
    """A score as a JSON file (a number) or a CSV file (its text) holds it."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def scale_reading_row(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """One reading's values for the database, or every error of the row."""
    f = Fields()
    values = {
        "patient_id": f.get(ref, "patient_id", row.get("patient_id")),
        "session_record_id": f.get(ref, "session_record_id", row.get("session_record_id")),
        "follow_up_id": f.get(ref, "follow_up_id", row.get("follow_up_id"), True),
        "supersedes_id": f.get(ref, "supersedes_id", row.get("supersedes_id"), True),
        "status": f.get(as_choice, "status", row.get("status"), ("active", "void")),
        "amend_reason": f.get(as_text, "amend_reason", row.get("amend_reason"), max_len=2000)
        or None,
        "at": f.get(when, "at", row.get("at")),
        "recorded_by": f.get(ref, "recorded_by", row.get("recorded_by")),
        "recorded_at": f.get(when, "recorded_at", row.get("recorded_at")),
    }
    if values["supersedes_id"] is not None and not values["amend_reason"]:
        f.errors.append(ValidationError("amend_reason", "a correction says why it was made"))
    items, score = row.get("items"), row.get("score")
    reading = f.get(
        parse_scale_reading,
        {"scale": row.get("scale"), "patient_id": 1, "session_record_id": 1,
         "at": values["at"] or now, "items": items,
         "total": score if items is None else None, "labels": row.get("labels") or (),
         "entered_by": row.get("entered_by")},
        now=now,
    )  # fmt: skip
    if reading is not None and items is not None and _number(score) != reading.score:
        f.errors.append(
            ValidationError("score", f"{score!r} is not what the answers score ({reading.score})")
        )
    f.done()
    values.update(
        scale=reading.scale,
        items=None if reading.items is None else list(reading.items),
        labels=list(reading.labels),
        score=reading.score,
        entered_by=reading.entered_by,
    )
    return values


def check_scale_readings(
    raw: dict[str, Raw], now: datetime, problems: Problems, out: Checked
) -> None:
    """Validate every reading of the file; keep the checked rows in ``out``."""
    check_simple(raw, now, problems, out, {TABLE: scale_reading_row})


def check_scale_links(out: Checked, problems: Problems) -> None:
    """Each reading is of its session's patient; corrections chain within one scale."""
    records, follow_ups = out.rows["session_record"], out.rows["follow_up"]
    readings = out.rows.get(TABLE, {})
    corrected: set[int] = set()
    for rid, r in readings.items():
        number = out.numbers[TABLE][rid]
        record = records.get(r.session_record_id)
        follow_up = follow_ups.get(r.follow_up_id) if r.follow_up_id is not None else None
        if (record is not None and record.patient_id != r.patient_id) or (
            follow_up is not None and follow_up.patient_id != r.patient_id
        ):
            problems.add(TABLE, number, "patient_id", "is not the patient of its session")
        prev = readings.get(r.supersedes_id) if r.supersedes_id is not None else None
        if prev is None:
            continue
        if (prev.patient_id, prev.scale) != (r.patient_id, r.scale) or prev.status == "void":
            problems.add(TABLE, number, "supersedes_id", "corrects a void or another reading")
        if r.supersedes_id in corrected:
            problems.add(TABLE, number, "supersedes_id", "that reading is corrected twice")
        corrected.add(r.supersedes_id)

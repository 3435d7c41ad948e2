"""Checking the scale readings of an import file (schema 0010, format version 3).

Each row is scored again by the domain (:func:`parse_scale_reading`), so a reading is
accepted exactly when the app would accept it typed, and a score that does not match
its answers is refused. Links: the patient is the session's (and the follow-up's), a
correction corrects a reading of the same patient and scale, once. A file made
before format 3 has no such table: nothing to check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ..domain.scales import parse_scale_reading
from ..domain.validate import as_choice, as_text
from ..errors import ValidationError
from .problems import Problems
from .rowcheck import MAX_ID, Checked, Fields, Raw, check_simple, ref, when
from .sessioncheck import _moment, _plain_text

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


def _id(value: Any) -> bool:
    """Whether ``value`` is what :func:`ref` returns as it is (its fast path)."""
    return type(value) is int and 1 <= value <= MAX_ID


def _reading_key(scale: Any, items: Any, score: Any, labels: Any, entered_by: Any) -> Any:
    """What a reading's scoring depends on, or None when a value is not as an export
    writes it (a list of whole numbers or nulls, texts, a number): each value by its
    type too, so that true is never taken for 1, nor a text for its number."""
    if type(scale) is not str or not (entered_by is None or type(entered_by) is str):
        return None
    if items is None:
        if type(score) is int:
            total: Any = (int, score)
        elif type(score) is float:
            total = (float, score.hex())  # -0.0 and 0.0 told apart
        else:
            return None
        got: Any = None
    elif type(items) is list and all(v is None or type(v) is int for v in items):
        got, total = tuple(items), None
    else:
        return None
    if labels is None:
        names: Any = None
    elif type(labels) is list and all(type(v) is str for v in labels):
        names = tuple(labels)
    else:
        return None
    return scale, got, total, names, entered_by


def plain_reading(now: datetime) -> Callable[[tuple[Any, ...]], tuple[Any, ...] | None]:
    """The fast path of :func:`scale_reading_row` for a reading as an export writes
    it: the very values it gives (id first), the scoring asked of the domain once per
    different answers (a clinic's readings repeat them); None for any other row, which
    the full check then decides, wording each problem
    (tests/trust/test_import_fast_paths.py compares the two)."""
    latest = now + timedelta(days=1)  # as_datetime's bound on a moment
    scored: dict[Any, tuple[str, list[int | None] | None, list[str], float, str]] = {}

    def fast(row: tuple[Any, ...]) -> tuple[Any, ...] | None:
        if type(row) is not tuple or len(row) != 15:  # a column left out (Gaps)
            return None
        (
            rid, patient, record, follow_up, version_of, status, reason, scale, at, items,
            labels, score, entered_by, by, rec,
        ) = row  # fmt: skip
        if not (
            _id(patient)
            and _id(record)
            and (follow_up is None or _id(follow_up))
            and (version_of is None or _id(version_of))
            and type(status) is str
            and status in ("active", "void")
            and _id(by)
        ):
            return None
        moment = _moment(at)
        if moment is None or moment > latest or _moment(rec) is None:
            return None
        why = None
        if reason is not None:
            why = _plain_text(reason, 2000) or None
        if why is None and (reason is not None or version_of is not None):
            return None  # a reason to clean or too long, or a correction without one
        key = _reading_key(scale, items, score, labels, entered_by)
        if key is None:
            return None
        reading = scored.get(key)
        if reading is None:
            reading = _scored(scale, items, score, labels, entered_by, at, now)
            if reading is None:
                return None  # refused: the full check words it
            scored[key] = reading
        code, answers, names, value, who = reading
        if answers is not None and (type(score) not in (int, float) or score != value):
            return None  # the score is not what the answers score (or not a number)
        return (
            rid, patient, record, follow_up, version_of, status, why, code, at, answers,
            names, value, who, by, rec,
        )  # fmt: skip

    return fast


def _scored(
    scale: str, items: Any, score: Any, labels: Any, entered_by: Any, at: str, now: datetime
) -> tuple[str, list[int | None] | None, list[str], float, str] | None:
    """The domain's scoring of a reading (as :func:`scale_reading_row` asks it), or
    None when it refuses."""
    try:
        reading = parse_scale_reading(
            {"scale": scale, "patient_id": 1, "session_record_id": 1, "at": at,
             "items": items, "total": score if items is None else None,
             "labels": labels or (), "entered_by": entered_by},
            now=now,
        )  # fmt: skip
    except ValidationError:
        return None
    answers = None if reading.items is None else list(reading.items)
    return reading.scale, answers, list(reading.labels), reading.score, reading.entered_by


def check_scale_readings(
    raw: dict[str, Raw], now: datetime, problems: Problems, out: Checked
) -> None:
    """Validate every reading of the file; keep the checked rows in ``out``."""
    check_simple(raw, now, problems, out, {TABLE: scale_reading_row}, {TABLE: plain_reading(now)})


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

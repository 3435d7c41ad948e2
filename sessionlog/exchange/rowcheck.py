"""Checking the rows of an import file: shape, ids, references and the simple tables.

Clinical content goes through the domain's own ``parse_*`` functions, so a row is
accepted on import exactly when the app would accept it when typed. What only the
file has (ids, versions, timestamps, uids) is checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from ..domain.techniques import BODY_REGIONS, TECHNIQUES
from ..domain.validate import (
    InvalidRecord,
    as_choice,
    as_datetime,
    as_int,
    as_text,
    opt_int,
    parse_patient,
    parse_practitioner,
)
from ..errors import ValidationError
from ..store.rows import stamp
from .compact import KNOWN, MISSING, NAMES, ROW_TYPES, Packer, RowNumbers, as_mapping
from .problems import Problems
from .tables import TABLES

MAX_ID = 2**63 - 1
_UID = re.compile(r"[0-9a-f]{32}")
_HASH = re.compile(r"[0-9a-f]{64}")

_first = itemgetter(0)


class Dense:
    """The packed rows of a table whose ids are 1 to n in file order (as in every
    export), kept as the list they came in: the id is the position. A dict from id to
    row would take 80 MB more at 100,000 sessions. Read like the dict: ``items()``."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows

    def items(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        # Each row's own id (equal to its position): one int object per id, not two.
        return zip(map(_first, self.rows), self.rows, strict=True)

    def __len__(self) -> int:
        return len(self.rows)


def drain(raw: Raw) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``raw.items()``, each row let go of as soon as it is handed out (so a table's
    rows as the file had them and as checked are not all held at once)."""
    if isinstance(raw, Dense):
        rows = raw.rows
        for i, row in enumerate(rows):
            rows[i] = None  # type: ignore[call-overload]
            yield row[0], row
        rows.clear()
    else:
        for rid in list(raw):
            yield rid, raw.pop(rid)


# File id -> packed row (see compact.py): a dict, or Dense (the same, held smaller).
Raw = dict[int, tuple[Any, ...]] | Dense


@dataclass
class Checked:
    """Valid rows ready for the database, keyed by their id in the file: named tuples
    (``compact.ROW_TYPES``) in column order, the id first."""

    rows: dict[str, dict[int, Any]] = field(default_factory=dict)
    numbers: dict[str, RowNumbers] = field(default_factory=dict)
    # Every id the file has per table, valid rows or not: a reference to a row that has
    # a problem of its own is not a second problem. (A range when the ids are 1 to n.)
    seen: dict[str, Any] = field(default_factory=dict)


class Fields:
    """Collects the errors of one row's fields, to report them all at once."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def get(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except InvalidRecord as exc:
            self.errors.extend(exc.errors)
        except ValidationError as exc:
            self.errors.append(exc)
        return None

    def done(self) -> None:
        if self.errors:
            raise InvalidRecord(self.errors)


def when(name: str, value: Any) -> str:
    """A moment in the database's one text form (``2026-11-22 14:30:00``)."""
    if type(value) is str and len(value) == 19:  # as an export writes it: fast path
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass  # the full check below says what is wrong
        else:
            # The same text back means no zone, no fraction, no spaces: what the full
            # check would return is the text itself.
            if moment.year >= 1900 and moment.isoformat(" ") == value:
                return value
    return stamp(as_datetime(name, value))


def ref(name: str, value: Any, nullable: bool = False) -> int | None:
    """The id of another row of the file."""
    if type(value) is int and 1 <= value <= MAX_ID:  # the usual case, fast
        return value
    if nullable and (value is None or value == ""):
        return None
    return as_int(name, value, 1, MAX_ID)


def shape(tables: Mapping[str, Any], problems: Problems, out: Checked) -> dict[str, Raw]:
    """Each row an object with known columns and a unique id; rows keyed by id and
    packed. The lists of ``tables`` are taken out of it as they are read (when it is a
    dict), so that the rows as the file had them are not kept beside the packed ones."""
    result: dict[str, Raw] = {}
    packer = Packer()
    for table in TABLES:
        known = KNOWN[table]
        rows: dict[int, tuple[Any, ...]] = {}
        extra: set[int] = set()  # ids of rows with an unknown column
        out.numbers[table] = numbers = RowNumbers()
        given: Any = tables.pop(table, None) if isinstance(tables, dict) else tables.get(table)
        if _dense(given):  # an export's rows: packed, ids 1 to n in file order
            result[table] = Dense(given if isinstance(tables, dict) else list(given))
            out.seen[table] = range(1, len(result[table]) + 1)
            continue
        for number, row in enumerate(given or [], start=1):
            if isinstance(row, tuple):  # packed by the reader: an object with known columns
                rid, packed = row[0], row
            elif type(row) is not dict and not isinstance(row, Mapping):
                problems.add(table, number, "", f"{_short(row)} is not a row with named columns")
                continue
            else:
                rid, packed = row.get("id"), None
            if type(rid) is not int or not 1 <= rid <= MAX_ID:  # the usual case, fast
                try:
                    rid = as_int("id", None if rid is MISSING else rid, 1, MAX_ID)
                except ValidationError as exc:
                    problems.add_error(table, number, exc)
                    continue
            if packed is None:
                unknown = [] if row.keys() <= known else [k for k in row if k not in known]
                if unknown:
                    extra.add(rid)
                    problems.add(table, number, str(unknown[0]), "is not a column of this table")
                    continue
                packed = packer.pack(table, dict(row))
            if rid in rows:
                problems.add(table, number, "id", f"{rid} is used by row {numbers[rid]} too")
                continue
            rows[rid] = packed
            if number != rid:
                numbers[rid] = number
        del given
        ordered = all(a < b for a, b in zip(rows, islice(rows, 1, None), strict=False))
        final = rows if ordered else dict(sorted(rows.items()))
        result[table] = final
        out.seen[table] = _ids(final, extra)
    return result


def _dense(given: Any) -> bool:
    """Whether ``given`` is a list of packed rows with ids 1, 2, 3... in order."""
    if type(given) is not list:
        return False
    # The id's type too: True == 1 to Python, but an id of true is refused.
    return all(
        isinstance(row, tuple) and type(row[0]) is int and row[0] == rid
        for rid, row in enumerate(given, start=1)
    )


def _ids(rows: dict[int, tuple[Any, ...]], extra: set[int]) -> Any:
    """The ids seen (``rows`` in id order): a range when they are exactly 1 to n, as
    in an export, else a set."""
    if not extra and (not rows or (next(iter(rows)) == 1 and next(reversed(rows)) == len(rows))):
        return range(1, len(rows) + 1)
    return set(rows) | extra


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def practitioner(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    f = Fields()
    p = f.get(parse_practitioner, row)
    created = f.get(when, "created_at", row.get("created_at"))
    f.done()
    return {
        "name": p.name,
        "profession": p.profession,
        "credential": p.credential,
        "created_at": created,
    }


def patient(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    f = Fields()
    p = f.get(parse_patient, row, this_year=now.year)
    created = f.get(when, "created_at", row.get("created_at"))
    contact = f.get(as_text, "contact", row.get("contact"), max_len=200)
    f.done()
    return {
        "chart_id": p.chart_id,
        "name": p.name,
        "birth_year": p.birth_year,
        "sex": p.sex,
        "created_at": created,
        "contact": contact or None,
    }


def patient_contact(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """One change of a contact note (schema 0012): one line, or null when cleared."""
    f = Fields()
    # One line: as_text folds line breaks and drops control characters, as for patients.
    contact = f.get(as_text, "contact", row.get("contact"), max_len=200)
    values = {
        "patient_id": f.get(ref, "patient_id", row.get("patient_id")),
        "contact": contact or None,
        "at": f.get(when, "at", row.get("at")),
        "actor_id": f.get(ref, "actor_id", row.get("actor_id"), True),
    }
    f.done()
    return values


def episode(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    f = Fields()
    values = {
        "patient_id": f.get(ref, "patient_id", row.get("patient_id")),
        "complaint": f.get(as_text, "complaint", row.get("complaint"), max_len=500, required=True),
        "body_region": f.get(as_choice, "body_region", row.get("body_region"), BODY_REGIONS),
        "started_on": f.get(as_datetime, "started_on", row.get("started_on")),
        "created_at": f.get(when, "created_at", row.get("created_at")),
    }
    f.done()
    values["started_on"] = values["started_on"].date().isoformat()
    return values


def session_record(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    f = Fields()
    uid = row.get("uid")
    if not isinstance(uid, str) or not _UID.fullmatch(uid):
        f.errors.append(ValidationError("uid", f"{_short(uid)} is not 32 lowercase hex digits"))
    values = {
        "uid": uid,
        "patient_id": f.get(ref, "patient_id", row.get("patient_id")),
        "created_at": f.get(when, "created_at", row.get("created_at")),
    }
    f.done()
    return values


def protocol(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    f = Fields()
    sites = row.get("sites")
    if not isinstance(sites, list):
        f.errors.append(ValidationError("sites", f"{_short(sites)} is not a list of sites"))
    values = {
        "practitioner_id": f.get(ref, "practitioner_id", row.get("practitioner_id")),
        "name": f.get(as_text, "name", row.get("name"), max_len=120, required=True),
        "technique": f.get(as_choice, "technique", row.get("technique"), TECHNIQUES),
        "sites": sites,
        "created_at": f.get(when, "created_at", row.get("created_at")),
    }
    f.done()
    return values


def audit_row(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """An audit row is evidence: kept byte for byte, so only its types are checked."""
    f = Fields()
    actor, entity = row.get("actor_id"), row.get("entity_id")
    # None or a whole number in range is what the full checks return as it is.
    if actor is not None and not (type(actor) is int and 1 <= actor <= MAX_ID):
        actor = f.get(ref, "actor_id", actor, True)
    if entity is not None and not (type(entity) is int and -MAX_ID <= entity <= MAX_ID):
        entity = f.get(opt_int, "entity_id", entity, -MAX_ID, MAX_ID)
    values: dict[str, Any] = {"actor_id": actor, "entity_id": entity}
    for name in ("at", "action", "entity", "detail", "prev_hash", "hash"):
        value = row.get(name)
        if not isinstance(value, str):
            f.errors.append(ValidationError(name, f"{_short(value)} is not text"))
        elif name in ("prev_hash", "hash") and not _HASH.fullmatch(value):
            f.errors.append(ValidationError(name, "is not a SHA-256 hash (64 hex digits)"))
        values[name] = value
    f.done()
    return values


SIMPLE: dict[str, Callable[[Mapping[str, Any], datetime], dict[str, Any]]] = {
    "practitioner": practitioner,
    "patient": patient,
    "patient_contact": patient_contact,
    "episode": episode,
    "session_record": session_record,
    "protocol": protocol,
    "audit_log": audit_row,
}


def _audit_plain(row: tuple[Any, ...]) -> bool:
    """Whether a packed audit row is what :func:`audit_row` returns as it is: the
    plain values of an export (the usual case, checked without a dict)."""
    _, at, actor, action, entity, entity_id, detail, prev, digest = row
    return (
        (actor is None or (type(actor) is int and 1 <= actor <= MAX_ID))
        and (entity_id is None or (type(entity_id) is int and -MAX_ID <= entity_id <= MAX_ID))
        and type(at) is str
        and type(action) is str
        and type(entity) is str
        and type(detail) is str
        and type(prev) is str
        and type(digest) is str
        and _HASH.fullmatch(prev) is not None
        and _HASH.fullmatch(digest) is not None
    )


_PLAIN: dict[str, Callable[[tuple[Any, ...]], bool]] = {"audit_log": _audit_plain}
_PICK = {table: itemgetter(*names[1:]) for table, names in NAMES.items()}


def check_simple(
    raw: dict[str, Raw],
    now: datetime,
    problems: Problems,
    out: Checked,
    checks: Mapping[str, Callable[[Mapping[str, Any], datetime], dict[str, Any]]] | None = None,
    fast: Mapping[str, Callable[[tuple[Any, ...]], tuple[Any, ...] | None]] | None = None,
) -> None:
    """Validate the tables that are not part of a session or a follow-up (their rows
    as the file had them are dropped once checked); ``checks``: other tables' checks;
    ``fast``: a table's fast path, giving the checked values of a plain row (id first)
    exactly as its check would, or None (the check then decides and words each problem)."""
    for table, check in (SIMPLE if checks is None else checks).items():
        kind, pick, plain = ROW_TYPES[table], _PICK[table], _PLAIN.get(table)
        make = kind._make
        quick = fast.get(table) if fast else None
        numbers = out.numbers[table]
        rows: dict[int, Any] = {}
        for rid, row in drain(raw.pop(table)):
            if plain is not None and plain(row):
                # Packed as the named row already, id and all: the checked row as it is.
                rows[rid] = row if type(row) is kind and row[0] is rid else make((rid, *row[1:]))
                continue
            if quick is not None and (done := quick(row)) is not None:
                rows[rid] = make(done)
                continue
            try:
                values = check(as_mapping(table, row), now)
            except ValidationError as exc:
                problems.add_error(table, numbers[rid], exc)
                continue
            rows[rid] = make((rid, *pick(values)))
        out.rows[table] = rows


def check_references(out: Checked, problems: Problems) -> None:
    """Every reference points at a row of the file (of the right table)."""
    for table, columns in TABLES.items():
        refs = [
            (i, c, out.seen.get(c.target, set())) for i, c in enumerate(columns) if c.kind == "ref"
        ]
        numbers = out.numbers.get(table, RowNumbers())
        for rid, values in out.rows.get(table, {}).items():
            for i, c, seen in refs:
                target = values[i]
                if target is not None and target not in seen:
                    problems.add(
                        table,
                        numbers[rid],
                        c.name,
                        f"there is no {c.target.replace('_', ' ')} with id {target} in the file",
                    )

"""How a patient or a practitioner is found from what someone typed: one rule for every
command and screen (issue 14 defect 8; it existed twice, with different rules).

A patient: by chart id (``C001``), else by id (``17``), else by name: the whole name
(``bo kim``) or the unique start of one of its words (``bo``, ``kim``). A practitioner:
by id, else by name in the same way (``sara`` finds "Sara Novak" when she is the only
Sara). An id too large for the database is simply no id (never an OverflowError).
Several matches are refused, naming them, rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ValidationError

if TYPE_CHECKING:
    from ..store import Store
    from ..store.records.people import PatientRow

_Named = TypeVar("_Named", bound=Mapping[str, Any])  # a row with a "name"

MAX_ID = 2**63 - 1  # SQLite's largest integer


def as_id(text: str) -> int | None:
    """``text`` as a row id, or None when it is not a whole number a row could have."""
    key = text.strip()
    if not (key.isascii() and key.isdigit()):
        return None
    value = int(key)
    return value if 1 <= value <= MAX_ID else None


def _by_name(rows: Iterable[_Named], key: str) -> list[_Named]:
    """Rows whose name is ``key`` (any case), else whose name has a word starting with it."""
    low = " ".join(key.lower().split())
    rows = list(rows)
    exact = [r for r in rows if " ".join(str(r["name"]).lower().split()) == low]
    if exact or not low:
        return exact
    return [
        r
        for r in rows
        if str(r["name"]).lower().startswith(low)
        or any(w.startswith(low) for w in str(r["name"]).lower().split())
    ]


def find_patient(store: Store, ref: str | int) -> PatientRow:
    """The patient ``ref`` names (chart id, id, or name). Raises ValidationError("patient")."""
    key = str(ref).strip()
    row = store.patient_by_chart(key) if key else None
    if row is None and (pid := as_id(key)) is not None:
        row = store.patient(pid)
    if row is not None:
        return row
    matches = _by_name(store.search_patients(key, limit=50), key) if key else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(f"{m['chart_id']} {m['name']}" for m in matches[:5])
        raise ValidationError(
            "patient", f"{key!r} matches more than one patient ({names}): give the chart id"
        )
    raise ValidationError(
        "patient", f"no patient with chart id, id or name {key!r} (see `sessionlog patients`)"
    )


def find_practitioner(store: Store, ref: str | int | None) -> int:
    """The practitioner ``ref`` names (id or name); the only one when ``ref`` is None.
    Raises ValidationError("practitioner")."""
    people = store.practitioners()
    if ref is None:
        if len(people) == 1:
            return int(people[0]["id"])
        raise ValidationError(
            "practitioner",
            "say who treated: --practitioner ID or NAME"
            if people
            else "add a practitioner first: `sessionlog practitioners add`",
        )
    return pick_practitioner(people, ref)


def pick_practitioner(people: Iterable[Mapping[str, Any]], ref: str | int) -> int:
    """The one of ``people`` (rows with ``id`` and ``name``) that ``ref`` names, by the
    rule above; for a list read from elsewhere, such as a backup about to be restored."""
    people = list(people)
    key = str(ref).strip()  # a JSON document may give the id as a number
    pid = as_id(key)
    if pid is not None and any(p["id"] == pid for p in people):
        return pid
    matches = _by_name(people, key)
    if len(matches) == 1:
        return int(matches[0]["id"])
    known = ", ".join(f"{p['id']} {p['name']}" for p in people) or "none yet"
    problem = "matches more than one practitioner" if matches else "is not a practitioner"
    raise ValidationError("practitioner", f"{key!r} {problem}: give an id or a name ({known})")

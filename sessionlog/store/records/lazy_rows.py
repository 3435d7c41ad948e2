"""Rows that some reads return, as frozen dataclasses made when first used.

Making a frozen dataclass runs generated code for each of its methods: 4 million
instructions, 0.5-1 ms, each. The store's modules load before the app's first frame
(the sign-in screen), which reads none of these rows, so they are made here, on the
first read that returns one; their modules import them only under TYPE_CHECKING and
inside those reads (issue 17).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScaleReadingRow:
    """One current scale reading as stored."""

    id: int
    patient_id: int
    session_record_id: int
    follow_up_id: int | None
    scale: str
    at: str
    items: tuple[int | None, ...] | None
    labels: tuple[str, ...]
    score: float
    entered_by: str
    recorded_by: int
    recorded_at: str
    supersedes_id: int | None = None


@dataclass(frozen=True)
class ContactRow:
    """One change of a patient's contact note (``contact`` None: cleared)."""

    id: int
    patient_id: int
    contact: str | None
    at: str
    actor_id: int | None


@dataclass(frozen=True)
class AccessRow:
    """One time a patient's data was looked at (or exported with everyone's)."""

    at: str
    practitioner_id: int | None
    practitioner: str | None  # the name, None when nobody was identified
    action: str  # "view", "report", "export" or "backup"
    what: str  # one of VIEWS, or the export's format


@dataclass(frozen=True)
class Access:
    """One practitioner's sign-in row."""

    practitioner_id: int
    secret_hash: str
    salt: str
    params: str
    role: str  # 'admin' | 'practitioner'
    must_change: bool
    failed_attempts: int
    last_failed_at: str | None

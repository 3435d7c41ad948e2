"""The clinic's due windows: the checks after a session its due list chases.

Stored in the database (schema 0015, key :data:`KEY`) as the text
:func:`sessionlog.analysis.due.parse_checks` reads (``"24h-72h,1w,4w,12w"``); until a
clinic sets its own, :data:`sessionlog.analysis.due.DEFAULT_CHECKS`. Home's due list
and ``sessionlog due`` both read them here. Only an admin changes them (when the clinic
has one), and each change is kept, with its audit row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analysis.due import DEFAULT_CHECKS, Check, parse_checks
from ..errors import ValidationError

if TYPE_CHECKING:
    from ..store import Store

KEY = "due_checks"
FIELD = "due windows"


def _parse(text: str) -> tuple[Check, ...]:
    try:
        return parse_checks(text)
    except ValidationError as exc:
        raise ValidationError(FIELD, exc.message) from None


def clinic_checks(store: Store) -> tuple[Check, ...]:
    """The clinic's checks (the defaults until it sets its own)."""
    text = store.setting(KEY)
    return DEFAULT_CHECKS if text is None else _parse(text)


def describe(checks: tuple[Check, ...]) -> str:
    """The checks as a line: "24h-72h, 1w" (the defaults by their labels)."""
    return ", ".join(c.label for c in checks)


def set_clinic_checks(store: Store, text: str, actor_id: int) -> tuple[Check, ...]:
    """Check and keep new windows for the clinic; returns them."""
    access = store.access(actor_id)
    if store.has_admin() and (access is None or access.role != "admin"):
        raise ValidationError(FIELD, "only an admin changes the clinic's due windows")
    checks = _parse(text)
    store.set_setting(KEY, ",".join(c.key for c in checks), actor_id)
    return checks

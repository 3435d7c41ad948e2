"""Opening a patient's screen leaves an access row in the audit log (store/records/access.py).

Called once from each patient screen's ``on_mount`` (record, history, progress,
patient view), never on a cursor move: Home and the lists write nothing.
"""

from __future__ import annotations

from typing import Any

from ..errors import DatabaseError


def record_access(app: Any, patient_id: int, what: str) -> None:
    """Log that the signed-in practitioner opened ``what`` of ``patient_id``.

    A database too busy to take the row (another workstation saving a batch) does not
    hide the screen from its practitioner: it is said, once, in a warning.
    """
    try:
        # An app with no sign-in (a test's host app) logs the view under nobody.
        app.store.log_access(getattr(app, "practitioner_id", None), patient_id, what)
    except DatabaseError as exc:
        app.notify(f"This view could not be written to the access log: {exc}", severity="warning")

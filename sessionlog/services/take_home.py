"""Writing one patient's take-home report (HTML), audited like every export.

Gathers only that patient's figures (progress, scale readings, GROC from their
follow-ups), renders them with :mod:`sessionlog.charts.take_home`, writes the file
atomically with owner-only permissions, and logs the export.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..analysis import patient_sentences
from ..analysis.scale_course import NamedReading, Reading, ScaleCourse, scale_courses
from ..charts.take_home import TakeHome, render_take_home
from ..exchange.export import write_atomically
from ..private_files import make_private_folder
from ..store.file.guard import check_output
from .reports import progress_report

if TYPE_CHECKING:
    from ..store import Store


def patient_scales(store: Store, patient_id: int) -> list[ScaleCourse]:
    """The patient's scale courses (GROC joined from follow-ups), each reading with the
    activities it names (PSFS)."""
    rows = store.scale_readings(patient_id)
    readings: list[Reading | NamedReading] = [
        (r.scale, datetime.fromisoformat(r.at), r.score, r.entered_by, r.labels, r.items)
        for r in rows
    ]
    for at, groc in store.follow_up_grocs(patient_id):
        readings.append(("GROC", datetime.fromisoformat(at), float(groc), ""))
    return scale_courses(readings)


def take_home_html(store: Store, patient_id: int) -> str:
    """The report page for one patient, as text."""
    who = store.patient(patient_id)
    assert who is not None
    progress = progress_report(store, patient_id)
    courses = patient_scales(store, patient_id)
    report = TakeHome(
        name=str(who["name"]),
        chart_id=str(who["chart_id"]),
        made_at=store.clock(),
        clinic=os.environ.get("SESSIONLOG_CLINIC_NAME", "").strip() or "sessionlog",
        progress=progress,
        sentences=tuple(patient_sentences(progress)),
        scales=tuple(courses),
    )
    return render_take_home(report)


def write_take_home(
    store: Store, patient_id: int, dest: Path, actor_id: int | None, *, force: bool = False
) -> Path:
    """Write the report to ``dest`` (0600) and record the export in the audit log (before
    the file is there: no report out without its audit row). An existing file is
    replaced only with ``force``, and a database never."""
    check_output(dest, store.path, force=force)
    page = take_home_html(store, patient_id)

    def write(path: Path) -> None:
        path.write_text(page, encoding="utf-8")
        os.chmod(path, 0o600)

    def log() -> None:
        store.log_event(
            actor_id, "export", "report", patient_id=patient_id, format="html",
            destination=str(dest),
        )  # fmt: skip

    write_atomically(dest, write, log, what="report")
    return dest


def report_dir(store: Store) -> Path:
    """Where the app writes reports: ``$SESSIONLOG_REPORT_DIR`` (a folder that must
    exist), else a ``reports`` folder beside the database (the working folder for a
    database in memory): the app's own, made 0700 when missing."""
    env = os.environ.get("SESSIONLOG_REPORT_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    base = Path.cwd() if store.path == ":memory:" else Path(store.path).resolve().parent
    make_private_folder(base / "reports")
    return base / "reports"


def write_take_home_default(store: Store, patient_id: int, actor_id: int | None) -> Path:
    """Write the report under :func:`report_dir` as ``CHART-YYYY-MM-DD.html``."""
    who = store.patient(patient_id)
    assert who is not None
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in str(who["chart_id"]))
    name = f"{safe}-{store.clock().date().isoformat()}.html"
    # The day's report again replaces the one written earlier that day.
    return write_take_home(store, patient_id, report_dir(store) / name, actor_id, force=True)

"""Outcome scales by technique (``s`` on the compare screen, ``sessionlog scale compare``).

The figure follows ``ScaleCompareScreen``'s call path minus Textual's painting: a fresh
``Store.open`` (as the screen's worker would), ``store.scale_facts``, ``compare_scales``
and every shown cell's text. The generated clinics give half their patients NDI or ODI,
PSFS and GROC readings as the demo clinic does (``clinic.py``), so this row sees what
review20 found by hand: a join that took 20 s at 2,500 sessions.

Baseline: one raw SQL read of every current reading with its session's technique (the
facts the comparison needs, without following amended follow-ups), alternated with it.
The issue sets no target for this screen; it is held to the compare screen's (50 ms).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .bench_save import scratch_copy
from .clinic import END
from .measure import Row, ms, paired, percentile, ratio, unavailable, verdict

TARGET = "<= 50 ms (as compare)"
RAW_SQL = (
    "SELECT r.patient_id, r.scale, r.at, r.score, s.technique FROM scale_reading r"
    " JOIN session s ON s.record_id = r.session_record_id AND s.status = 'active'"
    " WHERE r.status = 'active'"
)


def run(db: Path, repeat: int) -> list[Row]:
    """The scale comparison's row, on a scratch copy of ``db``."""
    title = "scale compare over all data: facts, figures and cells' text"
    try:
        from sessionlog.analysis.scale_compare import compare_scales
        from sessionlog.services.scales import cell_text
        from sessionlog.store import Store
    except ImportError as exc:
        return [unavailable(title, f"scale modules: {exc}", TARGET)]
    with tempfile.TemporaryDirectory(prefix="sessionlog-bench-") as tmp:
        path = scratch_copy(db, Path(tmp))
        store = Store.open(path, clock=lambda: END)
        readings = store.conn.execute("SELECT count(*) FROM scale_reading").fetchone()[0]

        def ours() -> None:
            own = Store.open(path, clock=lambda: END)
            try:
                for g in compare_scales(own.scale_facts()):
                    for c in g.cells:
                        if c.patients:
                            cell_text(c, g.scale)
            finally:
                own.close()

        def raw() -> None:
            store.conn.execute(RAW_SQL).fetchall()

        a, b = paired(ours, raw, max(3, repeat // 4), warmup=1)
        store.close()
    a50, b50 = percentile(a, 50), percentile(b, 50)
    return [
        Row(
            f"{title}, {readings:,} readings (median of {len(a)})",
            ms(a50),
            ms(b50),
            ratio(a50, b50),
            TARGET,
            verdict(a50 <= 0.050),
        )
    ]

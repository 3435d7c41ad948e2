"""Sample sessions for the store tests (patients 1 and 2, practitioner 1 of conftest)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sessionlog.domain import parse_session
from sessionlog.domain.models import SessionInput
from sessionlog.store import Store

NOW_TEXT = "2026-11-22 10:00:00"  # conftest's fixed clock, as the database writes it


def sql_rows(store: Store, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows of a read-only query as dicts: raw SQL for the tests only (the Store has no
    public door for it; the front ends read through its typed methods)."""
    cursor = store.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rows(store: Store, sql: str, *params: Any) -> list[dict[str, Any]]:
    return sql_rows(store, sql, params)


def dry_needling(patient_id: int = 1, **extra: Any) -> SessionInput:
    return parse_session(
        {
            "technique": "dry_needling",
            "patient_id": patient_id,
            "practitioner_id": 1,
            "started_at": "2026-11-20 09:15",
            "consent": True,
            "pain_before": 7,
            "pain_after": 3,
            "pain_during": 5,
            "soreness_after": 4,
            "face_to_face_min": 25,
            "co_interventions": ["exercise"],
            "notes": "Tolerated well.",
            "sites": [
                {
                    "target": "upper trap",
                    "side": "left",
                    "twitch_count": 3,
                    "depth_value": 20,
                    "needle_diameter_mm": 0.3,
                    "needle_length_mm": 40,
                },
                {"target": "infraspinatus", "side": "right", "insertions": 2},
            ],
            "adverse_events": [{"tier": "mild", "kind": "bruising", "description": "small"}],
            **extra,
        },
        now=datetime(2026, 11, 22, 10, 0),
    )


def ims(patient_id: int = 1) -> SessionInput:
    return parse_session(
        {
            "technique": "ims",
            "patient_id": patient_id,
            "practitioner_id": 1,
            "started_at": "2026-11-21 14:00",
            "consent": "yes",
            "pain_before": 6,
            "sites": [{"target": "L4-L5", "side": "bilateral", "grasp": "strong"}],
            "ims_findings": [{"level": "l4-5", "paraspinal_tenderness": True, "coldness": "yes"}],
        },
        now=datetime(2026, 11, 22, 10, 0),
    )

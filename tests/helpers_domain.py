"""Building raw session input for the domain tests, and collecting its problems."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from sessionlog.domain import InvalidRecord, parse_session

NOW = datetime(2026, 11, 22, 10, 0)


def fixed_clock() -> datetime:
    """The suite's 'now': Sunday 22 November 2026, 10:00."""
    return NOW


def session_data(technique: str, sites: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "technique": technique,
        "patient_id": 1,
        "practitioner_id": 1,
        "consent": True,
        "pain_before": 6,
        "sites": sites,
        **extra,
    }


def problems(data: dict[str, Any]) -> dict[str, str]:
    """Every field parse_session refuses, with its message."""
    with pytest.raises(InvalidRecord) as caught:
        parse_session(data, now=NOW)
    return {e.field: e.message for e in caught.value.errors}

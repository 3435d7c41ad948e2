"""An episode of care as typed: the complaint and the body region it is in.

A session belongs to an episode (one complaint, one region, over many sessions), so
that outcomes can be compared by region and complaint. The region is one of
:data:`~.techniques.BODY_REGIONS`, typed as shown (``low back``) or by a unique start
(``lo``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from .fields import _collect, _raise_if, as_text
from .models import Episode
from .techniques import BODY_REGIONS


def region_words(region: str) -> str:
    """``low_back`` -> ``low back``: a region as the screens show and accept it."""
    return region.replace("_", " ")


SEPARATOR = "·"  # between an episode's complaint, region and start, as the app names it


def complaint_key(text: str) -> str:
    """What tells two complaints apart: ``Café  knee``, ``cafe\u0301 knee`` and ``café
    knee\u200b`` are one (Unicode's compatibility form, no invisible format characters,
    spaces collapsed, any case)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split()).casefold()


def describe_episode(complaint: str, region: str, started_on: str) -> str:
    """``neck pain · neck · since 2026-11-16``: an episode in one line."""
    return f" {SEPARATOR} ".join((complaint, region_words(region), f"since {started_on}"))


def as_region(field: str, value: Any) -> str:
    """A body region from what was typed: its name (``low back``, ``low_back``) or the
    unique start of one (``lo``)."""
    allowed = ", ".join(region_words(r) for r in BODY_REGIONS)
    text = " ".join(str(value or "").split()).lower().replace(" ", "_")
    if not text:
        raise ValidationError(field, f"is required: one of {allowed}")
    if text in BODY_REGIONS:
        return text
    starts = [r for r in BODY_REGIONS if r.startswith(text)]
    if len(starts) == 1:
        return starts[0]
    raise ValidationError(field, f"{str(value).strip()!r} is not a body region: one of {allowed}")


def parse_episode(data: Mapping[str, Any], *, patient_id: int, started_on: str) -> Episode:
    """Validate a new episode of care: ``complaint`` and ``body_region``."""
    errors: list[ValidationError] = []
    complaint = _collect(
        errors, as_text, "complaint", data.get("complaint"), max_len=200, required=True
    )
    if complaint and SEPARATOR in complaint:
        errors.append(
            ValidationError(
                "complaint",
                f"{SEPARATOR!r} is not allowed: the app names an episode as complaint"
                f" {SEPARATOR} region {SEPARATOR} start",
            )
        )
    region = _collect(errors, as_region, "body_region", data.get("body_region"))
    _raise_if(errors)
    return Episode(
        patient_id=patient_id,
        complaint=complaint or "",
        body_region=region or "",
        started_on=started_on,
    )

"""Analysis results as plain JSON-ready data, with every figure's n and interval."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, datetime
from typing import Any

from .relief import Durability, WindowRelief
from .stats import Proportion


def to_jsonable(obj: Any, digits: int = 3) -> Any:
    """Dataclasses, tuples and dicts as JSON-ready values; floats rounded; inf → None."""
    if isinstance(obj, Durability):
        return {
            "short": obj.short_key,
            "long": obj.long_key,
            "retained_percent": to_jsonable(obj.retained_percent, digits),
            "note": obj.note,
            "kept": to_jsonable(obj.kept, digits),  # within the same sessions (ReliefKept)
        }
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_jsonable(getattr(obj, f.name), digits) for f in dataclasses.fields(obj)}
        if isinstance(obj, Proportion):
            out["value"] = to_jsonable(obj.value, digits)
        if isinstance(obj, WindowRelief):
            out["note"] = obj.note
        return out
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else round(obj, digits)
    if isinstance(obj, (datetime, date)):
        return obj.isoformat(sep=" ") if isinstance(obj, datetime) else obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v, digits) for v in obj]
    return obj

"""Outcome scales beyond pain: the catalogue (data), and scoring what a patient answered.

The catalogue lives in ``sessionlog/data/scales.json``: each scale's code, name, item
count, answer range, scoring rule, direction and minimal clinically important change
(MCID) with its published source. No questionnaire text is shipped. A clinic adds a
scale by adding an entry there, or by pointing ``$SESSIONLOG_SCALES`` at a JSON file
holding a list of entries with the same keys (its codes must be new).

One scoring rule covers every scale here:
``score = (mean of the answered items - offset) x factor``. NDI (10 items 0-5, factor
10) is then the sum, scaled to the items answered when one is missing; ODI (factor 20)
is sum / (5 x answered) x 100; QuickDASH (offset 1, factor 25) is (mean - 1) x 25;
PSFS (factor 1) is the mean of the activities; PGIC and GROC are their one answer.
``min_items`` says how many answers the scale needs: fewer are refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .fields import quoted

DIRECTIONS = ("higher_better", "higher_worse")
ENTERED_BY = ("practitioner", "patient")
MAX_LABEL = 80  # an activity the patient names (PSFS)
MAX_ITEMS = 60  # a clinic's own scale may have many items, not unboundedly many
ENV_EXTRA = "SESSIONLOG_SCALES"


@dataclass(frozen=True)
class Scale:
    """One scale of the catalogue: how it is answered, scored and read."""

    code: str
    name: str
    items: int
    min_items: int
    item_min: int
    item_max: int
    offset: float
    factor: float
    score_min: float
    score_max: float
    decimals: int
    direction: str  # "higher_better" | "higher_worse"
    named_items: bool  # the patient names each item (PSFS activities)
    percent: bool  # also shown as a percentage of the range (NDI)
    unit: str  # "%" when the score itself is a percentage (ODI); else ""
    mcid: float | None
    mcid_source: str
    responder_min: float | None  # a single answer at or above this is a responder
    responder_max: float | None  # ... at or below this
    responder_source: str
    loinc: str
    regions: tuple[str, ...]  # body regions it is meant for (empty: any)
    # An improvement of this percent of the room the first score had (to the best score)
    # is important too, whichever is reached first (ODI: 10 points or 30%, Ostelo 2008).
    mcid_percent: float | None = None

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher_better"

    def rounded(self, value: float) -> float:
        return round(value, self.decimals)

    def as_percent(self, score: float) -> float:
        """The score as a percentage of the scale's range (NDI 18 of 50 is 36%)."""
        return round((score - self.score_min) / (self.score_max - self.score_min) * 100, 1)

    def improvement(self, before: float, after: float) -> float:
        """How much better ``after`` is than ``before`` (negative: worse), in points."""
        return after - before if self.higher_is_better else before - after

    def needed(self, before: float) -> float | None:
        """The improvement from ``before`` that is important: the MCID in points, or its
        percent of the room ``before`` had to the best score when that is less (None:
        the scale has no MCID)."""
        if self.mcid is None:
            return None
        room = self.score_max - before if self.higher_is_better else before - self.score_min
        if self.mcid_percent is None or room <= 0:
            return self.mcid
        return min(self.mcid, self.mcid_percent / 100 * room)

    @property
    def mcid_words(self) -> str:
        """``"10 points or 30%"``, ``"2 points"`` (empty without an MCID)."""
        if self.mcid is None:
            return ""
        pct = "" if self.mcid_percent is None else f" or {self.mcid_percent:g}%"
        return f"{self.mcid:g} points{pct}"

    def important(self, before: float, after: float) -> bool | None:
        """Whether the improvement reaches the MCID, in points or (``mcid_percent``) in
        percent (None: the scale has no MCID)."""
        needed = self.needed(before)
        if needed is None:
            return None
        return self.improvement(before, after) >= needed - 1e-9

    def responder(self, score: float) -> bool | None:
        """Whether one answer counts as a responder (PGIC 1-2, GROC +4 or more)."""
        if self.responder_min is not None:
            return score >= self.responder_min
        if self.responder_max is not None:
            return score <= self.responder_max
        return None

    def allowed(self) -> str:
        """What an answer may be, in words: "whole numbers 0-5"."""
        return f"whole numbers {self.item_min} to {self.item_max}"


_NUMBERS = ("items", "min_items", "item_min", "item_max", "decimals")
_REALS = ("offset", "factor", "score_min", "score_max")


def _scale(raw: Mapping[str, Any], where: str) -> Scale:
    """One catalogue entry, checked; a bad entry names itself and the key."""
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 40:
        raise ValidationError(f"{where}.code", "give the scale a short code (1-40 characters)")
    at = f"{where} ({code})"

    def need(key: str, kind: type | tuple[type, ...]) -> Any:
        value = raw.get(key)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise ValidationError(f"{at}.{key}", f"is missing or not a {kind}")
        return value

    values: dict[str, Any] = {k: need(k, int) for k in _NUMBERS}
    values.update({k: float(need(k, (int, float))) for k in _REALS})
    opt = {}
    for key in ("mcid", "mcid_percent", "responder_min", "responder_max"):
        v = raw.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise ValidationError(f"{at}.{key}", "must be a number or null")
        opt[key] = None if v is None else float(v)
    direction = raw.get("direction")
    if direction not in DIRECTIONS:
        raise ValidationError(f"{at}.direction", f"must be one of {', '.join(DIRECTIONS)}")
    if not 1 <= values["min_items"] <= values["items"] <= MAX_ITEMS:
        raise ValidationError(f"{at}.min_items", f"must be 1 to items (1-{MAX_ITEMS})")
    if values["item_min"] >= values["item_max"] or values["score_min"] >= values["score_max"]:
        raise ValidationError(f"{at}.item_max", "each range's maximum must exceed its minimum")
    if opt["mcid"] is not None and opt["mcid"] and not str(raw.get("mcid_source", "")).strip():
        raise ValidationError(f"{at}.mcid_source", "name the published source of the MCID")
    regions = raw.get("regions") or []
    return Scale(
        code=code.strip(),
        name=str(raw.get("name") or code),
        direction=str(direction),
        named_items=bool(raw.get("named_items", False)),
        percent=bool(raw.get("percent", False)),
        unit=str(raw.get("unit", "")),
        mcid_source=str(raw.get("mcid_source", "")),
        responder_source=str(raw.get("responder_source", "")),
        loinc=str(raw.get("loinc", "")),
        regions=tuple(str(r) for r in regions),
        items=values["items"],
        min_items=values["min_items"],
        item_min=values["item_min"],
        item_max=values["item_max"],
        decimals=values["decimals"],
        offset=values["offset"],
        factor=values["factor"],
        score_min=values["score_min"],
        score_max=values["score_max"],
        mcid=opt["mcid"],
        responder_min=opt["responder_min"],
        responder_max=opt["responder_max"],
        mcid_percent=opt["mcid_percent"] if opt["mcid"] is not None else None,
    )


def _entries(text: str, where: str) -> list[Mapping[str, Any]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(where, f"is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    entries = doc.get("scales") if isinstance(doc, dict) else doc
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValidationError(where, 'must hold a list of scales (or {"scales": [...]})')
    return entries


@cache
def _load(extra: str) -> dict[str, Scale]:
    text = resources.files("sessionlog").joinpath("data", "scales.json").read_text("utf-8")
    sources = [("scales.json", text)]
    if extra:
        try:
            sources.append((extra, Path(extra).expanduser().read_text(encoding="utf-8")))
        except OSError as exc:
            raise ValidationError(ENV_EXTRA, f"{extra}: {exc.strerror or exc}") from None
    out: dict[str, Scale] = {}
    for where, body in sources:
        for i, raw in enumerate(_entries(body, where)):
            s = _scale(raw, f"{where}[{i}]")
            if s.code.lower() in {c.lower() for c in out}:
                raise ValidationError(f"{where}[{i}].code", f"{s.code} is already a scale")
            out[s.code] = s
    return out


def catalogue() -> dict[str, Scale]:
    """Every scale by code: the shipped ones, then the clinic's ($SESSIONLOG_SCALES)."""
    return _load(os.environ.get(ENV_EXTRA, ""))


def find_scale(code: str) -> Scale:
    """A scale by its code, in any case; an unknown code lists the known ones."""
    scales = catalogue()
    for s in scales.values():
        if s.code.lower() == str(code).strip().lower():
            return s
    raise ValidationError("scale", f"{code!r} is not a known scale: one of {', '.join(scales)}")


def scales_for_region(region: str) -> tuple[Scale, ...]:
    """The scales meant for a body region (neck: NDI), then those for any region."""
    return tuple(s for s in catalogue().values() if region in s.regions)


# -- scoring ------------------------------------------------------------------------

MISSING_MARKS = ("", "-", "x", "?", "na", "n/a")


def parse_items(text: str | Sequence[object]) -> list[int | None]:
    """Answers as typed: ``"1,2,,3"`` (a blank, ``-`` or ``x`` is an unanswered item),
    or a list. Whole numbers only; anything else names the item."""
    parts: Sequence[object] = text.split(",") if isinstance(text, str) else text
    if len(parts) > MAX_ITEMS:
        raise ValidationError("items", f"at most {MAX_ITEMS} answers")
    out: list[int | None] = []
    for i, part in enumerate(parts, 1):
        if part is None or isinstance(part, str) and part.strip().lower() in MISSING_MARKS:
            out.append(None)
            continue
        if isinstance(part, bool) or not isinstance(part, int | str | float):
            raise ValidationError("items", f"item {i} is not a number")
        try:
            value = float(str(part).strip())
        except ValueError:
            raise ValidationError(
                "items",
                f"item {i} is {quoted(str(part).strip())}: give whole numbers, or - when"
                " the patient left it blank",
            ) from None
        if value != int(value):
            raise ValidationError("items", f"item {i} is {part}: answers are whole numbers")
        out.append(int(value))
    return out


@dataclass(frozen=True)
class Scored:
    score: float
    answered: int  # items answered (0 when a total was typed)


def score_items(scale: Scale, items: Sequence[int | None]) -> Scored:
    """Score the answers by the scale's rule; refuse what the rule does not allow."""
    if scale.named_items:
        if not 1 <= len(items) <= scale.items:
            raise ValidationError(
                "items", f"{scale.code} takes 1 to {scale.items} answers ({len(items)} given)"
            )
    elif len(items) != scale.items:
        raise ValidationError(
            "items",
            f"{scale.code} has {scale.items} item{'s' if scale.items != 1 else ''}:"
            f" give {scale.items} answers, - for one left blank ({len(items)} given)",
        )
    for i, v in enumerate(items, 1):
        if v is not None and not scale.item_min <= v <= scale.item_max:
            raise ValidationError(
                "items", f"item {i} is {v}; {scale.code} answers are {scale.allowed()}"
            )
    answered = [v for v in items if v is not None]
    if len(answered) < scale.min_items:
        blank = len(items) - len(answered)
        allowed = scale.items - scale.min_items
        rule = f"at most {allowed} may be left blank" if allowed else "every item must be answered"
        raise ValidationError(
            "items",
            f"{scale.code} cannot be scored with {blank} item{'s' if blank != 1 else ''}"
            f" unanswered: {rule}",
        )
    mean = sum(answered) / len(answered)
    return Scored(scale.rounded((mean - scale.offset) * scale.factor), len(answered))


def check_total(scale: Scale, total: object) -> Scored:
    """A total scored by hand: a number in the scale's range."""
    lo, hi = _fmt(scale.score_min), _fmt(scale.score_max)
    try:
        value = float(str(total).strip())
    except ValueError:
        raise ValidationError("total", f"{quoted(total)} is not a number: {lo} to {hi}") from None
    given = total if len(str(total)) <= 40 else quoted(total)  # not 3,000 pasted characters
    if value != value or not scale.score_min <= value <= scale.score_max:
        raise ValidationError("total", f"{scale.code} totals are {lo} to {hi} ({given} given)")
    if abs(scale.rounded(value) - value) > 1e-9:  # never rounded unseen: GROC 3.6 is not +4
        places = "whole numbers" if scale.decimals == 0 else _decimals(scale.decimals)
        raise ValidationError(
            "total", f"{scale.code} totals are {places} from {lo} to {hi} ({given} given)"
        )
    return Scored(scale.rounded(value), 0)


def _decimals(n: int) -> str:
    return f"numbers with {n} decimal" + ("" if n == 1 else "s")


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


def format_score(scale: Scale, score: float) -> str:
    """``"18 of 50 (36%)"``, ``"42%"``, ``"5.4 of 10"``, ``"+5"``."""
    text = f"{score:.{scale.decimals}f}"
    if float(text) == 0:  # never "-0"
        text, score = f"{0.0:.{scale.decimals}f}", 0.0
    if scale.score_min < 0 and score > 0:
        text = "+" + text
    if scale.percent:
        return f"{text} of {_fmt(scale.score_max)} ({scale.as_percent(score):.0f}%)"
    if scale.unit:
        return f"{text}{scale.unit}"
    return f"{text} of {_fmt(scale.score_max)}" if scale.score_min >= 0 else text


# -- a reading to store -------------------------------------------------------------


def activity_key(name: str) -> str:
    """``"Lifting  a Child"`` and ``"lifting a child"`` are one activity."""
    return " ".join(name.casefold().split())


def check_activity_names(names: Sequence[str], field: str = "labels") -> None:
    """The one check that no activity is named twice in a reading (a PSFS scores each
    activity once): ``scale record --activity`` and the app's activities field both
    refuse so, with these words. An import does not: a reading saved before this check
    comes back as it was saved."""
    seen: set[str] = set()
    for name in names:
        key = activity_key(name)
        if key in seen:
            raise ValidationError(field, f"{name.strip()} is named twice: name each activity once")
        seen.add(key)


def _activities(n: int) -> str:
    return f"{n} activit{'y' if n == 1 else 'ies'}"


@dataclass(frozen=True)
class ScaleReadingInput:
    """One scale answered by a patient, validated and scored, ready to store."""

    patient_id: int
    session_record_id: int
    scale: str
    at: datetime
    score: float
    items: tuple[int | None, ...] | None  # None: only the total was recorded
    labels: tuple[str, ...] = ()
    entered_by: str = "practitioner"
    follow_up_id: int | None = None


def parse_scale_reading(data: Mapping[str, Any], *, now: datetime) -> ScaleReadingInput:
    """Validate and score a reading: the items or the total (not both), who entered it."""
    from .fields import as_datetime, as_int

    scale = find_scale(str(data.get("scale") or ""))
    items_raw, total = data.get("items"), data.get("total")

    def given(v: object) -> bool:
        return v is not None and v != ""

    if given(items_raw) == given(total):
        raise ValidationError("items", f"give the {scale.code} item answers or its total (one)")
    items: tuple[int | None, ...] | None = None
    if given(items_raw):
        parsed = parse_items(items_raw)  # type: ignore[arg-type]  # given: not None
        scored = score_items(scale, parsed)
        items = tuple(parsed)
    else:
        scored = check_total(scale, total)
    labels = tuple(str(x).strip() for x in (data.get("labels") or ()))
    if labels and not scale.named_items:
        raise ValidationError("labels", f"{scale.code} items are not named by the patient")
    if items is not None and labels and len(labels) != len(items):
        raise ValidationError(
            "labels",
            f"{_activities(len(labels))} named for {len(items)} answer{'s' * (len(items) != 1)}:"
            " name one activity for each answer, in the answers' order"
            " (scale record: one --activity per answer of --items)",
        )
    for lab in labels:
        if not lab or len(lab) > MAX_LABEL or any(ord(c) < 32 for c in lab):
            raise ValidationError("labels", f"an activity is 1-{MAX_LABEL} printable characters")
    entered_by = str(data.get("entered_by") or "practitioner")
    if entered_by not in ENTERED_BY:
        raise ValidationError("entered_by", f"must be one of {', '.join(ENTERED_BY)}")
    follow_up = data.get("follow_up_id")
    return ScaleReadingInput(
        patient_id=as_int("patient_id", data.get("patient_id"), 1),
        session_record_id=as_int("session_record_id", data.get("session_record_id"), 1),
        scale=scale.code,
        at=as_datetime("at", data.get("at") or now, now=now),
        score=scored.score,
        items=items,
        labels=labels,
        entered_by=entered_by,
        follow_up_id=None if follow_up in (None, "") else as_int("follow_up_id", follow_up, 1),
    )

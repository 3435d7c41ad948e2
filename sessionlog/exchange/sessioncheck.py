"""Checking sessions (every version, with sites, IMS findings and adverse events) and
follow-ups of an import file through the domain's ``parse_session``/``parse_follow_up``.

A problem in a site is reported on that site's own row (``site.csv row 40: side``),
not on its session, so the user can find it in the file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from operator import itemgetter
from typing import Any

from ..domain.models import Site
from ..domain.validate import (
    InvalidRecord,
    as_bool,
    as_choice,
    as_int,
    as_text,
    parse_follow_up,
    parse_session,
    parse_site,
)
from ..errors import ValidationError
from ..store.rows import (
    IMS_COLUMNS,
    SESSION_COLUMNS,
    SITE_COLUMNS,
    ims_values,
    session_values,
    site_values,
    stamp,
)
from .problems import Problems
from .rowcheck import Checked, Fields, Raw, ref, when

_PART = re.compile(r"(sites|adverse_events|ims_findings)\[(\d+)\]\.?(.*)")
_PART_TABLE = {"sites": "site", "adverse_events": "adverse_event", "ims_findings": "ims_finding"}
STATUSES = ("active", "void")

Kids = dict[int, list[tuple[int, int, Mapping[str, Any]]]]  # parent -> [(id, row no, row)]


class SiteMemo:
    """``parse_site`` remembered by content: a clinic's sites repeat (the same points,
    the same needles), and a large import would otherwise check each one again. The
    database values of a site (with the thorax flag as recorded) are remembered too."""

    def __init__(self) -> None:
        # key -> [Site, database values by column or None]
        self.cache: dict[tuple[Any, ...], list[Any]] = {}
        self.last: dict[int, list[Any]] = {}  # id(row) -> its cache entry, until values()

    @staticmethod
    def key(raw: Mapping[str, Any], technique: str) -> tuple[Any, ...]:
        quality = raw.get("deqi_quality", _MISSING)  # a list in JSON: the one list column
        try:
            values = _scalar_site_values(raw)  # every column there: the usual case
        except KeyError:  # a missing column is not a null one (insertions defaults to 1)
            values = tuple(raw.get(c, _MISSING) for c in _SCALAR_SITE_COLUMNS)
        # The types too: True == 1 == 1.0 to Python, but a count refuses true.
        return (
            technique,
            tuple(quality) if isinstance(quality, list) else quality,
            values,
            tuple(map(type, values)),
        )

    def __call__(self, raw: Mapping[str, Any], technique: str, field: str = "site") -> Site:
        try:
            key = self.key(raw, technique)
            hit = self.cache.get(key)
        except TypeError:  # an unhashable value where a number goes: checked, not kept
            return parse_site(raw, technique, field=field)
        if hit is None:
            hit = self.cache[key] = [parse_site(raw, technique, field=field), None]
        self.last[id(raw)] = hit  # values() comes next for the same row
        return hit[0]

    def values(self, raw: Mapping[str, Any], technique: str, site: Site) -> dict[str, Any]:
        """The site's database values by column (a dict the caller may not change); the
        thorax flag recorded at the time is kept, even if the catalogue changed since."""
        hit = self.last.pop(id(raw), None)
        if hit is None:
            try:
                hit = self.cache.get(self.key(raw, technique))
            except TypeError:
                hit = None
        if hit is not None and hit[1] is not None:
            return hit[1]
        values = list(site_values(site))
        if raw.get("thorax_risk") not in (None, ""):
            values[_THORAX] = int(as_bool("thorax_risk", raw["thorax_risk"]))
        by_column = dict(zip(SITE_COLUMNS, values, strict=True))
        if hit is not None:
            hit[1] = by_column
        return by_column


_SCALAR_SITE_COLUMNS = tuple(c for c in SITE_COLUMNS if c != "deqi_quality")
_scalar_site_values = itemgetter(*_SCALAR_SITE_COLUMNS)
_MISSING = object()  # stands for a column the row does not have, in a memo key
_THORAX = SITE_COLUMNS.index("thorax_risk")


def _id_or_none(value: Any) -> int | None:
    try:
        return ref("id", value, nullable=True)
    except ValidationError:
        return None  # reported as the row's own problem


def _children(raw: Raw, parent: str, problems: Problems, table: str, seq: bool = False) -> Kids:
    kids: Kids = defaultdict(list)
    ordered: dict[int, list[tuple[int, int, int, Mapping[str, Any]]]] = defaultdict(list)
    for rid, (number, row) in raw.items():
        pid, order = row.get(parent), row.get("seq") if seq else rid
        if not (type(pid) is int and pid >= 1 and type(order) is int and 1 <= order <= 10_000):
            try:  # not the plain whole numbers of a JSON export: the full check
                pid = ref(parent, pid, nullable=True)
                order = as_int("seq", order, 1, 10_000) if seq else rid
            except ValidationError as exc:
                problems.add_error(table, number, exc)
                continue
        if pid is None:
            continue
        if seq:
            ordered[pid].append((order, rid, number, row))
        else:
            kids[pid].append((rid, number, row))
    # Sites are kept in their seq order (a stable sort: the same seq twice keeps the
    # file's order, and the second one is the problem).
    for pid, items in ordered.items():
        items.sort(key=_first)
        prev = None
        for order, _, number, _ in items:
            if order == prev:
                problems.add(table, number, "seq", f"{order} is used twice in the same session")
            prev = order
        kids[pid] = [(rid, number, row) for _, rid, number, row in items]
    return kids


_first = itemgetter(0)


def _route(
    problems: Problems,
    table: str,
    number: int,
    kids: dict[str, list],
    exc: ValidationError,
    skip_sites: bool = False,
) -> None:
    errors = exc.errors if isinstance(exc, InvalidRecord) else [exc]
    for err in errors:
        m = _PART.fullmatch(err.field)
        if m and m.group(3) and int(m.group(2)) <= len(kids[m.group(1)]):
            if skip_sites and m.group(1) == "sites":
                continue
            _, child_number, _ = kids[m.group(1)][int(m.group(2)) - 1]
            problems.add(_PART_TABLE[m.group(1)], child_number, m.group(3), err.message)
        else:
            problems.add(table, number, err.field, err.message)


def _meta(row: Mapping[str, Any], f: Fields, parent: str) -> dict[str, Any]:
    """The version columns a session and a follow-up share."""
    version_of = row.get("supersedes_id")
    if version_of is not None:  # None: the first version (what ref() would return)
        version_of = f.get(ref, "supersedes_id", version_of, True)
    reason = row.get("amend_reason")
    if reason is not None:  # None: no reason (as_text would give "", stored as None)
        reason = f.get(as_text, "amend_reason", reason, max_len=2000, multiline=True)
    if version_of is not None and not reason:
        f.errors.append(ValidationError("amend_reason", "a correction must say why it was made"))
    status = row.get("status")
    if type(status) is not str or status not in STATUSES:  # as_choice returns those as is
        status = f.get(as_choice, "status", status, STATUSES)
    return {
        "supersedes_id": version_of,
        "status": status,
        "amend_reason": reason or None,
        "recorded_by": f.get(ref, "recorded_by", row.get("recorded_by")),
        "recorded_at": f.get(when, "recorded_at", row.get("recorded_at")),
    }


def check_sessions(
    raw: dict[str, Raw],
    now: datetime,
    problems: Problems,
    out: Checked,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Validate session versions with their sites, IMS findings and adverse events.

    ``progress`` is told every 1,000 sessions checked.
    """
    sites = _children(raw["site"], "session_id", problems, "site", seq=True)
    ims = _children(raw["ims_finding"], "session_id", problems, "ims_finding")
    aes = _children(raw["adverse_event"], "session_id", problems, "adverse_event")
    memo = SiteMemo()
    for table in ("session", "site", "ims_finding", "adverse_event"):
        out.rows[table] = {}
        out.numbers[table] = {rid: number for rid, (number, _) in raw[table].items()}
    for count, (sid, (number, row)) in enumerate(raw["session"].items(), start=1):
        if progress and count % 1_000 == 0:
            progress(1_000)
        kids = {
            "sites": sites.get(sid, []),
            "adverse_events": aes.get(sid, []),
            "ims_findings": ims.get(sid, []),
        }
        data = dict(row)
        data["sites"] = [r for _, _, r in kids["sites"]]
        data["adverse_events"] = [r for _, _, r in kids["adverse_events"]]
        data["ims_findings"] = [r for _, _, r in kids["ims_findings"]]
        # A void version keeps no sites of its own: check it with the sites it voids.
        borrowed = not data["sites"] and row.get("status") == "void"
        if borrowed:
            prev = _id_or_none(row.get("supersedes_id"))
            data["sites"] = [r for _, _, r in sites.get(prev, [])] if prev else []
        f = Fields()
        meta = {
            "record_id": f.get(ref, "record_id", row.get("record_id")),
            "version": f.get(as_int, "version", row.get("version"), 1, 100_000),
            **_meta(row, f, "session"),
        }
        if meta["version"] is not None and (meta["version"] == 1) != (
            meta["supersedes_id"] is None
        ):
            f.errors.append(
                ValidationError("supersedes_id", "is given exactly when the version is 2 or more")
            )
        try:
            parsed = parse_session(data, now=now, site_parser=memo)
        except InvalidRecord as exc:
            _route(problems, "session", number, kids, exc, skip_sites=borrowed)
            parsed = None
        try:
            f.done()
        except InvalidRecord as exc:
            problems.add_error("session", number, exc)
            continue
        if parsed is None:
            continue
        out.rows["session"][sid] = {
            **meta,
            **dict(zip(SESSION_COLUMNS, session_values(parsed), strict=True)),
        }
        if not borrowed:
            _keep_sites(out, sid, kids["sites"], parsed.sites, problems, memo, parsed.technique)
        for (aid, _, _), event in zip(kids["adverse_events"], parsed.adverse_events, strict=True):
            out.rows["adverse_event"][aid] = _ae(sid, None, event)
        for (iid, _, _), finding in zip(kids["ims_findings"], parsed.ims_findings, strict=True):
            out.rows["ims_finding"][iid] = {
                "session_id": sid,
                **dict(zip(IMS_COLUMNS, ims_values(finding), strict=True)),
            }
    _orphans(out, "site", "session_id", sites, problems)
    _orphans(out, "ims_finding", "session_id", ims, problems)
    _orphans(out, "adverse_event", "session_id", aes, problems)
    if progress:
        progress(len(raw["session"]) % 1_000)


def _keep_sites(
    out: Checked,
    sid: int,
    kids: list,
    parsed: tuple[Site, ...],
    problems: Problems,
    memo: SiteMemo,
    technique: str,
) -> None:
    rows = out.rows["site"]
    for (site_id, number, row), site in zip(kids, parsed, strict=True):
        try:
            values = memo.values(row, technique, site)
        except ValidationError as exc:
            problems.add_error("site", number, exc)
            continue
        kept = values.copy()
        kept["session_id"] = sid
        kept["seq"] = int(row["seq"])
        rows[site_id] = kept


def _ae(session_id: int | None, follow_up_id: int | None, event: Any) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "follow_up_id": follow_up_id,
        "tier": event.tier,
        "kind": event.kind,
        "description": event.description,
    }


def _orphans(out: Checked, table: str, parent: str, kids: Kids, problems: Problems) -> None:
    parents = out.seen["session" if parent == "session_id" else "follow_up"]
    for pid, items in kids.items():
        if pid not in parents:
            for _, number, _ in items:
                problems.add(
                    table,
                    number,
                    parent,
                    f"there is no {parent[:-3].replace('_', ' ')} with id {pid} in the file",
                )


def check_follow_ups(raw: dict[str, Raw], now: datetime, problems: Problems, out: Checked) -> None:
    """Validate follow-ups (every version) with their adverse events."""
    aes = _children(raw["adverse_event"], "follow_up_id", problems, "adverse_event")
    out.rows["follow_up"] = {}
    out.numbers["follow_up"] = {rid: number for rid, (number, _) in raw["follow_up"].items()}
    for fid, (number, row) in raw["follow_up"].items():
        kids = {"sites": [], "ims_findings": [], "adverse_events": aes.get(fid, [])}
        if kids["adverse_events"]:
            data = dict(row)
            data["adverse_events"] = [r for _, _, r in kids["adverse_events"]]
        else:  # the row has no adverse_events key (not a column): as good as an empty list
            data = row
        f = Fields()
        meta = _meta(row, f, "follow_up")
        try:
            parsed = parse_follow_up(data, now=now)
        except InvalidRecord as exc:
            _route(problems, "follow_up", number, kids, exc)
            parsed = None
        try:
            f.done()
        except InvalidRecord as exc:
            problems.add_error("follow_up", number, exc)
            continue
        if parsed is None:
            continue
        out.rows["follow_up"][fid] = {
            "patient_id": parsed.patient_id,
            "session_record_id": parsed.session_record_id,
            **meta,
            "at": stamp(parsed.at),
            "pain": parsed.pain,
            "soreness": parsed.soreness,
            "groc": parsed.groc,
            "notes": parsed.notes,
        }
        for (aid, _, _), event in zip(kids["adverse_events"], parsed.adverse_events, strict=True):
            out.rows["adverse_event"][aid] = _ae(None, fid, event)
    for number, row in raw["adverse_event"].values():
        both = [row.get(k) not in (None, "") for k in ("session_id", "follow_up_id")]
        if all(both) or not any(both):
            problems.add(
                "adverse_event",
                number,
                "session_id",
                "an adverse event belongs to exactly one session or one follow-up",
            )
    _orphans(out, "adverse_event", "follow_up_id", aes, problems)

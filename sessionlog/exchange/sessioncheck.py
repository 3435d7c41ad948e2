"""Checking sessions (every version, with sites, IMS findings and adverse events) and
follow-ups of an import file through the domain's ``parse_session``/``parse_follow_up``.

A problem in a site is reported on that site's own row (``site.csv row 40: side``),
not on its session, so the user can find it in the file.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from ..domain.fields import SQLITE_MAX_INT
from ..domain.models import ImsFinding, Site
from ..domain.techniques import (
    CO_INTERVENTION_ALIASES,
    CO_INTERVENTIONS,
    IMS_SIGNS,
    RESPONSES_SOUGHT,
    TECHNIQUES,
)
from ..domain.validate import (
    InvalidRecord,
    as_choice,
    as_int,
    as_text,
    parse_adverse_event,
    parse_follow_up,
    parse_ims_finding,
    parse_session,
)
from ..errors import ValidationError
from ..store.rows import SESSION_COLUMNS, ims_values, session_values, stamp
from .compact import NAMES, ROW_TYPES, CheckedSite, SiteView, as_mapping, get
from .problems import Problems
from .rowcheck import MAX_ID, Checked, Fields, Raw, drain, ref, when
from .sitememo import SiteMemo

__all__ = ["ImsMemo", "SiteMemo", "check_follow_ups", "check_sessions"]

_PART = re.compile(r"(sites|adverse_events|ims_findings)\[(\d+)\]\.?(.*)")
_PART_TABLE = {"sites": "site", "adverse_events": "adverse_event", "ims_findings": "ims_finding"}
STATUSES = ("active", "void")

Kids = dict[int, list[tuple[int, int, tuple[Any, ...]]]]  # parent -> [(id, row no, row)]
_PICK = {t: itemgetter(*NAMES[t][1:]) for t in ("session", "follow_up")}


_IMS_KEYS = ("level", "side", *IMS_SIGNS, "notes")  # what parse_ims_finding reads
_ABSENT = object()


class ImsMemo:
    """``parse_ims_finding`` remembered by content (the values it reads, with their
    types: true is not 1 to a check), and each finding's database values. A clinic's
    findings repeat: the same levels, the same signs, no notes. A finding with a
    problem is not kept: its check runs again, naming its own row."""

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], ImsFinding] = {}
        # id(kept finding) -> its values (None until asked): a kept finding stays
        # alive in the cache, so no other finding has its id.
        self.kept: dict[int, tuple[Any, ...] | None] = {}

    def __call__(self, raw: Mapping[str, Any], field: str = "ims_finding") -> ImsFinding:
        values = tuple(raw.get(k, _ABSENT) for k in _IMS_KEYS)
        key = (values, tuple(map(type, values)))
        try:
            hit = self.cache.get(key)
        except TypeError:  # an unhashable value: checked, not kept
            return parse_ims_finding(raw, field=field)
        if hit is None:
            hit = self.cache[key] = parse_ims_finding(raw, field=field)
            self.kept[id(hit)] = None
        return hit

    def values(self, finding: ImsFinding) -> tuple[Any, ...]:
        """``ims_values(finding)``, made once per finding kept."""
        if id(finding) not in self.kept:
            return ims_values(finding)
        kept = self.kept[id(finding)]
        if kept is None:
            kept = self.kept[id(finding)] = ims_values(finding)
        return kept


def _id_or_none(value: Any) -> int | None:
    try:
        return ref("id", value, nullable=True)
    except ValidationError:
        return None  # reported as the row's own problem


def _children(
    raw: Raw, numbers: Mapping[int, int], parent: str, problems: Problems, table: str
) -> Kids:
    kids: Kids = defaultdict(list)
    seq = table == "site"
    at_parent, at_seq = NAMES[table].index(parent), NAMES[table].index("seq") if seq else 0
    ordered: dict[int, list[tuple[int, int, int, tuple[Any, ...]]]] = defaultdict(list)
    for rid, row in raw.items():
        pid, order = get(row, at_parent), get(row, at_seq) if seq else rid
        if not (type(pid) is int and pid >= 1 and type(order) is int and 1 <= order <= 10_000):
            try:  # not the plain whole numbers of a JSON export: the full check
                pid = ref(parent, pid, nullable=True)
                order = as_int("seq", order, 1, 10_000) if seq else rid
            except ValidationError as exc:
                problems.add_error(table, numbers[rid], exc)
                continue
        if pid is None:
            continue
        if seq:
            ordered[pid].append((order, rid, numbers[rid], row))
        else:
            kids[pid].append((rid, numbers[rid], row))
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
    kids: dict[str, list[Any]],
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

    ``progress`` is told every 1,000 sessions checked. The rows of sessions, sites and
    IMS findings as the file had them are dropped once checked.
    """
    n = out.numbers
    sites = _children(raw["site"], n["site"], "session_id", problems, "site")
    ims = _children(raw["ims_finding"], n["ims_finding"], "session_id", problems, "ims_finding")
    aes = _children(
        raw["adverse_event"], n["adverse_event"], "session_id", problems, "adverse_event"
    )
    del raw["site"], raw["ims_finding"]  # their rows are in sites and ims now
    memo, ims_memo = SiteMemo(), ImsMemo()
    for table in ("session", "site", "ims_finding", "adverse_event"):
        out.rows[table] = {}
    session_row, ims_row = ROW_TYPES["session"]._make, ROW_TYPES["ims_finding"]._make
    pick = _PICK["session"]
    total = len(raw["session"])
    latest = now + timedelta(days=1)  # as_datetime's bound on a moment
    for count, (sid, row) in enumerate(drain(raw.pop("session")), start=1):
        if progress and count % 1_000 == 0:
            progress(1_000)
        own_sites = sites.get(sid)
        if own_sites:  # a session as an export writes it: checked without its dicts
            plain = _plain_session(row, latest)
            if plain is not None and _keep_plain(
                out, plain, own_sites, ims.get(sid, []), aes.get(sid, []), problems, memo, ims_memo
            ):
                continue
        number = n["session"][sid]
        kids = {
            "sites": sites.get(sid, []),
            "adverse_events": aes.get(sid, []),
            "ims_findings": ims.get(sid, []),
        }
        data = as_mapping("session", row)
        views = [SiteView(r) for _, _, r in kids["sites"]]
        data["sites"] = views
        data["adverse_events"] = [
            as_mapping("adverse_event", r) for _, _, r in kids["adverse_events"]
        ]
        data["ims_findings"] = [as_mapping("ims_finding", r) for _, _, r in kids["ims_findings"]]
        # A void version keeps no sites of its own: check it with the sites it voids.
        borrowed = not views and data.get("status") == "void"
        if borrowed:
            prev = _id_or_none(data.get("supersedes_id"))
            data["sites"] = [SiteView(r) for _, _, r in sites.get(prev, [])] if prev else []
        f = Fields()
        meta = {
            "record_id": f.get(ref, "record_id", data.get("record_id")),
            "version": f.get(as_int, "version", data.get("version"), 1, 100_000),
            **_meta(data, f, "session"),
        }
        if meta["version"] is not None and (meta["version"] == 1) != (
            meta["supersedes_id"] is None
        ):
            f.errors.append(
                ValidationError("supersedes_id", "is given exactly when the version is 2 or more")
            )
        try:
            parsed = parse_session(data, now=now, site_parser=memo, ims_parser=ims_memo)
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
        meta.update(zip(SESSION_COLUMNS, session_values(parsed), strict=True))
        out.rows["session"][sid] = session_row((sid, *pick(meta)))
        if not borrowed:
            _keep_sites(
                out, sid, kids["sites"], views, parsed.technique, parsed.sites, problems, memo
            )
        for (aid, _, _), event in zip(kids["adverse_events"], parsed.adverse_events, strict=True):
            out.rows["adverse_event"][aid] = _ae(aid, sid, None, event)
        for (iid, _, _), finding in zip(kids["ims_findings"], parsed.ims_findings, strict=True):
            out.rows["ims_finding"][iid] = ims_row((iid, sid, *ims_memo.values(finding)))
    _orphans(out, "site", "session_id", sites, problems)
    _orphans(out, "ims_finding", "session_id", ims, problems)
    _orphans(out, "adverse_event", "session_id", aes, problems)
    if progress:
        progress(total % 1_000)


def _keep_sites(
    out: Checked,
    sid: int,
    kids: list[tuple[int, int, tuple[Any, ...]]],
    views: list[SiteView],
    technique: str,
    sites: Sequence[Site],
    problems: Problems,
    memo: SiteMemo,
) -> None:
    rows = out.rows["site"]
    for (site_id, number, row), view, site in zip(kids, views, sites, strict=True):
        try:
            values = memo.values(view, technique, site)
        except ValidationError as exc:
            problems.add_error("site", number, exc)
            continue
        rows[site_id] = CheckedSite((site_id, sid, int(row[2]), values))


def _whole(value: Any, lo: int, hi: int) -> bool:
    """Whether ``value`` is a whole number (never true or false) in ``lo..hi``."""
    return type(value) is int and lo <= value <= hi


def _plain_session(row: tuple[Any, ...], latest: datetime) -> tuple[Any, ...] | None:
    """The checked row of a session whose every own value is as an export writes it:
    the very row ``parse_session`` and the version checks give, made without the
    domain's records. None for any other row: the full check then decides, and words
    each problem (tests/trust/test_import_fast_paths.py compares the two)."""
    if type(row) is not tuple:  # a column left out (Gaps), or not a packed row
        return None
    (
        sid, record, version, version_of, status, reason, patient, practitioner, episode,
        started, tech, style, rationale, sought, consent, before, after, during, sore, face,
        co, notes, by, rec,
    ) = row  # fmt: skip
    if not (
        _whole(record, 1, MAX_ID)
        and _whole(version, 1, 100_000)
        and (version_of is None if version == 1 else _whole(version_of, 1, MAX_ID))
        and type(status) is str
        and status in STATUSES
        and _whole(patient, 1, SQLITE_MAX_INT)
        and _whole(practitioner, 1, SQLITE_MAX_INT)
        and (episode is None or _whole(episode, 1, SQLITE_MAX_INT))
        and type(tech) is str
        and tech in TECHNIQUES
        and type(sought) is str
        and sought in RESPONSES_SOUGHT
        and (consent is True or (type(consent) is int and consent == 1))
        and _whole(before, 0, 10)
        and all(v is None or _whole(v, 0, 10) for v in (after, during, sore))
        and (face is None or _whole(face, 0, 480))
        and _whole(by, 1, MAX_ID)
        and type(co) is list
        and all(type(c) is str and c in CO_INTERVENTIONS for c in co)
        and not any(c in CO_INTERVENTION_ALIASES for c in co)
        and len(set(co)) == len(co)
    ):
        return None
    moment = _moment(started)
    if moment is None or moment > latest or _moment(rec) is None:
        return None
    texts = (_plain_text(style, 120), _plain_text(rationale, 1000), _plain_text(notes, 10000))
    why = None
    if reason is not None:
        why = _plain_text(reason, 2000) or None
    if None in texts or (why is None and (reason is not None or version_of is not None)):
        return None  # a text to clean or too long, or a correction without a reason
    style, rationale, notes = texts
    return (
        sid, record, version, version_of, status, why, patient, practitioner, episode,
        started, tech, style, rationale, sought, 1, before, after, during, sore, face,
        json.dumps(co), notes, by, rec,
    )  # fmt: skip


def _keep_plain(
    out: Checked,
    plain: tuple[Any, ...],
    sites: list[tuple[int, int, tuple[Any, ...]]],
    ims: list[tuple[int, int, tuple[Any, ...]]],
    aes: list[tuple[int, int, tuple[Any, ...]]],
    problems: Problems,
    memo: SiteMemo,
    ims_memo: ImsMemo,
) -> bool:
    """Keep a plain session (``_plain_session``) with its parts, if every site is one
    the memo has already checked for its technique and its parts pass their checks;
    False (nothing kept) otherwise: the full check then words each problem."""
    sid, tech = plain[0], plain[10]
    views = [SiteView(r) for _, _, r in sites]
    shared = memo.shared
    found = []
    for view in views:
        known = shared.get((tech, id(view.content)))
        if known is None:
            return False
        found.append(known[1][0])
    if TECHNIQUES[tech].electrical and not any(s.stimulation == "electrical" for s in found):
        return False  # refused: none on the stimulator
    try:
        findings = [ims_memo(as_mapping("ims_finding", r)) for _, _, r in ims]
        events = [parse_adverse_event(as_mapping("adverse_event", r)) for _, _, r in aes]
    except ValidationError:
        return False
    out.rows["session"][sid] = ROW_TYPES["session"]._make(plain)
    _keep_sites(out, sid, sites, views, tech, found, problems, memo)
    for (aid, _, _), event in zip(aes, events, strict=True):
        out.rows["adverse_event"][aid] = _ae(aid, sid, None, event)
    ims_row = ROW_TYPES["ims_finding"]._make
    for (iid, _, _), finding in zip(ims, findings, strict=True):
        out.rows["ims_finding"][iid] = ims_row((iid, sid, *ims_memo.values(finding)))
    return True


def _ae(aid: int, session_id: int | None, follow_up_id: int | None, event: Any) -> Any:
    return ROW_TYPES["adverse_event"](
        aid, session_id, follow_up_id, event.tier, event.kind, event.description
    )


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


def _moment(value: Any) -> datetime | None:
    """The moment of a text in the database's one form (``2026-11-22 14:30:00``, from
    1900 on), or None for any other value (the full check decides on those)."""
    if type(value) is not str or len(value) != 19:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # The same text back: no zone, no fraction, no spaces (what stamp() writes).
    if moment.year < 1900 or moment.isoformat(" ") != value:
        return None
    return moment


def _plain_text(value: Any, max_len: int) -> str | None:
    """as_text of a printable text (no character to clean) within ``max_len``; None
    for anything else."""
    if value is None:
        return ""
    if type(value) is not str or not value.isprintable():
        return None
    text = value.strip()
    return text if len(text) <= max_len else None


def _plain_follow_up(row: tuple[Any, ...], latest: datetime) -> tuple[Any, ...] | None:
    """The checked row of a follow-up (without adverse events) whose every value is
    as an export writes it: the very row the full check below gives, made without the
    domain's records. None for any other row: the full check then decides, and words
    each problem (tests/trust/test_import_fast_paths.py compares the two)."""
    if type(row) is not tuple:  # a column left out (Gaps), or not a packed row
        return None
    fid, patient, record, version_of, status, reason, at, pain, sore, groc, notes, by, rec = row
    if not (
        _whole(patient, 1, SQLITE_MAX_INT)
        and _whole(record, 1, SQLITE_MAX_INT)
        and (version_of is None or _whole(version_of, 1, MAX_ID))
        and type(status) is str
        and status in STATUSES
        and _whole(by, 1, MAX_ID)
        and _whole(pain, 0, 10)
        and (sore is None or _whole(sore, 0, 10))
        and (groc is None or _whole(groc, -7, 7))
    ):
        return None
    moment = _moment(at)
    if moment is None or moment > latest or _moment(rec) is None:
        return None
    text, why = _plain_text(notes, 5000), None
    if reason is not None:
        why = _plain_text(reason, 2000) or None
    if text is None or (why is None and (reason is not None or version_of is not None)):
        return None  # a reason to clean or too long, or a correction without one
    at = rec if at == rec else at  # one string, as the full check gives
    return (fid, patient, record, version_of, status, why, at, pain, sore, groc, text, by, rec)


def check_follow_ups(raw: dict[str, Raw], now: datetime, problems: Problems, out: Checked) -> None:
    """Validate follow-ups (every version) with their adverse events (their rows as the
    file had them are dropped once checked)."""
    n = out.numbers
    aes = _children(
        raw["adverse_event"], n["adverse_event"], "follow_up_id", problems, "adverse_event"
    )
    out.rows["follow_up"] = {}
    make, pick = ROW_TYPES["follow_up"]._make, _PICK["follow_up"]
    latest = now + timedelta(days=1)  # as_datetime's bound on a moment
    for fid, row in drain(raw.pop("follow_up")):
        if fid not in aes:
            plain = _plain_follow_up(row, latest)
            if plain is not None:
                out.rows["follow_up"][fid] = make(plain)
                continue
        number = n["follow_up"][fid]
        kids = {"sites": [], "ims_findings": [], "adverse_events": aes.get(fid, [])}
        data = as_mapping("follow_up", row)
        if kids["adverse_events"]:
            data["adverse_events"] = [
                as_mapping("adverse_event", r) for _, _, r in kids["adverse_events"]
            ]
        f = Fields()
        meta = _meta(data, f, "follow_up")
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
        at = stamp(parsed.at)
        values = {
            "patient_id": parsed.patient_id,
            "session_record_id": parsed.session_record_id,
            **meta,
            "at": meta["recorded_at"] if at == meta["recorded_at"] else at,  # one string
            "pain": parsed.pain,
            "soreness": parsed.soreness,
            "groc": parsed.groc,
            "notes": parsed.notes,
        }
        out.rows["follow_up"][fid] = make((fid, *pick(values)))
        for (aid, _, _), event in zip(kids["adverse_events"], parsed.adverse_events, strict=True):
            out.rows["adverse_event"][aid] = _ae(aid, None, fid, event)
    names = NAMES["adverse_event"]
    at_session, at_follow_up = names.index("session_id"), names.index("follow_up_id")
    for aid, row in raw["adverse_event"].items():
        both = [get(row, i) not in (None, "") for i in (at_session, at_follow_up)]
        if all(both) or not any(both):
            problems.add(
                "adverse_event",
                n["adverse_event"][aid],
                "session_id",
                "an adverse event belongs to exactly one session or one follow-up",
            )
    _orphans(out, "adverse_event", "follow_up_id", aes, problems)
    del raw["adverse_event"]

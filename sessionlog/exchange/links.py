"""Checks across rows of an import file: versions chain properly, people match.

The database enforces some of these too (by trigger or constraint); checking them
first turns a failed transaction into a message naming the row.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..store.integrity import audit
from .problems import Problems
from .rowcheck import Checked


def _unique(out: Checked, problems: Problems, table: str, columns: tuple[str, ...]) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for rid, row in out.rows.get(table, {}).items():
        key = tuple(getattr(row, c) for c in columns)
        number = out.numbers[table][rid]
        if key in seen:
            shown = key[-1]
            problems.add(table, number, columns[-1], f"{shown!r} is used by row {seen[key]} too")
        else:
            seen[key] = number


def _versions(out: Checked, problems: Problems) -> None:
    records = out.rows["session_record"]
    sessions = out.rows["session"]
    episodes = out.rows["episode"]
    by_record: dict[int, dict[int, int]] = defaultdict(dict)
    for sid, s in sessions.items():
        number = out.numbers["session"][sid]
        versions = by_record[s.record_id]
        if s.version in versions:
            problems.add(
                "session", number, "version", f"{s.version} of this session is given twice"
            )
        versions[s.version] = sid
        record = records.get(s.record_id)
        if record is not None and record.patient_id != s.patient_id:
            problems.add(
                "session", number, "patient_id", "is not the patient of its session record"
            )
        episode = episodes.get(s.episode_id) if s.episode_id is not None else None
        if episode is not None and episode.patient_id != s.patient_id:
            problems.add("session", number, "episode_id", "is an episode of another patient")
        prev = sessions.get(s.supersedes_id) if s.supersedes_id is not None else None
        if prev is None:
            continue
        if prev.record_id != s.record_id or prev.version != s.version - 1:
            problems.add(
                "session",
                number,
                "supersedes_id",
                f"must be version {s.version - 1} of the same session",
            )
        elif prev.status == "void":
            problems.add(
                "session", number, "supersedes_id", "follows a void version: a void is final"
            )
    if len(sessions) < len(out.seen.get("session", ())):
        return  # a version has a problem of its own: the chain is checked once it is fixed
    for rid in records:
        versions = by_record.get(rid, {})
        missing = sorted(set(range(1, max(versions, default=0) + 1)) - set(versions))
        if not versions or missing:
            what = f"version {missing[0]} is missing" if missing else "it has no session version"
            problems.add("session_record", out.numbers["session_record"][rid], "id", what)


def _follow_ups(out: Checked, problems: Problems) -> None:
    records = out.rows["session_record"]
    follow_ups = out.rows["follow_up"]
    corrected: dict[int, int] = {}
    for fid, f in follow_ups.items():
        number = out.numbers["follow_up"][fid]
        record = records.get(f.session_record_id)
        if record is not None and record.patient_id != f.patient_id:
            problems.add(
                "follow_up", number, "patient_id", "is not the patient of the session it follows"
            )
        prev_id = f.supersedes_id
        prev = follow_ups.get(prev_id) if prev_id is not None else None
        if prev is None:
            continue
        if prev.patient_id != f.patient_id:
            # (another session of the same patient is a correction the store makes:
            # a follow-up recorded against the wrong session, linked to the right one)
            problems.add(
                "follow_up", number, "supersedes_id", "corrects a follow-up of another patient"
            )
        elif prev.status == "void":
            problems.add("follow_up", number, "supersedes_id", "corrects a void follow-up")
        if prev_id in corrected:
            problems.add(
                "follow_up",
                number,
                "supersedes_id",
                f"follow-up {prev_id} is corrected by row {corrected[prev_id]} too",
            )
        corrected[prev_id] = number


def check_links(out: Checked, problems: Problems) -> None:
    """Versions form a chain per record, people match, unique values are unique."""
    _unique(out, problems, "patient", ("chart_id",))
    _unique(out, problems, "session_record", ("uid",))
    _unique(out, problems, "protocol", ("practitioner_id", "name"))
    _versions(out, problems)
    _follow_ups(out, problems)


def check_audit_chain(out: Checked, problems: Problems) -> None:
    """The file's audit log must still chain: a broken link means the file was altered."""
    prev = audit.GENESIS
    for rid, a in out.rows.get("audit_log", {}).items():
        number = out.numbers["audit_log"][rid]
        if a.prev_hash != prev:
            problems.add(
                "audit_log",
                number,
                "prev_hash",
                "does not point at the row before it: a row was removed or inserted",
            )
            return
        digest = audit.row_hash(
            a.prev_hash,
            a.at,
            a.actor_id,
            a.action,
            a.entity,
            a.entity_id,
            a.detail,
        )
        if digest != a.hash:
            problems.add(
                "audit_log", number, "hash", "does not match the row's content: the row was altered"
            )
            return
        prev = a.hash

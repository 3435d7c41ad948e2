"""Matching an import file against what the database already holds.

The rule (documented in the README, Export and import): nothing in the database is ever overwritten
and nothing is added twice.

- practitioners with the same name, profession and credential are the same person;
- a patient with the same chart id is the same patient if name, year of birth and sex
  agree, otherwise the import is refused;
- a session with the same uid is skipped when the database holds exactly the same
  versions (content, sites, findings, adverse events); when the file holds those and
  later ones (corrections or a void made after the database's copy was taken: merging
  back, after a restore, what was saved after the backup) only the later versions are
  added; if they differ otherwise, refused;
- a follow-up or a scale reading of such a session is skipped when the database has
  the same one (a new one is added, a correction too unless the database shows the
  one it corrects corrected otherwise);
- a protocol with the same practitioner and name is skipped (the database's kept);
- a contact note of such a patient is skipped when the database has the same note at
  the same time (a new one is added to the patient's history).
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..store.records import bulk
from .compact import ROW_TYPES
from .problems import Problems
from .rowcheck import Checked
from .tables import column_names

Key = tuple[Any, ...]
_ID_COLUMNS = ("id", "recorded_by")


@dataclass
class Matches:
    """File ids already in the database: ``mapped[table][file id] = database id``."""

    mapped: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # File session records already in the database whose later versions are added.
    extended: set[int] = field(default_factory=set)


def _db_rows(conn: sqlite3.Connection, table: str) -> dict[int, Any]:
    """The database's rows of ``table`` in the form of the file's checked rows."""
    make = ROW_TYPES[table]._make
    return {r[0]: make(r) for r in bulk.read_table(conn, table, column_names(table))}


class _Natural:
    """Names for rows that do not depend on ids: chart ids, people, episode details."""

    def __init__(self, tables: dict[str, dict[int, Any]]) -> None:
        self.t = tables
        self._versions: dict[int, list[tuple[int, Any]]] | None = None

    def person(self, pid: int | None) -> Key | None:
        p = self.t["practitioner"].get(pid) if pid is not None else None
        return (p.name, p.profession, p.credential) if p else None

    def patient(self, pid: int | None) -> str | None:
        p = self.t["patient"].get(pid) if pid is not None else None
        return p.chart_id if p else None

    def episode(self, eid: int | None) -> Key | None:
        e = self.t["episode"].get(eid) if eid is not None else None
        if e is None:
            return None
        return (self.patient(e.patient_id), e.complaint, e.body_region, e.started_on)

    def versions(self, record_id: int) -> list[tuple[int, Any]]:
        """The (id, row) of each version of a session record, oldest first."""
        if self._versions is None:
            self._versions = defaultdict(list)
            for sid, s in self.t["session"].items():
                self._versions[s.record_id].append((sid, s))
            for versions in self._versions.values():
                versions.sort(key=lambda v: v[1].version)
        return self._versions.get(record_id, [])

    def record(self, record_id: int, kids: dict[str, dict[int, list[dict[str, Any]]]]) -> Key:
        """Everything a session record holds, in a form two databases can compare."""
        out = []
        for sid, s in self.versions(record_id):
            # Ids differ between databases: people, patients and episodes go by name.
            plain = {
                k: v
                for k, v in s._asdict().items()
                if not k.endswith("_id") and k not in _ID_COLUMNS
            }
            parts = [
                tuple(sorted((k, v) for k, v in c.items() if k not in ("id", "session_id")))
                for t in ("site", "ims_finding", "adverse_event")
                for c in sorted(kids[t].get(sid, []), key=lambda c: (c.get("seq", 0), c["id"]))
            ]
            out.append(
                (
                    tuple(sorted(plain.items())),
                    self.patient(s.patient_id),
                    self.person(s.practitioner_id),
                    self.person(s.recorded_by),
                    self.episode(s.episode_id),
                    tuple(parts),
                )
            )
        return tuple(out)

    def reading(self, r: Any, uid: str) -> Key:
        """A scale reading as two databases can compare it (its answers are in its
        score, scale and times)."""
        return (
            uid,
            r.scale,
            r.at,
            r.score,
            r.status,
            r.amend_reason,
            r.recorded_at,
            r.entered_by,
            self.person(r.recorded_by),
        )

    def follow_up(self, f: Any, uid: str) -> Key:
        return (
            uid,
            f.at,
            f.pain,
            f.soreness,
            f.groc,
            f.notes,
            f.status,
            f.amend_reason,
            f.recorded_at,
            self.person(f.recorded_by),
        )


def _by_session(rows: dict[int, Any]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows.values():
        if r.session_id is not None:
            out[r.session_id].append(r._asdict())
    return out


def match(conn: sqlite3.Connection, file: Checked, problems: Problems) -> Matches:
    """What of the file the database already has; conflicts become problems."""
    keys = bulk.existing_keys(conn)
    m = Matches()
    for fid, p in file.rows["practitioner"].items():
        hit = keys["practitioner"].get((p.name, p.profession, p.credential))
        if hit is not None:
            m.mapped["practitioner"][fid] = hit
    for fid, p in file.rows["patient"].items():
        hit = keys["patient"].get(p.chart_id)
        if hit is None:
            continue
        if (hit[2], hit[3], hit[4]) != (p.name, p.birth_year, p.sex):
            problems.add(
                "patient",
                file.numbers["patient"][fid],
                "chart_id",
                f"{p.chart_id!r} is already in this database for a patient with"
                " another name, year of birth or sex: nothing is overwritten",
            )
        m.mapped["patient"][fid] = hit[0]
    for fid, c in file.rows.get("patient_contact", {}).items():
        pid = m.mapped["patient"].get(c.patient_id)
        hit = keys["patient_contact"].get((pid, c.contact, c.at))
        if pid is not None and hit is not None:
            m.mapped["patient_contact"][fid] = hit
    for fid, e in file.rows["episode"].items():
        pid = m.mapped["patient"].get(e.patient_id)
        hit = keys["episode"].get((pid, e.complaint, e.body_region, e.started_on))
        if pid is not None and hit is not None:
            m.mapped["episode"][fid] = hit
    for fid, pr in file.rows["protocol"].items():
        pid = m.mapped["practitioner"].get(pr.practitioner_id)
        if pid is not None and (pid, pr.name) in keys["protocol"]:
            m.mapped["protocol"][fid] = keys["protocol"][(pid, pr.name)]
    dups = {
        fid: keys["session_record"][r.uid]
        for fid, r in file.rows["session_record"].items()
        if r.uid in keys["session_record"]
    }
    if dups:
        _match_records(conn, file, dups, keys["superseded_follow_up"], m, problems)
    for table, mapped in m.mapped.items():
        m.skipped[table] = len(mapped)
    return m


def _match_records(
    conn: sqlite3.Connection,
    file: Checked,
    dups: dict[int, int],
    superseded: set[int],
    m: Matches,
    problems: Problems,
) -> None:
    db = {
        t: _db_rows(conn, t)
        for t in (
            "practitioner",
            "patient",
            "episode",
            "session_record",
            "session",
            "site",
            "ims_finding",
            "adverse_event",
            "follow_up",
            "scale_reading",
        )
    }
    ours, theirs = _Natural(db), _Natural(file.rows)
    db_kids = {t: _by_session(db[t]) for t in ("site", "ims_finding", "adverse_event")}
    file_kids = {t: _by_session(file.rows[t]) for t in ("site", "ims_finding", "adverse_event")}
    for fid, dbid in dups.items():
        uid = file.rows["session_record"][fid].uid
        mine, held = theirs.record(fid, file_kids), ours.record(dbid, db_kids)
        if mine != held and mine[: len(held)] == held:
            m.extended.add(fid)  # its versions after the database's own are added
        elif mine != held and held[: len(mine)] == mine:
            pass  # the database's versions go on from the file's (corrected since the
            # copy was made): nothing of it to add, the rest of the file merges (review16)
        elif mine != held:
            problems.add(
                "session_record",
                file.numbers["session_record"][fid],
                "uid",
                f"session {uid} is already in this database with other content"
                " (different versions or values): nothing is overwritten",
            )
            continue
        m.mapped["session_record"][fid] = dbid
        db_versions = {s.version: sid for sid, s in ours.versions(dbid)}
        for sid, s in theirs.versions(fid):
            if s.version not in db_versions:
                continue  # a later version: added, with its parts
            m.mapped["session"][sid] = db_versions[s.version]
            for t in ("site", "ims_finding", "adverse_event"):
                m.skipped[t] += len(file_kids[t].get(sid, []))
    # Follow-ups of sessions already there: the same one is skipped, a new one is added.
    existing = {
        ours.follow_up(f, db["session_record"][f.session_record_id].uid): fid
        for fid, f in db["follow_up"].items()
    }
    events_of = Counter(
        a.follow_up_id for a in file.rows["adverse_event"].values() if a.follow_up_id
    )
    for fid, f in file.rows["follow_up"].items():
        if f.session_record_id not in m.mapped["session_record"]:
            continue
        uid = file.rows["session_record"][f.session_record_id].uid
        hit = existing.get(theirs.follow_up(f, uid))
        if hit is not None:
            m.mapped["follow_up"][fid] = hit
            m.skipped["adverse_event"] += events_of.get(fid, 0)
            continue
        target = m.mapped["follow_up"].get(f.supersedes_id)
        if target is not None and target in superseded:
            problems.add(
                "follow_up",
                file.numbers["follow_up"][fid],
                "supersedes_id",
                "corrects a follow-up this database already shows corrected otherwise",
            )
    _match_readings(file, db, ours, theirs, m, problems)


def _match_readings(
    file: Checked,
    db: dict[str, dict[int, Any]],
    ours: _Natural,
    theirs: _Natural,
    m: Matches,
    problems: Problems,
) -> None:
    """Scale readings of sessions already there: the same one is skipped, a new one
    (taken after the database's copy, a backup) is added."""
    existing = {
        ours.reading(r, db["session_record"][r.session_record_id].uid): rid
        for rid, r in db["scale_reading"].items()
    }
    superseded = {r.supersedes_id for r in db["scale_reading"].values() if r.supersedes_id}
    for fid, r in file.rows.get("scale_reading", {}).items():
        if r.session_record_id not in m.mapped["session_record"]:
            continue
        uid = file.rows["session_record"][r.session_record_id].uid
        hit = existing.get(theirs.reading(r, uid))
        if hit is not None:
            m.mapped["scale_reading"][fid] = hit
        elif m.mapped["scale_reading"].get(r.supersedes_id) in superseded:
            problems.add(
                "scale_reading",
                file.numbers["scale_reading"][fid],
                "supersedes_id",
                "corrects a scale reading this database already shows corrected otherwise",
            )

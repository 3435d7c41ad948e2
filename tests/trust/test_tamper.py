"""Tampering with the file in the plain sqlite3 way, and `check` naming what changed.

Each tampering works on the trust clinic (every kind of row) through sqlite3 alone, as
someone with the file and a shell would: first with the triggers in place (what they
refuse), then with them dropped for the change and created again from their own SQL
(so only the records show it). `check` (health.check, and `audit verify`) must name
every row touched. See store/integrity/seal.py and store/integrity/tamper.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sessionlog.store.file.health import check

Tampering = Callable[[sqlite3.Connection], list[str]]


@contextmanager
def triggers_dropped(conn: sqlite3.Connection, *tables: str) -> Iterator[None]:
    """Drop every trigger on ``tables`` for the change, then create each again from its
    own SQL (so the trigger check sees nothing)."""
    kept = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN"
        f" ({', '.join('?' * len(tables))})",
        tables,
    ).fetchall()
    for name, _ in kept:
        conn.execute(f"DROP TRIGGER {name}")
    yield
    for _, sql in kept:
        conn.execute(sql)


def one(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def replace_row(conn: sqlite3.Connection, table: str, rid: int, **values: object) -> None:
    """INSERT OR REPLACE the row ``rid`` of ``table`` with some columns changed."""
    cols = _columns(conn, table)
    select = ", ".join("?" if c in values else c for c in cols)
    params = [values[c] for c in cols if c in values]
    conn.execute(
        f"INSERT OR REPLACE INTO {table} SELECT {select} FROM {table} WHERE id = ?",
        (*params, rid),
    )


# -- tamperings with the triggers dropped (and put back): check names the rows ---------


def replace_session_pain(conn: sqlite3.Connection) -> list[str]:
    sid = one(conn, "SELECT max(id) FROM current_session")
    with triggers_dropped(conn, "session"):
        replace_row(conn, "session", sid, pain_before=0, pain_after=0)
    return [f"session {sid} was changed after audit row"]


def replace_follow_up_pain(conn: sqlite3.Connection) -> list[str]:
    fid = one(conn, "SELECT min(id) FROM follow_up")
    with triggers_dropped(conn, "follow_up"):
        replace_row(conn, "follow_up", fid, pain=0)
    return [f"follow_up {fid} was changed after audit row"]


def replace_adverse_event_tier(conn: sqlite3.Connection) -> list[str]:
    aid = one(conn, "SELECT min(id) FROM adverse_event WHERE tier = 'significant'")
    with triggers_dropped(conn, "adverse_event"):
        replace_row(conn, "adverse_event", aid, tier="mild")
    return [f"adverse_event {aid} was changed after audit row"]


def edit_session_notes(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "session"):
        conn.execute("UPDATE session SET notes = 'nothing happened' WHERE id = 1")
    return ["session 1 was changed after audit row"]


def delete_session(conn: sqlite3.Connection) -> list[str]:
    sid = one(conn, "SELECT max(id) FROM session")
    with triggers_dropped(conn, "session"):
        conn.execute("DELETE FROM session WHERE id = ?", (sid,))
    return [f"session {sid} was removed (audit row"]


def edit_site(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "site"):
        conn.execute("UPDATE site SET target = 'GB21' WHERE id = 2")
    return ["site 2 was changed after audit row"]


def delete_site(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "site"):
        conn.execute("DELETE FROM site WHERE id = 3")
    return ["site 3 was removed (audit row"]


def edit_follow_up(conn: sqlite3.Connection) -> list[str]:
    fid = one(conn, "SELECT max(id) FROM follow_up")
    with triggers_dropped(conn, "follow_up"):
        conn.execute("UPDATE follow_up SET pain = 1 WHERE id = ?", (fid,))
    return [f"follow_up {fid} was changed after audit row"]


def delete_follow_up(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "follow_up", "adverse_event"):
        conn.execute("DELETE FROM adverse_event WHERE follow_up_id = 1")
        conn.execute("DELETE FROM follow_up WHERE id = 1")
    return ["follow_up 1 was removed (audit row"]


def edit_adverse_event(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "adverse_event"):
        conn.execute("UPDATE adverse_event SET description = '' WHERE id = 1")
    return ["adverse_event 1 was changed after audit row"]


def delete_adverse_event(conn: sqlite3.Connection) -> list[str]:
    aid = one(conn, "SELECT max(id) FROM adverse_event")
    with triggers_dropped(conn, "adverse_event"):
        conn.execute("DELETE FROM adverse_event WHERE id = ?", (aid,))
    return [f"adverse_event {aid} was removed (audit row"]


def edit_ims_finding(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "ims_finding"):
        conn.execute("UPDATE ims_finding SET coldness = 0 WHERE id = 1")
    return ["ims_finding 1 was changed after audit row"]


def move_session_to_another_patient(conn: sqlite3.Connection) -> list[str]:
    rec, sid = conn.execute(
        "SELECT record_id, id FROM current_session WHERE patient_id = 1 LIMIT 1"
    ).fetchone()
    with triggers_dropped(conn, "session", "session_record"):
        conn.execute("UPDATE session_record SET patient_id = 2 WHERE id = ?", (rec,))
        conn.execute("UPDATE session SET patient_id = 2 WHERE record_id = ?", (rec,))
    return [f"session_record {rec} was changed", f"session {sid} was changed"]


def void_in_place(conn: sqlite3.Connection) -> list[str]:
    sid = one(conn, "SELECT max(id) FROM current_session")
    with triggers_dropped(conn, "session"):
        conn.execute("UPDATE session SET status = 'void' WHERE id = ?", (sid,))
    return [f"session {sid} was changed after audit row"]


def swap_chart_ids(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "patient"):
        conn.execute("UPDATE patient SET chart_id = 'swap' WHERE id = 1")
        conn.execute("UPDATE patient SET chart_id = 'C001' WHERE id = 2")
        conn.execute("UPDATE patient SET chart_id = 'C002' WHERE id = 1")
    return ["patient 1 was changed after audit row", "patient 2 was changed after audit row"]


def rename_practitioner(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "practitioner"):
        conn.execute("UPDATE practitioner SET name = 'Someone Else' WHERE id = 1")
    return ["practitioner 1 was changed after audit row"]


def edit_episode(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "episode"):
        conn.execute("UPDATE episode SET complaint = 'knee' WHERE id = 1")
    return ["episode 1 was changed after audit row"]


def edit_protocol(conn: sqlite3.Connection) -> list[str]:
    pid = one(conn, "SELECT min(id) FROM protocol")
    with triggers_dropped(conn, "protocol"):
        conn.execute("UPDATE protocol SET sites = '[]' WHERE id = ?", (pid,))
    return [f"protocol {pid} was changed after audit row"]


def delete_protocol(conn: sqlite3.Connection) -> list[str]:
    pid = one(conn, "SELECT min(id) FROM protocol")
    conn.execute("DELETE FROM protocol WHERE id = ?", (pid,))  # no trigger to drop
    return [f"protocol {pid} was removed (audit row"]


def change_session_uid(conn: sqlite3.Connection) -> list[str]:
    with triggers_dropped(conn, "session_record"):
        conn.execute("UPDATE session_record SET uid = '" + "0" * 32 + "' WHERE id = 1")
    return ["session_record 1 was changed after audit row"]


def reuse_a_removed_id(conn: sqlite3.Connection) -> list[str]:
    """Delete a site and put another under its id: a seal that does not match."""
    with triggers_dropped(conn, "site"):
        replace_row(conn, "site", 1, target="ST36")
    return ["site 1 was changed after audit row"]


# -- tamperings the triggers allow or that leave the triggers out -----------------------


def insert_session_without_audit(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "INSERT INTO session_record (uid, patient_id, created_at)"
        " VALUES ('0123456789abcdef0123456789abcdef', 1, '2026-11-20 10:00:00')"
    )
    rec = one(conn, "SELECT max(id) FROM session_record")
    cols = [c for c in _columns(conn, "session") if c not in ("id", "record_id")]
    conn.execute(
        f"INSERT INTO session (record_id, {', '.join(cols)}) SELECT ?, {', '.join(cols)}"
        " FROM session WHERE id = 1",
        (rec,),
    )
    sid = one(conn, "SELECT max(id) FROM session")
    return [
        f"session_record {rec} was added without an audit row",
        f"session {sid} was added without an audit row",
    ]


def insert_site_without_audit(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "INSERT INTO site (session_id, seq, kind, target, side, insertions, stimulation,"
        " retention_s, thorax_risk) VALUES (1, 9, 'ashi', 'x', 'left', 1, 'none', 0, 0)"
    )
    return [f"site {one(conn, 'SELECT max(id) FROM site')} was added without an audit row"]


def delete_audit_tail(conn: sqlite3.Connection) -> list[str]:
    last = one(conn, "SELECT max(id) FROM audit_log WHERE detail LIKE '%\"sealed\"%'")
    with triggers_dropped(conn, "audit_log"):
        conn.execute("DELETE FROM audit_log WHERE id >= ?", (last,))
    return [f"audit row {last} was removed"]


def recompute_audit_chain(conn: sqlite3.Connection) -> list[str]:
    """Change a session, then rewrite the whole audit log with a recomputed chain (the
    seals left as they were): the chain verifies, the row's seal does not."""
    from sessionlog.store.integrity.audit import GENESIS, row_hash

    with triggers_dropped(conn, "session", "audit_log"):
        conn.execute("UPDATE session SET pain_before = 0 WHERE id = 1")
        rows = conn.execute(
            "SELECT id, at, actor_id, action, entity, entity_id, detail FROM audit_log ORDER BY id"
        ).fetchall()
        conn.execute("DELETE FROM audit_log")
        prev = GENESIS
        for rid, at, actor, action, entity, entity_id, detail in rows:
            digest = row_hash(prev, at, actor, action, entity, entity_id, detail)
            conn.execute(
                "INSERT OR REPLACE INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rid, at, actor, action, entity, entity_id, detail, prev, digest),
            )
            prev = digest
    return ["session 1 was changed after audit row"]


def forge_a_seal(conn: sqlite3.Connection) -> list[str]:
    """Change a site and its seal to match: the digest of its audit row no longer does."""
    from sessionlog.store.integrity.seal import seal_of

    with triggers_dropped(conn, "site", "record_seal"):
        conn.execute("UPDATE site SET insertions = 9 WHERE id = 2")
        new = seal_of(conn, "site", 2)
        audit_id = one(conn, "SELECT audit_id FROM record_seal WHERE tbl = 'site' AND row_id = 2")
        conn.execute("UPDATE record_seal SET hash = ? WHERE tbl = 'site' AND row_id = 2", (new,))
    return [f"the seals written with audit row {audit_id} were changed"]


def seal_an_added_row(conn: sqlite3.Connection) -> list[str]:
    """Add a site and a seal for it under an existing audit row."""
    from sessionlog.store.integrity.seal import seal_of

    expected = insert_site_without_audit(conn)
    sid = one(conn, "SELECT max(id) FROM site")
    seal = seal_of(conn, "site", sid)
    audit_id = one(conn, "SELECT max(audit_id) FROM record_seal")
    conn.execute("INSERT INTO record_seal VALUES ('site', ?, ?, ?)", (sid, audit_id, seal))
    assert not expected[0].startswith("x")
    return [f"the seals written with audit row {audit_id} were changed"]


def drop_triggers(conn: sqlite3.Connection) -> list[str]:
    for name in ("session_no_update", "patient_no_replace", "audit_log_no_delete"):
        conn.execute(f"DROP TRIGGER {name}")
    return [
        "the trigger session_no_update is missing",
        "the trigger patient_no_replace is missing",
        "the trigger audit_log_no_delete is missing",
    ]


def weaken_a_trigger(conn: sqlite3.Connection) -> list[str]:
    conn.execute("DROP TRIGGER site_no_delete")
    conn.execute(
        "CREATE TRIGGER site_no_delete BEFORE DELETE ON site WHEN 0"
        " BEGIN SELECT RAISE(ABORT, 'site rows are append-only: record an amendment instead'); END"
    )
    return ["the trigger site_no_delete was altered"]


def add_a_trigger(conn: sqlite3.Connection) -> list[str]:
    conn.execute("CREATE TRIGGER quiet AFTER INSERT ON follow_up BEGIN SELECT 1; END")
    return ["the trigger quiet is not sessionlog's"]


def drop_the_seals(conn: sqlite3.Connection) -> list[str]:
    """Drop the seals and pretend schema 0005 never ran (its triggers too)."""
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (tbl_name = 'record_seal'"
        " OR name LIKE '%_no_replace' OR name IN ('practitioner_no_update',"
        " 'practitioner_no_delete', 'patient_no_update', 'patient_no_delete',"
        " 'episode_no_update', 'episode_no_delete', 'protocol_no_update'))"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE record_seal")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_record_seals'")
    return ["the record seals are gone: ", "but the table of seals was dropped"]


TAMPERINGS: list[Tampering] = [
    drop_the_seals,
    replace_session_pain,
    replace_follow_up_pain,
    replace_adverse_event_tier,
    edit_session_notes,
    delete_session,
    edit_site,
    delete_site,
    edit_follow_up,
    delete_follow_up,
    edit_adverse_event,
    delete_adverse_event,
    edit_ims_finding,
    move_session_to_another_patient,
    void_in_place,
    swap_chart_ids,
    rename_practitioner,
    edit_episode,
    edit_protocol,
    delete_protocol,
    change_session_uid,
    reuse_a_removed_id,
    insert_session_without_audit,
    insert_site_without_audit,
    delete_audit_tail,
    recompute_audit_chain,
    forge_a_seal,
    seal_an_added_row,
    drop_triggers,
    weaken_a_trigger,
    add_a_trigger,
]


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda t: t.__name__)
def test_check_names_every_row_tampered_with(clinic_path: Path, tamper: Tampering) -> None:
    assert check(clinic_path).ok
    conn = sqlite3.connect(clinic_path, isolation_level=None)  # the sqlite3 shell's way
    try:
        expected = tamper(conn)
    finally:
        conn.close()
    health = check(clinic_path)
    assert not health.ok
    for text in expected:
        assert any(text in p for p in health.problems), (text, health.problems)
    assert health.problems[-1].startswith("Records were changed outside sessionlog")


# -- with the triggers in place: refused, and nothing changed ------------------------


REFUSED = [
    ("INSERT OR REPLACE INTO session SELECT * FROM session WHERE id = 1", "session rows are never"),
    ("INSERT OR REPLACE INTO follow_up SELECT * FROM follow_up WHERE id = 1", "follow-up rows"),
    ("INSERT OR REPLACE INTO adverse_event SELECT * FROM adverse_event WHERE id = 1", "adverse"),
    ("INSERT OR REPLACE INTO site SELECT * FROM site WHERE id = 1", "site rows are never"),
    ("INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log WHERE id = 2", "append-only"),
    ("INSERT OR REPLACE INTO patient SELECT * FROM patient WHERE id = 1", "patient rows are"),
    (
        "INSERT OR REPLACE INTO patient (chart_id, name, created_at)"
        " VALUES ('C001', 'Someone', '2026-11-20')",
        "patient rows are never replaced",
    ),
    ("INSERT OR REPLACE INTO practitioner SELECT * FROM practitioner WHERE id = 1", "practit"),
    ("INSERT OR REPLACE INTO episode SELECT * FROM episode WHERE id = 1", "episode rows"),
    ("INSERT OR REPLACE INTO session_record SELECT * FROM session_record WHERE id = 1", "records"),
    ("INSERT OR REPLACE INTO ims_finding SELECT * FROM ims_finding WHERE id = 1", "IMS"),
    ("INSERT OR REPLACE INTO protocol SELECT * FROM protocol LIMIT 1", "protocol rows"),
    ("INSERT OR REPLACE INTO record_seal SELECT * FROM record_seal LIMIT 1", "record seals"),
    ("UPDATE patient SET chart_id = 'C009' WHERE id = 1", "patient rows are append-only"),
    ("DELETE FROM patient WHERE id = 2", "patient rows are append-only"),
    ("UPDATE practitioner SET name = 'X' WHERE id = 1", "practitioner rows are append-only"),
    ("DELETE FROM episode WHERE id = 1", "episode rows are append-only"),
    ("UPDATE protocol SET sites = '[]'", "protocol rows are never changed"),
    ("UPDATE record_seal SET hash = zeroblob(32)", "record seals are append-only"),
    ("DELETE FROM record_seal", "record seals are append-only"),
]


@pytest.mark.parametrize(("sql", "message"), REFUSED, ids=[s[:40] for s, _ in REFUSED])
def test_the_triggers_refuse_replacing_and_rewriting(
    clinic_path: Path, sql: str, message: str
) -> None:
    conn = sqlite3.connect(clinic_path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.IntegrityError, match=message):
            conn.execute(sql)
    finally:
        conn.close()
    assert check(clinic_path).ok


def test_what_sessionlog_itself_does_passes_check(clinic_path: Path) -> None:
    """A protocol saved again under its name replaces the old one (its removal sealed);
    an amendment, a void and a follow-up correction are new rows: check stays healthy."""
    from sessionlog.store import Store

    store = Store.open(clinic_path)
    old = one(store.conn, "SELECT min(id) FROM protocol")
    practitioner, name = store.conn.execute(
        "SELECT practitioner_id, name FROM protocol WHERE id = ?", (old,)
    ).fetchone()
    new = store.save_protocol(practitioner, name, "acupuncture", [{"target": "LI4"}])
    assert new > old and store.conn.execute(
        "SELECT count(*) FROM protocol WHERE id = ?", (old,)
    ).fetchone() == (0,)
    again = store.save_protocol(practitioner, name, "acupuncture", [{"target": "ST36"}])
    assert again == new + 1  # a removed id is never used again
    store.close()
    health = check(clinic_path)
    assert health.ok, health.problems


def test_dropped_seals_are_not_laundered_by_the_migration_running_again(
    clinic_path: Path,
) -> None:
    from sessionlog.store import Store

    conn = sqlite3.connect(clinic_path, isolation_level=None)
    drop_the_seals(conn)
    conn.close()
    Store.open(clinic_path).close()  # schema 0005 runs again and seals what is there
    problems = check(clinic_path).problems
    assert any("sealed 1 record row whose seals are gone" in p for p in problems), problems


# -- contact notes (schema 0012): a history that check keeps healthy and guards --------


def test_contact_changes_stay_healthy_and_a_tampered_note_is_named(clinic_path: Path) -> None:
    from sessionlog.store import Store

    store = Store.open(clinic_path)
    try:
        store.set_contact(1, "555 0101", 1)
        store.set_contact(1, "555 0202", 1)
        store.set_contact(2, None, 1)
    finally:
        store.close()
    assert check(clinic_path).ok, check(clinic_path).problems
    conn = sqlite3.connect(clinic_path, isolation_level=None)
    try:
        rid = one(conn, "SELECT min(id) FROM patient_contact")
        with triggers_dropped(conn, "patient_contact"):
            conn.execute("UPDATE patient_contact SET contact = '555 9999' WHERE id = ?", (rid,))
    finally:
        conn.close()
    health = check(clinic_path)
    assert not health.ok
    assert any(f"patient_contact {rid} was changed after audit row" in p for p in health.problems)

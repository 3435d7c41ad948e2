"""What the file alone cannot show, and what backups and exports then prove.

Someone with the file can rewrite a record, its seal, the digests and the whole chain
consistently: `check` then passes. Every backup and export carries the chain head it
was taken at, and `check --against FILE` shows that today's chain no longer extends it,
naming the audit row where the two part.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers_cli import run, with_secrets  # as a script runs: practitioner 1, its secret

from sessionlog.store import Store
from sessionlog.store.file.backup import backup
from sessionlog.store.file.health import check
from sessionlog.store.integrity.audit import GENESIS, row_hash
from sessionlog.store.integrity.seal import digest, seal_of


def rewrite_consistently(path: Path) -> int:
    """Change session 1's pain and rewrite its seal, its audit row's digest and the
    whole chain after it to match, triggers put back: nothing in the file shows it.
    Returns the audit row from which the chain differs."""
    conn = sqlite3.connect(path, isolation_level=None)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("UPDATE session SET pain_before = 0 WHERE id = 1")
    new = seal_of(conn, "session", 1)
    conn.execute("UPDATE record_seal SET hash = ? WHERE tbl = 'session' AND row_id = 1", (new,))
    audit_id = conn.execute(
        "SELECT audit_id FROM record_seal WHERE tbl = 'session' AND row_id = 1"
    ).fetchone()[0]
    seals = [
        r[0]
        for r in conn.execute(
            "SELECT hash FROM record_seal WHERE audit_id = ? ORDER BY tbl, row_id", (audit_id,)
        )
    ]
    conn.execute(
        "UPDATE audit_log SET detail = json_set(detail, '$.seal', ?) WHERE id = ?",
        (digest(seals), audit_id),
    )
    prev = GENESIS
    rows = conn.execute(
        "SELECT id, at, actor_id, action, entity, entity_id, detail FROM audit_log ORDER BY id"
    ).fetchall()
    for rid, at, actor, action, entity, entity_id, detail in rows:
        h = row_hash(prev, at, actor, action, entity, entity_id, detail)
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, rid))
        prev = h
    for _, sql in triggers:
        conn.execute(sql)
    conn.close()
    return int(audit_id)


def test_a_consistent_rewrite_passes_check_alone_but_not_against_a_backup(
    clinic_path: Path, tmp_path: Path
) -> None:
    with_secrets(clinic_path)  # the practitioners' secrets, set before the backup
    store = Store.open(clinic_path)
    result = backup(store, tmp_path / "monday.db")
    store.close()
    assert result.chain_head == "audit row 18 (hash " + result.chain_head.split("hash ")[1]
    ok = run(clinic_path, f"check --against {result.path}")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[-1].startswith(
        "Today's chain extends the chain of monday.db: its head, audit row 18 (hash "
    )
    assert ok.stdout.splitlines()[-1].endswith("(18 rows compared), followed by 1 newer row.")

    parted = rewrite_consistently(clinic_path)
    assert check(clinic_path).ok  # what the file alone cannot show (see the README)
    bad = run(clinic_path, f"check --against {result.path}")
    assert bad.exit_code == 1
    assert bad.stdout.splitlines()[-1].startswith(
        f"Today's chain does not extend the chain of monday.db: they part at audit row {parted}"
    )


@pytest.mark.parametrize(
    "fmt,name", [("json", "x.json"), ("csv", "x.zip"), ("fhir", "x.fhir.json")]
)
def test_every_export_carries_its_chain_head(
    clinic_path: Path, tmp_path: Path, fmt: str, name: str
) -> None:
    out = tmp_path / name
    done = run(clinic_path, f"export --format {fmt} -o {out}")
    assert done.exit_code == 0, done.output
    conn = sqlite3.connect(clinic_path)
    head_id, head_hash = conn.execute(
        "SELECT id, hash FROM audit_log WHERE id < (SELECT max(id) FROM audit_log)"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()
    conn.close()
    if fmt == "json":
        header = json.loads(out.read_text("utf-8"))["chain_head"]
        assert header == {"rows": head_id, "id": head_id, "hash": head_hash}
    ok = run(clinic_path, f"check --against {out}")
    assert ok.exit_code == 0, ok.output
    assert f"its head, audit row {head_id} (hash {head_hash[:16]}...)" in ok.stdout

    parted = rewrite_consistently(clinic_path)
    bad = run(clinic_path, f"check --against {out}")
    assert bad.exit_code == 1
    where = parted if fmt != "fhir" else head_id  # a FHIR bundle carries only its head
    assert f"they part at audit row {where} " in bad.stdout


def test_an_audit_log_cut_short_is_named_against_a_backup(
    clinic_path: Path, tmp_path: Path
) -> None:
    with_secrets(clinic_path)  # the practitioners' secrets, set before the copy is kept
    kept = tmp_path / "kept.db"
    shutil.copy(clinic_path, kept)
    conn = sqlite3.connect(clinic_path, isolation_level=None)
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'audit_log_no_delete'"
    ).fetchone()
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE id >= 15")
    conn.execute(sql[0])
    conn.close()
    result = run(clinic_path, f"check --against {kept}")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "Today's chain does not extend the chain of kept.db: its audit row 15 is missing"
        " today (audit rows were removed, or the chain was rewritten from there)."
    )


def test_check_against_a_device_or_an_endless_line_is_one_line(
    clinic_path: Path, tmp_path: Path
) -> None:
    # `check --against /dev/zero` read without limit (a MemoryError traceback at the
    # export's first lines under a ulimit; without one, all the memory there is).
    result = run(clinic_path, "check --against /dev/zero")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: /dev/zero: is not a file: give a backup or an export (a JSON file, a CSV .zip"
        " or folder)\n",
    )
    long_line = tmp_path / "long.json"
    long_line.write_text('{\n"format":"sessionlog",\n"audit_log":[\n' + "7" * (3 << 20))
    result = run(clinic_path, f"check --against {long_line}")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {long_line}: has a line of over 1 MB: not a sessionlog export (one audit"
        " row per line)\n",
    )

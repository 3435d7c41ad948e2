"""Processes that save sessions, for the concurrency and kill -9 tests.

``save_many`` runs in a spawned process (multiprocessing); run as a script, this file
saves sessions until it is killed, printing each record id once its save returned
(``zygote``: one such saver forked per request, so a kill trial costs no interpreter
start-up).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

from sessionlog.domain import parse_patient, parse_practitioner, parse_session
from sessionlog.store import Store

START = datetime(2026, 1, 5, 8, 0)


def prepare(path: Path) -> None:
    """A database with one practitioner (id 1) and one patient (id 1)."""
    store = Store.open(path)
    store.add_practitioner(parse_practitioner({"name": "Ann Lee", "profession": "other"}))
    store.add_patient(parse_patient({"chart_id": "C001", "name": "Bo Kim"}))
    store.close()


def prepare_with_backup(path: Path, dest: Path) -> Path:
    """:func:`prepare`, then a backup of it at ``dest`` (returned)."""
    from sessionlog.store.file.backup import backup

    prepare(path)
    store = Store.open(path)
    try:
        return backup(store, dest).path
    finally:
        store.close()


def session(n: int, worker: int = 0):  # type: ignore[no-untyped-def]
    return parse_session(
        {
            "patient_id": 1,
            "practitioner_id": 1,
            "technique": "dry_needling",
            "consent": True,
            "started_at": START + timedelta(minutes=n),
            "pain_before": n % 11,
            "notes": f"worker {worker} save {n}",
            "sites": [{"target": "upper trap", "side": "left"}, {"target": "LI4", "side": "right"}],
        }
    )


def save_many(path: str, count: int, worker: int) -> tuple[list[int], list[str]]:
    """Save ``count`` sessions; returns the record ids and any error a caller saw."""
    store = Store.open(path)
    ids: list[int] = []
    errors: list[str] = []
    for n in range(count):
        try:
            ids.append(store.save_session(session(n, worker)).record_id)
        except Exception as exc:  # every error a caller could see is the finding
            errors.append(f"{type(exc).__name__}: {exc}")
    store.close()
    return ids, errors


def main(path: str, out: int = 1) -> None:
    """Save until killed, writing ``ready`` and then each record id to the file
    descriptor ``out`` once its save returned (unbuffered: what was written is what was
    acknowledged)."""
    store = Store.open(path)
    prepared = session(0)  # loads the catalogue before the first save
    os.write(out, b"ready\n")
    while True:
        saved = store.save_session(prepared)
        os.write(out, f"{saved.record_id}\n".encode())  # acknowledged: the commit returned


def zygote(path: str) -> None:
    """For each line on stdin (the path of a FIFO), fork a process that runs :func:`main`
    writing to that FIFO; print its pid, then how it ended once it did (``killed`` for a
    SIGKILL). Nothing of sessionlog is open here when forking: each child opens the
    database itself, as a new process would."""
    session(0)  # imports and the catalogue, shared by every child
    print("ready", flush=True)
    for line in iter(sys.stdin.readline, ""):
        pid = os.fork()
        if pid == 0:
            try:
                main(path, os.open(line.strip(), os.O_WRONLY))
            finally:
                os._exit(1)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
        print("killed" if killed else f"ended {status}", flush=True)


def reopening(path: str) -> None:
    """Save until killed, opening the database afresh for each save (as one
    ``sessionlog log`` after another does); prints ``saved N`` once save N returned,
    ``refused N: message`` when it was refused."""
    session(0)  # loads the catalogue before the first save
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        try:
            store = Store.open(path)
            try:
                store.save_session(session(n))
            finally:
                store.close()
        except Exception as exc:  # every error a caller could see is the finding
            print(f"refused {n}: {exc}", flush=True)
            continue
        print(f"saved {n}", flush=True)


if __name__ == "__main__":
    modes = {"reopening": reopening, "zygote": zygote}
    modes.get(sys.argv[2] if sys.argv[2:] else "", main)(sys.argv[1])

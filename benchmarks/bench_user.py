"""The user's path, timed from outside the process (``pty_start.py``), against a bare app.

The runs alternate: bare app, sessionlog, (with ``--peers``) each peer, repeated; one
unmeasured warm-up of each first (disk cache, compiled bytecode). Medians are reported.
The database is a scratch copy of the generated clinic whose first practitioner has a
secret (a generated clinic predates sign-in: nobody has one).
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .bench_save import scratch_copy
from .measure import Row, median, ms, ratio, verdict
from .pty_start import UserPath, console_script, start_bare, start_sessionlog

SECRET = "246810"
FIRST_FRAME_TARGET = 1.10  # x the bare app
PEER_FACTOR = 2.5  # harlequin's first frame / ours, at least
SIGN_IN_TARGET_S = 0.100
QUIT_TARGET_S = 0.250


def user_path(db: Path, folder: Path) -> UserPath:
    """The scratch copy, the command, and the words that prove each screen."""
    from sessionlog.services import auth
    from sessionlog.store import Store

    from .clinic import END

    path = scratch_copy(db, folder)
    store = Store.open(path, clock=lambda: END)
    try:
        choices = auth.sign_in_choices(store)
        first = choices[0].practitioner_id  # the list starts on them (a new settings file)
        if store.access(first) is None:
            auth.set_first_secret(store, first, SECRET)
        names = [c.name for c in choices]
        recent = [p["name"] for p in store.recent_patients(12)]
        access = store.access(first)
    finally:
        store.close()
    assert access is not None
    root = Path(__file__).resolve().parent.parent
    # The checkout's modules compiled, as pip compiles an installed copy (the bare app's
    # Textual is): with PYTHONDONTWRITEBYTECODE set, a module no run has compiled yet would
    # be compiled at every cold start measured.
    compileall.compile_dir(root / "sessionlog", quiet=1)
    return UserPath(
        script=console_script(folder),
        db=path,
        root=root,
        sign_in_words=("Who is signing in?", *names),
        secret_placeholder="secret",
        secret=SECRET,
        home_words=(recent[0], recent[-1]),
        hash_secret=lambda: first_hash_seconds(
            root, access.salt, access.params, access.secret_hash
        ),
    )


# The secret's hash as sign-in computes it, timed in a fresh interpreter (see below).
_FIRST_HASH = """
import hashlib, hmac, sys, time
from types import SimpleNamespace
from sessionlog.services import auth
salt, params, digest, secret = sys.argv[1:5]
access = SimpleNamespace(salt=salt, params=params, secret_hash=digest)
began = time.perf_counter()
assert auth.secret_matches(secret, access)
print(time.perf_counter() - began)
"""


def first_hash_seconds(root: Path, salt: str, params: str, digest: str) -> float:
    """How long the secret's hash takes as the app computes it at sign-in: the first in
    its process. scrypt's 16 MiB are then new memory (about 4,100 page faults); a process
    that has hashed before (this one, after the first run) reuses them, and its hash took
    68 ms where the app's took 86-89 ms of CPU: the difference was counted as the
    app's own work between the Enter and Home."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])
    )
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_HASH, salt, params, digest, SECRET],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return float(done.stdout)


def run(db: Path, repeat: int, peers: bool = False) -> list[Row]:
    """The user-path rows (and the peers' first frames with ``peers``)."""
    from . import peers as peer_apps

    with tempfile.TemporaryDirectory(prefix="sessionlog-bench-user-") as tmp:
        folder = Path(tmp)
        user = user_path(db, folder)
        home = folder / "home"
        chosen = peer_apps.prepared(folder, user.db) if peers else []
        start_bare(home)  # warm-ups
        start_sessionlog(user, home)
        for peer in chosen:
            peer.start(home)
        bare, ours = [], []
        theirs: dict[str, list[float]] = {p.name: [] for p in chosen}
        for _ in range(repeat):
            bare.append(start_bare(home))
            ours.append(start_sessionlog(user, home))
            for peer in chosen:
                theirs[peer.name].append(peer.start(home).first_frame)
    first, bfirst = median([r.first_frame for r in ours]), median([r.first_frame for r in bare])
    home_s = median([r.sign_in_to_home for r in ours])
    scrypt = median([r.scrypt for r in ours])
    quit_, bquit = median([r.quit for r in ours]), median([r.quit for r in bare])
    rows = [
        Row(
            f"cold start of `sessionlog --db FILE` to the sign-in frame on the terminal"
            f" (median of {repeat})",
            ms(first),
            ms(bfirst),
            ratio(first, bfirst),
            f"<= {FIRST_FRAME_TARGET:.2f}x",
            verdict(first <= FIRST_FRAME_TARGET * bfirst),
        ),
        Row(
            f"sign-in (Enter) to Home with its patients on the terminal, hash excluded"
            f" (median of {repeat})",
            ms(home_s),
            f"hash {ms(scrypt)}",
            "-",
            f"<= {SIGN_IN_TARGET_S * 1000:.0f} ms",
            verdict(home_s <= SIGN_IN_TARGET_S),
        ),
        Row(
            f"quit: Ctrl+Q typed on Home to process exit (median of {repeat})",
            ms(quit_),
            ms(bquit),
            ratio(quit_, bquit),
            f"<= {QUIT_TARGET_S * 1000:.0f} ms",
            verdict(quit_ <= QUIT_TARGET_S),
        ),
    ]
    for peer in chosen:
        theirs_s = median(theirs[peer.name])
        wanted = peer.name == "harlequin"
        rows.append(
            Row(
                f"  peer: {peer.name} {peer.version}'s first frame (median of {repeat}),"
                " ours / theirs",
                ms(theirs_s),
                f"ours {ms(first)}",
                ratio(first, theirs_s),
                f"<= {1 / PEER_FACTOR:.2f}x" if wanted else "-",
                verdict(first * PEER_FACTOR <= theirs_s) if wanted else "",
            )
        )
    return rows

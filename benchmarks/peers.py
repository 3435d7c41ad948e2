"""Peers for the first frame (``python -m benchmarks --peers``, never in CI).

Other Textual apps, each pip-installed into a virtual environment of its own under
``~/.cache/sessionlog-bench-peers/`` ($SESSIONLOG_BENCH_PEERS moves it) the first time,
then started exactly as sessionlog is (``pty_start.Terminal``: a fresh 120x40
pseudo-terminal, their own empty settings folders) and timed until the words of their
first frame reach the terminal. They are then stopped (their own quit is not timed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .pty_start import FirstFrame, Terminal, base_env

CACHE = Path(
    os.environ.get("SESSIONLOG_BENCH_PEERS") or Path.home() / ".cache" / "sessionlog-bench-peers"
)


@dataclass(frozen=True)
class PeerSpec:
    name: str
    requirements: tuple[str, ...]  # what pip installs
    words: tuple[str, ...]  # the first frame's words, as the app paints them
    args: tuple[str, ...] = ()  # after the command; {db} and {folder} are filled in


SPECS = (
    # harlequin opens the same SQLite file (its built-in sqlite adapter): the Query
    # Editor and its Run Query button are what its user acts on first.
    PeerSpec("harlequin", ("harlequin",), ("Query Editor", "Run Query"), ("-a", "sqlite", "{db}")),
    # posting on an empty collection. tree-sitter 0.26 makes posting 2.11's grammars
    # crash (a segmentation fault while its response area is built): the version before.
    PeerSpec(
        "posting",
        ("posting", "tree-sitter<0.26"),
        ("Enter a URL", "Send", "Collection is empty"),
        ("--collection", "{folder}"),
    ),
)


@dataclass(frozen=True)
class Peer:
    name: str
    version: str
    argv: tuple[str, ...]
    words: tuple[str, ...]

    def start(self, home: Path) -> FirstFrame:
        """One cold start to the first frame's words on the terminal; then stopped."""
        term = Terminal(self.argv, base_env(home), cwd=home)
        try:
            at, _ = term.wait_for(self.words)
            return FirstFrame(first_frame=at - term.began)
        finally:
            term.close()


def installed(spec: PeerSpec) -> Path:
    """The peer's environment, made and filled with pip the first time."""
    env = CACHE / spec.name
    python = env / "bin" / "python"
    if not (env / "bin" / spec.name).exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"installing {spec.name} into {env} (once) ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(env)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *spec.requirements],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return env


def prepared(folder: Path, db: Path) -> list[Peer]:
    """Every peer, installed, with its command line for ``db`` (a scratch copy)."""
    peers = []
    work = folder / "peer-work"
    work.mkdir(exist_ok=True)
    for spec in SPECS:
        env = installed(spec)
        version = subprocess.run(
            [
                str(env / "bin" / "python"),
                "-c",
                f"import importlib.metadata as m; print(m.version({spec.name!r}))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        args = tuple(a.format(db=db, folder=work) for a in spec.args)
        peers.append(Peer(spec.name, version, (str(env / "bin" / spec.name), *args), spec.words))
    return peers

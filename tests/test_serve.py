"""``sessionlog serve`` as a browser meets it: a real server on a loopback port, in its own
process, driven over HTTP and WebSocket.

It answers only to its own host, takes WebSockets only from its own page, holds at
most ``--max-sessions`` sessions, starts each one as a fresh app whose process
environment holds no secret, and its page names no other site.
"""

from __future__ import annotations

import asyncio
import os
import re
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

import sessionlog

ROOT = Path(sessionlog.__file__).resolve().parent.parent
PASSPHRASE = "tulip-cellar-47"
PRACTITIONER_SECRET = "491736"
FIRST_SCREEN = "sessionlog: sign in"  # every fresh app starts at the sign-in screen
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
DEADLINE = 60.0  # seconds: a bound, never a wait
READ_NAMES = (
    "import sys\nfrom sessionlog.store import Store\n"
    "print('\\n'.join(p['name'] for p in Store.open(sys.argv[1]).patients()))"
)


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    port: int
    patients: list[str]  # the names in the served clinic


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONLOG_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, **extra}


def sessionlog_cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sessionlog", "--db", str(db), *args]


def wait_for_line(process: subprocess.Popen[str], text: str) -> None:
    """Read the server's output until ``text`` appears (its readiness line)."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    seen = ""
    end = time.monotonic() + DEADLINE
    while text not in seen:
        left = end - time.monotonic()
        assert left > 0 and process.poll() is None, f"server not ready: {seen!r}"
        if selector.select(left):
            seen += process.stdout.readline()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """An encrypted demo clinic served on a free loopback port, at most 2 sessions."""
    db = tmp_path_factory.mktemp("serve") / "clinic.db"
    subprocess.run(
        sessionlog_cmd(db, "demo", "--patients", "5"),
        env=environment(SESSIONLOG_PASSPHRASE=PASSPHRASE),
        check=True,
        capture_output=True,
        timeout=DEADLINE,
    )
    names = subprocess.run(
        [sys.executable, "-c", READ_NAMES, str(db)],
        env=environment(SESSIONLOG_PASSPHRASE=PASSPHRASE),
        check=True,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    ).stdout.splitlines()
    assert len(names) == 5
    port = free_port()
    process = subprocess.Popen(
        sessionlog_cmd(db, "serve", "--port", str(port), "--max-sessions", "2"),
        env=environment(
            SESSIONLOG_PASSPHRASE=PASSPHRASE,
            SESSIONLOG_PRACTITIONER_SECRET=PRACTITIONER_SECRET,
            COLUMNS="200",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_for_line(process, "Ready at")
        yield Served(process, f"http://127.0.0.1:{port}", port, names)
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE)


def children(pid: int) -> set[int]:
    """The running processes whose parent is ``pid`` (ended ones not yet reaped left out)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            except OSError:
                continue
            if int(parent) == pid and state != "Z":
                found.add(int(entry.name))
    return found


async def screen_text(ws: aiohttp.ClientWebSocketResponse, until: str) -> str:
    """The app's output, escape codes removed, read until ``until`` shows."""
    text = ""
    async with asyncio.timeout(DEADLINE):
        while until not in ANSI.sub("", text):
            message = await ws.receive()
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            data = message.data
            text += data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return ANSI.sub("", text)


def connect(
    session: aiohttp.ClientSession, served: Served, origin: str | None, host: str | None = None
):  # type: ignore[no-untyped-def]
    headers = {"Origin": origin} if origin else {}
    if host:
        headers["Host"] = host
    return session.ws_connect(f"ws://127.0.0.1:{served.port}/ws?width=100&height=30",
                              headers=headers)  # fmt: skip


async def refused(served: Served, origin: str | None, host: str | None = None) -> int:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            async with connect(session, served, origin, host):
                pass
    return caught.value.status


async def accepted(session: aiohttp.ClientSession, served: Served):  # type: ignore[no-untyped-def]
    """A session from our own page; a full server is tried again until the deadline
    (a closed session frees its place once its app process has ended)."""
    end = time.monotonic() + DEADLINE
    while True:
        try:
            return await connect(session, served, served.url)
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status != 503 or time.monotonic() > end:
                raise
            await asyncio.sleep(0.05)  # polling, bounded by the deadline


def test_a_websocket_from_another_site_or_with_no_origin_is_refused(served: Served) -> None:
    async def run() -> list[int]:
        return [
            await refused(served, "http://evil.example"),
            await refused(served, "http://127.0.0.1:1"),  # another port is another site
            await refused(served, None),
        ]

    before = children(served.process.pid)
    assert asyncio.run(run()) == [403, 403, 403]
    assert children(served.process.pid) <= before  # no app was started for them


def test_a_request_for_another_host_is_refused(served: Served) -> None:
    async def run() -> tuple[int, int, str, int]:
        async with aiohttp.ClientSession() as session:
            async with session.get(served.url, headers={"Host": "evil.example"}) as bad:
                bad_status = bad.status
            async with session.get(served.url) as good:
                page = await good.text()
                csp = good.headers["Content-Security-Policy"]
            ws_status = await refused(served, served.url, host=f"evil.example:{served.port}")
        assert "default-src 'self'" in csp
        return bad_status, good.status, page, ws_status

    bad, good, page, ws_bad = asyncio.run(run())
    assert (bad, good, ws_bad) == (403, 200, 403)
    assert "googleapis" not in page
    fetched = [a or b for a, b in re.findall(r'(?:src|href)="([^"]+)"|url\("([^"]+)"\)', page)]
    assert len(fetched) == 5  # stylesheet, two fonts, script, background image
    assert [url for url in fetched if not url.startswith(f"{served.url}/static/")] == []
    assert "fonts/RobotoMono-VariableFont_wght.ttf" in page


def test_an_accepted_session_gets_a_fresh_app_with_no_secret_in_its_environment(
    served: Served,
) -> None:
    before = children(served.process.pid)

    async def run() -> tuple[str, set[int], str, set[int]]:
        async with aiohttp.ClientSession() as session:
            async with await accepted(session, served) as ws:
                first = await screen_text(ws, FIRST_SCREEN)
                pids = children(served.process.pid) - before
                environs = [Path(f"/proc/{pid}/environ").read_bytes() for pid in pids]
                cmdlines = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in pids]
            async with await accepted(session, served) as ws:  # a reload: a new app
                again = await screen_text(ws, FIRST_SCREEN)
                later = children(served.process.pid) - before - pids
        for blob in environs + cmdlines:
            assert PASSPHRASE.encode() not in blob
            assert PRACTITIONER_SECRET.encode() not in blob
            assert b"SESSIONLOG_PASSPHRASE" not in blob
            assert b"SESSIONLOG_PRACTITIONER_SECRET" not in blob
        assert any(b"TEXTUAL_DRIVER" in blob for blob in environs)  # it was the app's
        return first, pids, again, later

    first, pids, again, later = asyncio.run(run())
    assert FIRST_SCREEN in first and FIRST_SCREEN in again  # the encrypted clinic opened
    for name in served.patients:
        assert name not in first and name not in again
    assert len(pids) == 1 and len(later) == 1  # one process each, the second a new one


def test_the_session_cap_holds_and_frees_a_place_when_one_closes(served: Served) -> None:
    async def run() -> tuple[int, str]:
        async with aiohttp.ClientSession() as session:
            first = await accepted(session, served)
            second = await accepted(session, served)
            await screen_text(second, FIRST_SCREEN)
            over = await refused(served, served.url)
            await first.close()
            third = await accepted(session, served)  # the freed place
            shown = await screen_text(third, FIRST_SCREEN)
            await second.close()
            await third.close()
        return over, shown

    over, shown = asyncio.run(run())
    assert over == 503
    assert FIRST_SCREEN in shown


def test_another_host_needs_expose_and_says_what_it_exposes(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    refused_run = subprocess.run(
        sessionlog_cmd(db, "serve", "--host", "192.0.2.7"),
        env=environment(),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert refused_run.returncode == 1
    assert refused_run.stderr == (
        "error: --host 192.0.2.7 would put every patient record on the network; add --expose"
        " to mean it (or leave --host out for this computer only)\n"
    )
    assert not db.exists()
    wildcard = subprocess.run(
        sessionlog_cmd(db, "serve", "--host", "0.0.0.0", "--expose"),
        env=environment(),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert wildcard.returncode == 1
    assert "say which name browsers use with --allow-host NAME" in wildcard.stderr


def test_an_exposed_server_says_so_and_answers_only_to_its_names(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        sessionlog_cmd(
            tmp_path / "c.db",
            "serve",
            "--host",
            "0.0.0.0",
            "--expose",
            "--allow-host",
            "clinic-pc.lan",
            "--port",
            str(port),
        ),  # fmt: skip
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(process, "Ready at")

        async def statuses() -> list[int]:
            async with aiohttp.ClientSession() as session:
                out = []
                for host in (f"clinic-pc.lan:{port}", f"127.0.0.1:{port}"):
                    async with session.get(
                        f"http://127.0.0.1:{port}/", headers={"Host": host}
                    ) as r:
                        out.append(r.status)
                return out

        assert asyncio.run(statuses()) == [200, 403]
    finally:
        process.terminate()
        _, err = process.communicate(timeout=DEADLINE)
    assert "EXPOSED: every patient record in" in err
    assert f"Answering to: clinic-pc.lan:{port}." in err

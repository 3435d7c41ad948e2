"""The app in a web browser: textual-serve's server, with the guards a clinic needs.

textual-serve runs one app process per browser connection. Subclassed here (not
forked), it also:

- answers only to the served host: an HTTP request whose ``Host`` is not one of the
  served names is refused (403), which stops DNS-rebinding pages; a WebSocket whose
  ``Origin`` is not the served page is refused (403), so another site open in the
  same browser cannot drive the app;
- caps simultaneous sessions (503 beyond ``max_sessions``): each is a process;
- starts each session's process without a secret in its environment (no passphrase,
  no practitioner secret): the database passphrase, if any, goes to it through a
  pipe that only it inherits (``--passphrase-fd``), read once and closed;
- serves a page that loads nothing from the network: the font comes from
  textual-serve's own static folder (it linked Google Fonts), and a
  Content-Security-Policy forbids any other origin;
- starts every connection with a new app process: a reload is a new app.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("textual-serve")

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::")  # every address: not a name a browser is sent to
# Environment variables never passed to a session's process, whatever the app: any
# name that says it holds a secret.
SECRET_NAME = re.compile(r"PASS(WORD|PHRASE|WD)?|SECRET|TOKEN|CREDENTIAL|API_?KEY", re.I)
GOOGLE_FONTS = re.compile(r'<link\s+rel="stylesheet"\s+href="https://fonts\.googleapis\.com[^>]*>')
LOCAL_FONT = """<style>
      @font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-style: normal;
        src: url("{static}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
      @font-face { font-family: "Roboto Mono"; font-weight: 100 700; font-style: italic;
        src: url("{static}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
    </style>"""


def host_names(host: str, port: int, extra: Sequence[str] = ()) -> frozenset[str]:
    """The ``Host`` header values this server answers to: ``host`` (with its loopback
    aliases when it is loopback; not 0.0.0.0 or ::) and ``extra`` names, each with the
    port (and without it on port 80, as browsers send it)."""
    names = set(extra) if host in WILDCARD else {host, *extra}
    if host in LOOPBACK:
        names |= set(LOOPBACK)
    out = set()
    for name in names:
        bare = f"[{name}]" if ":" in name and not name.startswith("[") else name
        out.add(f"{bare}:{port}".lower())
        if port == 80:
            out.add(bare.lower())
    return frozenset(out)


def clean_environment(environment: dict[str, str]) -> dict[str, str]:
    """``environment`` without any variable whose name says it holds a secret."""
    return {k: v for k, v in environment.items() if not SECRET_NAME.search(k)}


class SessionService(AppService):
    """One browser session's app process: started with ``argv`` (no shell), a clean
    environment, and the passphrase (if any) on an inherited pipe."""

    def __init__(self, argv: Sequence[str], passphrase: str | None, **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = list(argv)
        self.passphrase = passphrase

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return clean_environment(super()._build_environment(width, height))

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        environment = self._build_environment(width=width, height=height)
        argv, inherit = list(self.argv), list[int]()
        if self.passphrase is not None:
            read_end, write_end = os.pipe()  # a few bytes: the pipe holds them all
            try:
                os.write(write_end, self.passphrase.encode("utf-8"))
            finally:
                os.close(write_end)
            # An option of the group (argv names no command), which reads and closes it.
            argv += ["--passphrase-fd", str(read_end)]
            inherit.append(read_end)
        try:
            self._process = process = await asyncio.create_subprocess_exec(
                argv[0],
                *argv[1:],
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment,
                pass_fds=inherit,
            )
        finally:
            for fd in inherit:
                os.close(fd)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process


class GuardedServer(Server):
    """textual-serve's Server, answering only its own host, up to ``max_sessions``."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        host: str,
        port: int,
        max_sessions: int,
        passphrase: str | None = None,
        extra_hosts: Sequence[str] = (),
        title: str = "sessionlog",
    ) -> None:
        public = extra_hosts[0] if host in WILDCARD and extra_hosts else host
        shown = f"[{public}]" if ":" in public else public
        super().__init__(
            " ".join(argv),
            host=host,
            port=port,
            title=title,
            public_url=f"http://{shown}:{port}" if port != 80 else f"http://{shown}",
        )
        self.argv = list(argv)
        self.passphrase = passphrase
        self.max_sessions = max_sessions
        self.hosts = host_names(host, port, extra_hosts)
        self.origins = frozenset(f"http://{h}" for h in self.hosts)
        self.sessions = 0  # open WebSocket sessions (each an app process)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._only_our_host)
        return app

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C or SIGTERM. As textual-serve's, but "Ready at" is said only
        once the port is listening (aiohttp calls ``print`` after its sites start; the
        startup signal comes before, so a client told "ready" there could be refused)."""
        self.debug = debug
        self.initialize_logging()
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            loop = asyncio.new_event_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda *_: print(f"Ready at {self.public_url}", flush=True),
        )

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: textual-serve's logo is not ours; "Ready at" comes once listening."""

    @web.middleware
    async def _only_our_host(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]
    ) -> Any:
        if request.headers.get("Host", "").lower() not in self.hosts:
            return web.Response(
                status=403, text="sessionlog: this server does not serve that host\n"
            )
        response = await handler(request)
        if isinstance(response, web.StreamResponse) and not response.prepared:
            response.headers.update(self._security_headers())
        return response

    def _security_headers(self) -> dict[str, str]:
        ws = self.public_url.replace("http://", "ws://", 1)
        here = " ".join(["'self'", self.public_url])
        return {
            "Content-Security-Policy": (
                f"default-src {here}; connect-src {here} {ws}; img-src {here} data:;"
                f" style-src {here} 'unsafe-inline'; script-src {here} 'unsafe-inline';"
                " frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
            ),
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }

    async def handle_index(self, request: web.Request) -> Any:
        """textual-serve's page, with the font served from here instead of Google."""
        response: Any = await super().handle_index(request)  # rendered by its decorator
        static = request.app.router["static"].url_for(filename="/")
        font = LOCAL_FONT.replace("{static}", f"{self.public_url}{str(static).rstrip('/')}/")
        response.text = GOOGLE_FONTS.sub(font, response.text)
        return response

    async def handle_websocket(self, request: web.Request) -> Any:
        """A new app process for this connection, if its Origin is our page and there
        is room (textual-serve's handler, with our service and the two checks)."""
        if request.headers.get("Origin", "").lower() not in self.origins:
            return web.Response(
                status=403, text="sessionlog: connections from other sites are refused\n"
            )
        if self.sessions >= self.max_sessions:
            return web.Response(
                status=503,
                text=f"sessionlog: {self.max_sessions} sessions are open already; close one\n",
            )
        self.sessions += 1  # counted before any await: two at once cannot both pass
        try:
            return await self._run_session(request)
        finally:
            self.sessions -= 1

    async def _run_session(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        service: SessionService | None = None
        try:
            await websocket.prepare(request)
            service = SessionService(
                self.argv,
                self.passphrase,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # as textual-serve does: log, and end this session only
            log.exception(error)
        finally:
            if service is not None:
                await service.stop()
        return websocket

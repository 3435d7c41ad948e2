"""``sessionlog serve``: the same app in a web browser, through textual-serve.

Each browser connection runs ``sessionlog --db PATH`` as its own process on this
machine, starting afresh at the sign-in screen (a reload is a new app). It listens on
127.0.0.1 unless told otherwise, and another address needs ``--expose``: a clinical
record is not for the network by default. The guards (Host, Origin, the session cap,
no secret in a child's environment, no font from the network) are in
:mod:`sessionlog.tui.web`.
"""

from __future__ import annotations

import sys

import click

from .common import Context, fail, pass_ctx, user_errors


def served_command(db_path: str) -> list[str]:
    """What each browser session runs: this Python, this database."""
    return [sys.executable, "-m", "sessionlog", "--db", db_path]


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback needs --expose.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--expose",
    is_flag=True,
    help="Allow a --host other than loopback: the records are then reachable from the network.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Another name browsers use to reach this server (e.g. its LAN name); repeatable."
    " Requests for any other host name are refused.",
)
@click.option(
    "--max-sessions",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Browser sessions open at once (each runs its own app process).",
)
@pass_ctx
@user_errors
def serve(
    ctx: Context,
    host: str,
    port: int,
    expose: bool,
    allow_hosts: tuple[str, ...],
    max_sessions: int,
) -> None:
    """Serve the app to a web browser (http://HOST:PORT)."""
    from ..store import passphrase
    from ..tui.web import LOOPBACK, WILDCARD, GuardedServer

    db_path = str(ctx.path.expanduser().resolve())
    if host not in LOOPBACK:
        if not expose:
            fail(
                f"--host {host} would put every patient record on the network;"
                " add --expose to mean it (or leave --host out for this computer only)"
            )
        if host in WILDCARD and not allow_hosts:
            fail(
                f"--host {host} listens on every address: say which name browsers use"
                " with --allow-host NAME"
            )
    ctx.store().close()  # opens (or creates) it now: a wrong passphrase is said once, here
    server = GuardedServer(
        served_command(db_path),
        host=host,
        port=port,
        max_sessions=max_sessions,
        passphrase=passphrase(),
        extra_hosts=allow_hosts,
    )
    if host not in LOOPBACK:
        click.echo(
            f"EXPOSED: every patient record in {db_path} can be opened from any computer"
            f" that reaches {host}:{port} (plain http, not encrypted on the way)."
            f" Answering to: {', '.join(sorted(server.hosts))}.",
            err=True,
        )
    click.echo(
        f"Serving sessionlog ({db_path}) at {server.public_url}"
        f" (at most {max_sessions} sessions; Ctrl+C stops)",
        err=True,
    )
    server.serve()


COMMANDS: list[click.Command] = [serve]

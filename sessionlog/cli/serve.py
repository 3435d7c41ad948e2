"""``sessionlog serve``: the same app in a web browser, through textual-serve.

Each browser tab runs ``sessionlog --db PATH`` as its own process on this machine. It
listens on 127.0.0.1 unless told otherwise: a clinical record is not for the network
by default.
"""

from __future__ import annotations

import shlex
import sys

import click

from .common import Context, pass_ctx


def served_command(db_path: str) -> str:
    """The shell command each browser session runs: this Python, this database."""
    return " ".join(
        shlex.quote(part) for part in (sys.executable, "-m", "sessionlog", "--db", db_path)
    )


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1 exposes the records to the network.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@pass_ctx
def serve(ctx: Context, host: str, port: int) -> None:
    """Serve the app to a web browser (http://HOST:PORT)."""
    from textual_serve.server import Server

    db_path = str(ctx.path.expanduser().resolve())
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}: anyone who can reach it can read the records", err=True
        )
    click.echo(f"Serving sessionlog ({db_path}) at http://{host}:{port}  (Ctrl+C stops)")
    Server(served_command(db_path), host=host, port=port, title="sessionlog").serve()


COMMANDS: list[click.Command] = [serve]

"""The click group of every command; ``sessionlog`` with no command opens the TUI.

Each area adds its commands from its own module (records, outcomes, trust, serve);
this file only assembles them, when a command is first looked up: ``sessionlog``
alone opens the app without importing any of them. Heavy imports (Textual,
sqlite-utils, plotext) happen inside commands, so ``--help`` and start-up stay fast.
The app alone (no command, at most ``--db FILE``) does not load this module at all
(``cli/__init__.py:main``).
"""

from __future__ import annotations

import click

from .common import Context


class _Commands(click.Group):
    """The group of every area's commands, gathered the first time one is looked up."""

    _gathered = False

    def _gather(self) -> None:
        if not self._gathered:
            self._gathered = True
            from . import (
                follow_up_commands,
                outcomes,
                records,
                scales,
                serve,
                session_commands,
                trust,
            )

            modules = (records, session_commands, follow_up_commands, serve, trust, outcomes)
            for module in (*modules, scales):
                for command in module.COMMANDS:
                    self.add_command(command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._gather()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._gather()
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; one that fails after its practitioner signed in is
        recorded as refused (Context.refused)."""
        try:
            return super().invoke(ctx)
        except SystemExit as exc:
            if exc.code not in (0, None) and isinstance(ctx.obj, Context):
                ctx.obj.refused()
            raise
        except click.ClickException as exc:
            if isinstance(ctx.obj, Context):
                ctx.obj.refusal = exc.format_message()
                ctx.obj.refused()
            raise


@click.group(
    cls=_Commands,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    envvar="SESSIONLOG_DB",
    help="Database file (default: $SESSIONLOG_DB, else your user data folder).",
)
@click.option(
    "--passphrase",
    "ask_passphrase",
    is_flag=True,
    help="Ask for the passphrase of an encrypted database (or set $SESSIONLOG_PASSPHRASE).",
)
@click.option(
    "--passphrase-fd",
    "passphrase_fd",
    type=int,
    default=None,
    hidden=True,
    help="Read the passphrase from this inherited file descriptor (how `serve` hands it on).",
)
@click.version_option(package_name="sessionlog")
@click.pass_context
def cli(
    ctx: click.Context, db_path: str | None, ask_passphrase: bool, passphrase_fd: int | None
) -> None:
    """Record needling sessions in seconds and see whether the relief lasts.

    With no command, opens the app.
    """
    ctx.obj = Context(db_path)
    ctx.call_on_close(ctx.obj.close)
    if passphrase_fd is not None:
        from .trust import read_passphrase

        read_passphrase(passphrase_fd)
    if ask_passphrase:
        from .trust import ask_passphrase as ask

        ask(ctx.obj.path)
    if ctx.invoked_subcommand is None:
        from .tui_command import run_tui

        run_tui(ctx.obj)

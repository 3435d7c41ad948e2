"""The README's command-line examples work as shown, on the demo clinic they name.

The block under "## The command line" is read from README.md itself, so an example
that stops working (a renamed flag, a command that moved) fails here instead of in a
reader's terminal.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from sessionlog.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def command_line_examples() -> tuple[dict[str, str], list[list[str]]]:
    """(the environment the block exports, each ``sessionlog`` command as its words)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The command line\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    env: dict[str, str] = {}
    commands: list[list[str]] = []
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "export":
            env.update(w.split("=", 1) for w in words[1:])  # type: ignore[misc]
        elif words:
            assert words[0] == "sessionlog", line
            commands.append(words[1:])
    return env, commands


def test_the_block_is_read() -> None:
    env, commands = command_line_examples()
    assert env["SESSIONLOG_PRACTITIONER"] == "Mei Lin Chen"
    assert ["--db", "demo.db", "practitioners"] in commands
    assert len(commands) >= 8


def test_each_example_runs_on_the_demo_clinic(tmp_path: Path) -> None:
    """In order, as a reader types them (the amendment before the void), on the
    README's demo clinic (``sessionlog --db demo.db demo``)."""
    env, commands = command_line_examples()
    demo = tmp_path / "demo.db"
    made = CliRunner().invoke(cli, ["--db", str(demo), "demo"])
    assert made.exit_code == 0, made.output
    runner = CliRunner(env=env)
    # The README's follow-up ids (278, then its amendment 279) are those of a demo made
    # after 18:00: one made earlier holds none of the day's follow-ups still to come.
    shift = 0
    for words in commands:
        words = [str(int(w) + shift) if w in ("278", "279") else w for w in words]
        result = runner.invoke(cli, [str(demo) if w == "demo.db" else w for w in words])
        assert result.exit_code == 0, (words, result.output)
        assert "Traceback" not in result.output
        if words[2:3] == ["follow-up"] and (saved := re.search(r"follow-up (\d+)", result.output)):
            shift = int(saved.group(1)) - 278

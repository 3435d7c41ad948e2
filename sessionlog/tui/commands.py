"""The command palette lists every action of the current screen with its key.

Built from the screen's active bindings, so a remapped key shows its new keys and a
screen's actions never go missing from the palette.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ScreenActions(Provider):
    """Every described binding of the screen under the palette (and of the app)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        seen: set[str] = set()
        out: list[tuple[str, str, Callable[[], Any]]] = []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.system or not active.enabled:
                continue
            if binding.description in seen or binding.action in ("quit", "command_palette"):
                continue
            seen.add(binding.description)
            keys = self.app.get_key_display(binding)
            command = partial(self.app.run_action, binding.action, active.node)
            # The binding id is what the settings' "keymap" table remaps.
            ident = f" · id: {binding.id}" if binding.id else ""
            out.append((binding.description, f"key: {keys or key}{ident}", command))
        return out

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    command,
                    text=title,
                    help=help_text,
                )

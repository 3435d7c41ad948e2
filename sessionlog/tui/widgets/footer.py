"""Textual's footer, with its keys in the screen's first frame and rebuilt only when
the keys it shows have changed.

Textual's ``Footer`` starts empty, builds its keys once the screen publishes its
bindings (after the first frame: one more layout and paint), then rebuilds every key
each time the bindings are refreshed (the focus moving), even when the keys are the
same, restyling each key twice as it builds it. The home screen shows a dozen keys
and had three such builds on its way to being usable: 30-50 ms of a cold start. Here
the keys are built with the screen, each styled once, and a rebuild happens only
when what is shown would differ: the keys, their descriptions, whether each is
enabled and how it is displayed (a remapped key shows its new key).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    """A footer that shows its keys at once and skips rebuilds that change nothing."""

    _shown: tuple[Any, ...] | None = None  # what the keys were built from, last time
    _keys_at_once = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Textual's footer shows no key until the screen has published its bindings;
        # the screen's bindings are known when the footer is built, so show them then.
        # (Should Textual rename this flag, the footer simply starts empty as before.)
        ready = getattr(TextualFooter, "_bindings_ready", None)
        if ready is not None:
            self.set_reactive(ready, True)
            self._keys_at_once = True

    def compose(self) -> ComposeResult:
        self._shown = self._keys_shown() if self._keys_at_once else None
        for widget in super().compose():
            bound = getattr(widget, "_reactive_connect", None) or {}
            if isinstance(widget, FooterKey) and "compact" in bound and not self.compact:
                # A key starts compact and is made wide once bound to this footer's
                # compact, each change restyling it: start it wide, as it will be.
                # (Keys not bound so, like the palette key, keep their own default.)
                widget.set_reactive(FooterKey.compact, False)
            yield widget

    def _keys_shown(self) -> tuple[Any, ...]:
        app = self.app
        bindings = self.screen.active_bindings
        keys = tuple(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
            + (app.get_key_display(binding),)
            for _node, binding, enabled, tooltip in bindings.values()
            if binding.show
        )
        palette = bindings.get(app.COMMAND_PALETTE_BINDING)
        palette_key = None
        if palette is not None:
            display = app.get_key_display(palette.binding)
            palette_key = (palette.binding.key, palette.enabled, display)
        return (
            keys,
            palette_key,
            self.compact,
            self.show_command_palette,
            self.combine_groups,
            app.ENABLE_COMMAND_PALETTE,
        )

    async def recompose(self) -> None:
        if self.is_attached and self._keys_shown() == self._shown:
            return  # the same keys: nothing to rebuild
        await super().recompose()

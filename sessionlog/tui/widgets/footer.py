"""Textual's footer, drawn with its keys in the screen's first frame, by one widget.

Textual's ``Footer`` starts empty, builds its keys once the screen publishes its
bindings (after the first frame: one more layout and paint), then rebuilds every key
each time the bindings are refreshed (the focus moving), even when the keys are the
same. Each key is a widget of its own, with its styles, its messages and its render:
the home screen's nine keys were 25-40 ms of a cold start.

Here the keys are built with the screen, drawn by one widget (:class:`KeyLine`) that
looks and behaves as the row of keys did (each key lights up under the mouse, a click
presses it, a disabled key is dim), and rebuilt only when what is shown would differ:
the keys, their descriptions, whether each is enabled and how it is displayed (a
remapped key shows its new key). The palette key comes last. Keys that do not fit in
the width go on to the next line, whole: no key is cut off at 80 columns or at 120.
Footers Textual draws differently (compact, grouped keys) get Textual's keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class ShownKey(NamedTuple):
    """One key of the footer: what it presses, what it shows, whether it works now."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str


class KeyLine(FooterKey):
    """All of the footer's keys but the palette's, drawn as Textual draws a row of
    ``FooterKey`` widgets (it is one, so it takes their styles and theme colours)."""

    DEFAULT_CSS = """
    KeyLine {
        /* As wide as the footer leaves it, and as many lines as its keys need there:
           a key that does not fit goes to the next line, never off the screen. */
        width: 1fr;
        height: auto;
        /* The line is not one key: the key under the mouse lights up on its own. */
        &:hover {
            color: $footer-foreground;
            background: $footer-item-background;
        }
        & > .key-line--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """
    COMPONENT_CLASSES = FooterKey.COMPONENT_CLASSES | {"key-line--hover"}

    def __init__(self, keys: Iterable[ShownKey], palette_last: bool = False) -> None:
        super().__init__("", "", "", "")
        self.keys = tuple(keys)
        self.palette_last = palette_last
        self.set_reactive(FooterKey.compact, False)  # as Footer makes its keys
        self._spans: list[tuple[int, int, int]] = []  # line and cells of each key
        self._hover: int | None = None

    def _key_texts(self) -> list[Text]:
        key_pad = self.get_component_styles("footer-key--key").padding
        description_pad = self.get_component_styles("footer-key--description").padding
        base = self.rich_style
        texts = []
        for index, shown in enumerate(self.keys):
            # Under the mouse, a key's parts take their own colours over the hover
            # background (partial styles), as a hovered FooterKey's do over its own.
            hovered = index == self._hover
            key_style = self.get_component_rich_style("footer-key--key", partial=hovered)
            description_style = self.get_component_rich_style(
                "footer-key--description", partial=hovered
            )
            key = Text()  # styles as spans, not as the text's base: they go over `under`
            key.append(" " * key_pad.left + shown.display + " " * key_pad.right, key_style)
            if shown.description:
                key.append(
                    " " * description_pad.left + shown.description + " " * description_pad.right,
                    description_style,
                )
            under = base
            if hovered:
                under = base + self.get_component_rich_style("key-line--hover")
            if not shown.enabled:
                under += Style(dim=True)  # FooterKey.-disabled
            key.stylize_before(under)
            texts.append(key)
        return texts

    def _lines(self, texts: list[Text], width: int) -> list[list[int]]:
        """The keys on each line at ``width`` cells: whole keys, in order. The palette's
        key (last) is left out rather than given a line of its own: Ctrl+P still works."""
        lines: list[list[int]] = [[]]
        used = 0
        for index, text in enumerate(texts):
            cells = text.cell_len
            if lines[-1] and used + cells > width:
                if self.palette_last and index == len(texts) - 1:
                    break
                lines.append([])
                used = 0
            lines[-1].append(index)
            used += cells
        return lines

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(self._lines(self._key_texts(), width))

    def render(self) -> Text:
        texts = self._key_texts()
        line = Text(no_wrap=True)
        self._spans = []
        for row, indexes in enumerate(self._lines(texts, self.content_size.width or 10**6)):
            if row:
                line.append("\n")
            x = 0
            for index in indexes:
                self._spans.append((row, x, x + texts[index].cell_len))
                x += texts[index].cell_len
                line.append_text(texts[index])
        return line

    def _key_at(self, x: int, y: int) -> int | None:
        for index, (row, start, end) in enumerate(self._spans):
            if row == y and start <= x < end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._key_at(event.x, event.y)
        if index != self._hover:
            self._hover = index
            self.tooltip = (self.keys[index].tooltip or None) if index is not None else None
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:  # type: ignore[override]
        index = self._key_at(event.x, event.y)
        if index is None:
            return
        if self.keys[index].enabled:
            self.app.simulate_key(self.keys[index].key)
        else:
            self.app.bell()


class Footer(TextualFooter):
    """A footer that shows its keys at once, in one widget, and skips rebuilds that
    change nothing."""

    DEFAULT_CSS = """
    Footer {
        height: auto;  /* the lines its keys need: none is cut off */
        max-height: 3;
    }
    """

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

    def on_resize(self) -> None:
        """The toasts sit right above the footer, whatever lines its keys take (app.tcss:
        the rack takes its rows from the screen, so a toast covers nothing)."""
        from textual.css.query import NoMatches
        from textual.widgets._toast import ToastRack

        try:
            rack = self.screen.get_child_by_type(ToastRack)
        except NoMatches:
            return  # notifications off (the Pilot tests)
        rack.styles.margin = (0, 0, self.outer_size.height, 0)

    def compose(self) -> ComposeResult:
        if not self._keys_at_once:
            yield from super().compose()  # Textual's way, and its timing
            return
        self._shown = self._keys_shown()
        bindings = self.screen.active_bindings
        first_of_action: dict[str, Any] = {}  # Textual shows one key per action
        for _node, binding, enabled, tooltip in bindings.values():
            if binding.show:
                first_of_action.setdefault(binding.action, (binding, enabled, tooltip))
        if self.compact or any(b.group is not None for b, _, _ in first_of_action.values()):
            yield from super().compose()  # drawn Textual's way
            return
        shown = [
            ShownKey(b.key, self.app.get_key_display(b), b.description, enabled, tooltip)
            for b, enabled, tooltip in first_of_action.values()
        ]
        palette = bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            # The palette's key goes last in the line, not docked on its right: docked, it
            # took a column of its own and pushed the other keys onto a third line.
            binding = palette.binding
            tip = binding.tooltip or binding.description
            shown.append(
                ShownKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    palette.enabled,
                    tip,
                )
            )
        yield KeyLine(shown, palette_last=len(shown) > len(first_of_action))

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

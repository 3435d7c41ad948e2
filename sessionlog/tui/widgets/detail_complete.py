"""Completions in the details panel (styles for the technique, spinal levels) and of
an episode's body region on the session form.

The style offers the usual styles of the session's technique (Down shows them all on
an empty line); anything else may be typed. The level line offers the catalogue's
spinal levels for what is typed before the side, and stays hidden once the text names
one level, so ``l4-5 r`` then Enter goes straight on.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input
from textual_autocomplete import AutoComplete, DropdownItem, TargetState

from ...services.entry.stricta import STYLE_SUGGESTIONS, split_level_text


class _Realigned(AutoComplete):
    def _listen_to_messages(self, event: events.Event) -> None:
        # Down on an empty line shows the dropdown where it was last aligned, and the
        # panel is centred, so it has moved since (it settles after its first layout
        # and grows with the findings): align it to the line first.
        if isinstance(event, events.Key) and event.key == "down":
            self._align_to_target()
        super()._listen_to_messages(event)


class StyleAutoComplete(_Realigned):
    """The styles usual for ``family``, filtered by what is typed."""

    def __init__(self, target: Input, family: str) -> None:
        super().__init__(target, candidates=list(STYLE_SUGGESTIONS.get(family, ())))


def _level_named(text: str) -> bool:
    from ... import points
    from ...errors import UnknownCode

    level, _ = split_level_text(text)
    if level.endswith(("-", "/")):
        return False  # "l4-": a pair is being typed
    try:
        points.normalise_level(level)
    except UnknownCode:
        return False
    return True


class LevelAutoComplete(_Realigned):
    """Spinal levels from the catalogue for the level part of the line."""

    def __init__(self, target: Input) -> None:
        super().__init__(target, candidates=None)

    def get_candidates(self, target_state: TargetState) -> list[DropdownItem]:
        from ... import points

        level, _ = split_level_text(target_state.text)
        if not level:
            return []
        entries = points.complete(level, kinds=("spinal_level",), limit=8)
        return [DropdownItem(main=entry.code) for entry in entries]

    def get_matches(
        self, target_state: TargetState, candidates: list[DropdownItem], search_string: str
    ) -> list[DropdownItem]:
        return candidates  # already ranked by the catalogue

    def should_show_dropdown(self, search_string: str) -> bool:
        if self.option_list.option_count == 0:
            return False
        return not _level_named(self.target.value)

    def apply_completion(self, value: str, state: TargetState) -> None:
        _, side = split_level_text(state.text)
        letter = {"left": "l", "right": "r", "bilateral": "b", "midline": "m"}
        target = self.target
        target.value = f"{value} {letter[side]}" if side else f"{value} "
        target.cursor_position = len(target.value)


class RegionAutoComplete(AutoComplete):
    """The body regions of an episode of care (``low back``), filtered by what is typed."""

    def __init__(self, target: Input) -> None:
        from ...domain.episodes import region_words
        from ...domain.techniques import BODY_REGIONS

        super().__init__(target, candidates=[region_words(r) for r in BODY_REGIONS])

    def post_completion(self) -> None:
        # A region chosen (Enter or Tab on "neck") is the whole answer: move on, so
        # "nec" Enter goes to the technique as a typed "neck" Enter would.
        super().post_completion()
        self.screen.focus_next()

"""The site entry: one line where a site is typed as shorthand, with catalogue completion.

The dropdown offers catalogue entries for what is typed (codes, pinyin, muscles,
spinal levels). It stays hidden once the text already names one entry, so ``st36``
then Enter adds the site at once; when the text is ambiguous (``lev``), Enter or Tab
takes the highlighted entry.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual_autocomplete import AutoComplete, DropdownItem, TargetState

from ...services.entry.site_text import entry_for, parse_site_text
from .field_input import FieldInput


class SiteInput(FieldInput):
    """The text of one site: ``st36 b``, ``upper trap r 3``, ``L4-L5 b strong``."""

    technique: str = "acupuncture"

    # Tab after a site typed adds it and moves on to pain after: it took the focus to
    # the sites table, where the digit typed next for pain after vanished. From an empty
    # entry Tab goes to the sites table as before. (With the dropdown shown, Tab takes
    # its highlighted entry first: the dropdown sees the key first.)
    BINDINGS = [Binding("tab", "move_on", "Next field", show=False)]

    class MoveOn(Message):
        """Tab in the site entry: add what is typed, then on to pain after."""

    def action_move_on(self) -> None:
        self.post_message(self.MoveOn())

    def __init__(self, **kwargs) -> None:
        # A site brought back for editing keeps its text: the cursor goes to the end.
        super().__init__(select_on_focus=False, **kwargs)


def _head(text: str, technique: str) -> tuple[str, bool]:
    """The catalogue part of ``text`` and whether it already names exactly one entry."""
    raw = parse_site_text(text, technique)
    head = str(raw.get("target", ""))
    if raw.get("kind") == "ashi" or not head.strip():
        return head, True
    return head, entry_for(head) is not None


class SiteAutoComplete(AutoComplete):
    """Catalogue completions for a :class:`SiteInput`."""

    def __init__(self, target: SiteInput, **kwargs) -> None:
        super().__init__(target, candidates=None, **kwargs)
        self._codes: dict[str, str] = {}

    def get_candidates(self, target_state: TargetState) -> list[DropdownItem]:
        from ... import points

        text = target_state.text.strip()
        if not text:
            return []
        entries = points.complete(text, limit=8)
        self._codes = {}
        items = []
        for entry in entries:
            shown = entry.label + ("  ! lung" if entry.thorax_risk else "")
            self._codes[shown] = entry.code
            items.append(DropdownItem(main=shown))
        return items

    def get_matches(
        self, target_state: TargetState, candidates: list[DropdownItem], search_string: str
    ) -> list[DropdownItem]:
        return candidates  # already ranked by the catalogue; no second fuzzy filter

    def _rebuild_options(self, target_state: TargetState, search_string: str) -> None:
        # Text that already names one entry shows no dropdown: skip building one (each
        # rebuild is a layout pass, paid on every key).
        target = self.target
        if isinstance(target, SiteInput) and _head(target.value, target.technique)[1]:
            if self.option_list.option_count:
                self.option_list.clear_options()
            return
        super()._rebuild_options(target_state, search_string)

    def should_show_dropdown(self, search_string: str) -> bool:
        target = self.target
        if not isinstance(target, SiteInput) or self.option_list.option_count == 0:
            return False
        _, exact = _head(target.value, target.technique)
        return not exact

    def apply_completion(self, value: str, state: TargetState) -> None:
        code = self._codes.get(value, value)
        target = self.target
        target.value = code + " "
        target.cursor_position = len(target.value)

"""The session form's details line: style, rationale and IMS findings (STRICTA).

The details are optional and cost the common path no keystroke: the line is not
focusable (and not shown while there is nothing on it, except for IMS), F4 opens the
panel (:class:`~sessionlog.tui.screens.session_details.DetailsScreen`), and problems
with them are shown on the error line under it, ``#err-more``, like any other field's.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from ...services.entry.stricta import Details, problems, summary
from ..safe import plain
from .error_line import ErrorLine


class DetailsLine(Vertical):
    """``#details-row`` (a summary of the details) and its error line."""

    DEFAULT_CSS = """
    DetailsLine { height: auto; }
    #details-summary { width: 1fr; height: auto; }
    #details-summary.-empty { color: $text-muted; }
    #details-summary.-invalid { background: $error 25%; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row", id="details-row"):
            # Style, rationale, IMS findings: not focusable, F4 edits them.
            yield Label("More (STRICTA)", classes="field-label")
            yield Static(id="details-summary")
        yield ErrorLine("more")

    key = "F4"  # the key that opens the details, as the settings bind it (the form sets it)

    def show(self, details: Details, fam: str) -> None:
        """Show ``details`` (of a technique of family ``fam``), and any problem with them."""
        from ...services.entry.field_words import sentence

        line = self.query_one("#details-summary", Static)
        line.update(plain(summary(details, fam, self.key)))
        line.set_class(details.empty, "-empty")
        # Shown when there is something to show, or for IMS (whose findings belong
        # here); otherwise the footer's F4 is enough and the form keeps its 24 lines.
        self.query_one("#details-row").display = not details.empty or fam == "ims"
        errors = problems(details)
        self.query_one("#err-more", ErrorLine).show(
            "\n".join(sentence(e.field, e.message) for e in errors)
        )
        line.set_class(bool(errors), "-invalid")

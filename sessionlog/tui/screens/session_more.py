"""The session form's details line: style, rationale and IMS findings, edited with F4.

A mixin for :class:`~.session_form.SessionScreen`. The details are optional and
cost the common path no keystroke: the line is not focusable (and not shown while
there is nothing on it, except for IMS), F4 opens the panel
(:class:`~.session_details.DetailsScreen`), and problems with them are shown on the
error line under it, like any other field's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from ...services.entry.form_model import family
from ...services.entry.stricta import Details, problems, summary
from ..safe import plain

if TYPE_CHECKING:
    from .session_details import DetailsResult
    from .session_form import SessionScreen

    _Base = SessionScreen
else:
    _Base = object


class SessionMore(_Base):
    """The details line and its panel."""

    def show_details(self) -> None:
        """Show the details on their line, and any problem with them under it."""
        from ...services.entry.field_words import sentence

        details = self.state.details
        fam = family(self.state.technique)
        line = self.query_one("#details-summary", Static)
        line.update(plain(summary(details, fam)))
        line.set_class(details.empty, "-empty")
        # Shown when there is something to show, or for IMS (whose findings belong
        # here); otherwise the footer's F4 is enough and the form keeps its 24 lines.
        self.query_one("#details-row").display = not details.empty or fam == "ims"
        errors = problems(details)
        self.set_error("more", "\n".join(sentence(e.field, e.message) for e in errors))
        line.set_class(bool(errors), "-invalid")

    def action_details(self) -> None:
        from ...domain import TECHNIQUES
        from .session_details import DetailsScreen

        state = self.collect_state()
        label = TECHNIQUES[state.technique].label
        self.app.push_screen(
            DetailsScreen(state.details, family(state.technique), label), self._details_closed
        )

    def _details_closed(self, result: DetailsResult | None) -> None:
        if result is None:
            return
        self.state.details = result.details
        self.show_details()
        if result.save:
            self.action_save()

    def repeated_details(self, last: Details, current: Details) -> Details:
        """A repeat takes last time's style and rationale (what was done) unless some
        were typed already, and keeps today's findings: last time's are not today's."""
        return Details(
            style=current.style or last.style,
            rationale=current.rationale or last.rationale,
            findings=list(current.findings),
        )

"""The session form's sites and error lines: adding, editing and removing sites, and
showing each validation problem on the line under its field.

A mixin for :class:`~.session_form.SessionScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Label

from ...errors import ValidationError
from ...services.entry.form_model import describe_site, family
from ..safe import plain
from ..widgets.sites_table import SitesTable

if TYPE_CHECKING:
    from .session_form import SessionScreen

    _Base = SessionScreen
else:
    _Base = object

# The error lines of the form, one under each group of fields.
ERROR_SLOTS = (
    "episode", "technique", "top", "sites", "pain", "settings", "adverse", "co", "more", "notes",
    "details",
)  # fmt: skip


class SessionSites(_Base):
    """Sites and error lines of the session form."""

    def _revalidate_sites(self) -> None:
        rows = []
        for i, row in enumerate(self.state.sites, start=1):
            try:
                rows.append(
                    describe_site(row.raw, self.state.settings, self.state.technique, f"sites[{i}]")
                )
            except ValidationError:
                rows.append(row)  # kept as typed: saving will name the problem
        self.state.sites = rows

    def add_site(self, text: str) -> None:
        """Validate the typed site and add it (or replace the one being edited)."""
        from ...services.entry.site_text import carried, misunderstood, parse_site_text

        self.collect_state()
        raw = parse_site_text(text, self.state.technique)
        if self.editing is not None:
            raw.update(carried(self.state.sites[self.editing].raw, raw, self.state.technique))
        if "side" not in raw:
            side = self._default_side(str(raw.get("target", "")))
            if side:
                raw["side"] = side
        number = (self.editing + 1) if self.editing is not None else len(self.state.sites) + 1
        try:
            row = describe_site(raw, self.state.settings, self.state.technique, f"sites[{number}]")
        except ValidationError as exc:
            errors = getattr(exc, "errors", [exc])
            why = misunderstood(text, self.state.technique)
            if why and any(e.field == f"sites[{number}].target" for e in errors):
                # "st36 d-3": say which word is wrong, not that st36 is unknown.
                errors = [ValidationError(f"sites[{number}]", why)]
            self.show_errors(errors, only="sites")
            return
        self.set_error("sites", "")
        if self.editing is not None:
            self.state.sites[self.editing] = row
            self.editing = None
        else:
            self.state.sites.append(row)
        if row.thorax_risk:
            self.notify(
                f"{row.label}: over the thorax. Mind the depth (pneumothorax risk).",
                severity="warning",
                timeout=4,
            )
        self._site_input.value = ""
        self.refresh_sites()
        self.query_one(SitesTable).move_cursor(
            row=len(self.state.sites) - 1 if self.editing is None else number - 1
        )

    def _default_side(self, target: str) -> str | None:
        """The side of a site typed without one: midline points keep theirs (the domain
        sets it), others take the last side typed, else bilateral for acupuncture."""
        from ... import points
        from ...errors import UnknownCode

        try:
            if points.is_midline(points.resolve(target).code):
                return None
        except UnknownCode:
            pass
        for row in reversed(self.state.sites):
            if row.raw.get("side") not in (None, "midline"):
                return str(row.raw["side"])
        return "bilateral" if family(self.state.technique) == "acupuncture" else None

    def on_sites_table_edit(self, event: SitesTable.Edit) -> None:
        from ...services.entry.site_text import site_to_text

        row = self.state.sites[event.index]
        self.editing = event.index
        self._site_input.value = site_to_text(row.raw, family(self.state.technique))
        self._site_input.cursor_position = len(self._site_input.value)
        self._site_input.focus()
        self.set_error(
            "sites",
            f"Editing site {event.index + 1}: Enter keeps the change, Escape leaves it as it was",
        )

    def on_sites_table_remove(self, event: SitesTable.Remove) -> None:
        removed = self.state.sites.pop(event.index)
        self.editing = None
        self.refresh_sites()
        self.notify(plain(f"Removed {removed.label}"), timeout=2)

    def set_error(self, slot: str, text: str) -> None:
        label = self.query_one(f"#err-{slot}", Label)
        if getattr(label, "_shown_text", "") == text:
            return  # each update costs a layout pass: skip the ones that change nothing
        label._shown_text = text
        label.update(plain(text))
        label.set_class(bool(text), "-shown")

    def clear_errors(self) -> None:
        for slot in ERROR_SLOTS:
            self.set_error(slot, "")
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

    def show_errors(self, errors: list[ValidationError], only: str | None = None) -> None:
        from ...services.entry.field_words import sentence, slot

        lines: dict[str, list[str]] = {}
        for error in errors:
            where = only or slot(error.field)
            lines.setdefault(where, []).append(sentence(error.field, error.message))
            if error.field.isidentifier():
                group = error.field.split("_")[0]  # needle_length_mm: the Needle input
                setting = f"#s-{group}" if group in ("needle", "depth") else f"#s-{error.field}"
                setting = f", {setting}"  # the settings row's input (retention: #s-retention)
                for widget in self.query(f"#f-{error.field}{setting}"):
                    widget.add_class("-invalid")
        for where, texts in lines.items():
            self.set_error(where, "\n".join(texts))
        if "more" in lines:
            self.query_one("#details-summary").add_class("-invalid")

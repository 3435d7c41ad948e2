"""The session form's sites: typed one at a time as shorthand in the entry line
(``st36 b x2``, read by :mod:`sessionlog.services.entry.site_text`) and listed in a
table where Enter edits one and Delete removes it.

The editor owns the sites as typed. The screen gives it the technique and the settings
row (:meth:`SitesEditor.show`, :meth:`SitesEditor.add`) and hears of every change by
:class:`SitesEditor.Changed`; a site it refuses is said on its own line, ``#err-sites``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Static

from ...errors import ValidationError
from ...services.entry.form_model import Settings, SiteRow, describe_site, family, site_defaults
from ..safe import plain
from .error_line import ErrorLine
from .site_entry import SiteInput
from .sites_table import SitesTable

SITE_HINT = {
    "acupuncture": "st36 · li4 l · hegu b ache · ashi knee r",
    "dry_needling": "upper trap r 3 (twitches) · infra l 2 · x2 insertions a side",
    "ims": "L4-L5 b strong · L5-S1 r mild · gluteus medius r",
}
# Electrical techniques: e1 puts a site on the stimulator's lead 1 (the others are not).
ELECTRO_HINT = {
    "acupuncture": "st36 l e1 · st36 r e1 (lead 1) · gv20",
    "dry_needling": "upper trap r 3 e1 · levator r e1 (lead 1)",
}


class SitesEditor(Vertical):
    """The site entry line, its error line and the table of the sites typed."""

    DEFAULT_CSS = "SitesEditor { height: auto; }"

    class Changed(Message):
        """A site was added, changed or removed (read :attr:`SitesEditor.sites`)."""

    def __init__(self) -> None:
        super().__init__(id="sites-editor")
        self.entry = SiteInput(
            id="site-entry", compact=True, placeholder="code, side, response; Enter adds"
        )
        self.sites: list[SiteRow] = []
        self.editing: int | None = None  # index of the site being edited in the entry
        self.technique = "acupuncture"
        self.settings = Settings()
        self.hint = ""  # the hint shown beside the entry line

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Site", classes="field-label")
            yield self.entry
            yield Static(id="site-hint", classes="hint")
        yield ErrorLine("sites")
        yield SitesTable(id="sites")

    @property
    def typed(self) -> str:
        """What is in the entry line, not yet added."""
        return self.entry.value.strip()

    def say(self, text: str) -> None:
        """Show ``text`` on the sites' error line ("" clears it)."""
        self.query_one("#err-sites", ErrorLine).show(text)

    def show(self, sites: list[SiteRow], technique: str, settings: Settings) -> None:
        """Show ``sites`` as the technique's, under ``settings`` (what a site leaves out)."""
        self.sites = list(sites)
        self.set_technique(technique, settings)

    def set_technique(self, technique: str, settings: Settings) -> None:
        """The technique (its hint, the entry's completion) and settings; the table follows."""
        self.technique, self.settings = technique, settings
        fam = family(technique)
        hint = ELECTRO_HINT.get(fam, SITE_HINT[fam]) if "electr" in technique else SITE_HINT[fam]
        if hint != self.hint:  # each update of the line lays the screen out again
            self.hint = hint
            self.query_one("#site-hint", Static).update(plain(hint))
        self.entry.technique = technique
        self.refresh_table()

    def refresh_table(self) -> None:
        defaults = site_defaults(self.settings, self.technique)
        self.query_one(SitesTable).show(self.sites, self.technique, defaults)

    def revalidate(self, technique: str, settings: Settings) -> None:
        """Each site read again for a new technique (kept as typed when it no longer
        reads: saving names the problem)."""
        rows = []
        for i, row in enumerate(self.sites, start=1):
            try:
                rows.append(describe_site(row.raw, settings, technique, f"sites[{i}]"))
            except ValidationError:
                rows.append(row)
        self.sites = rows
        self.post_message(self.Changed())

    def extend(self, rows: list[SiteRow]) -> None:
        """Add sites made elsewhere (a protocol's)."""
        self.sites.extend(rows)
        self.refresh_table()
        self.post_message(self.Changed())

    def add(self, text: str, technique: str, settings: Settings) -> bool:
        """Read the typed site and add it (or replace the one being edited); False after
        saying on the error line why it was refused."""
        from ...services.entry.field_words import sentence
        from ...services.entry.site_text import carried, misunderstood, parse_site_text

        self.technique, self.settings = technique, settings
        raw = parse_site_text(text, technique)
        if self.editing is not None:
            raw.update(carried(self.sites[self.editing].raw, raw, technique))
        if "side" not in raw:
            side = self._default_side(str(raw.get("target", "")))
            if side:
                raw["side"] = side
        number = (self.editing + 1) if self.editing is not None else len(self.sites) + 1
        try:
            row = describe_site(raw, settings, technique, f"sites[{number}]")
        except ValidationError as exc:
            errors = getattr(exc, "errors", [exc])
            why = misunderstood(text, technique)
            if why and any(e.field == f"sites[{number}].target" for e in errors):
                # "st36 d-3": say which word is wrong, not that st36 is unknown.
                errors = [ValidationError(f"sites[{number}]", why)]
            self.say("\n".join(sentence(e.field, e.message) for e in errors))
            return False
        self.say("")
        if self.editing is not None:
            self.sites[self.editing] = row
            self.editing = None
        else:
            self.sites.append(row)
        if row.thorax_risk:
            self.notify(
                f"{row.label}: over the thorax. Mind the depth (pneumothorax risk).",
                severity="warning",
                timeout=4,
            )
        self.entry.value = ""
        self.refresh_table()
        self.query_one(SitesTable).move_cursor(
            row=len(self.sites) - 1 if self.editing is None else number - 1
        )
        self.post_message(self.Changed())
        return True

    def cancel_edit(self) -> bool:
        """Escape while a site is being edited: it stays as it was. False: none was."""
        if self.editing is None:
            return False
        self.editing = None
        self.entry.value = ""
        self.say("")
        return True

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
        for row in reversed(self.sites):
            if row.raw.get("side") not in (None, "midline"):
                return str(row.raw["side"])
        return "bilateral" if family(self.technique) == "acupuncture" else None

    def on_sites_table_edit(self, event: SitesTable.Edit) -> None:
        from ...services.entry.site_text import site_to_text

        event.stop()
        row = self.sites[event.index]
        self.editing = event.index
        self.entry.value = site_to_text(row.raw, family(self.technique))
        self.entry.cursor_position = len(self.entry.value)
        self.entry.focus()
        self.say(
            f"Editing site {event.index + 1}: Enter keeps the change, Escape leaves it as it was"
        )

    def on_sites_table_remove(self, event: SitesTable.Remove) -> None:
        event.stop()
        removed = self.sites.pop(event.index)
        self.editing = None
        self.refresh_table()
        self.notify(plain(f"Removed {removed.label}"), timeout=2)  # type: ignore[arg-type]  # a Text: user text shown as text
        self.post_message(self.Changed())

"""What the session form's keys do: save or amend, leave, repeat, protocols, void, history.

A mixin for :class:`~.session_form.SessionScreen`, kept apart so the form's layout and
its behaviour each stay a readable size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import SessionlogError, ValidationError
from ...services import sessions
from ...services.entry.form_model import SiteRow, describe_site, state_from_session
from ...services.sessions import Done, Draft, Refused, check_form
from ..safe import not_saved, plain
from .modals import AskText, ConfirmDiscard

if TYPE_CHECKING:
    from ...store.rows import ProtocolRow
    from .session_form import SessionScreen

    _Base = SessionScreen
else:
    _Base = object


class SessionActions(_Base):
    """Actions of the session form (see the BINDINGS of SessionScreen)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hide the keys that do not apply: history and void need a saved session,
        # repeat needs a new one.
        if action in ("history", "void"):
            return self.record_id is not None
        if action in ("repeat_last", "new_episode"):
            return self.record_id is None
        return True

    def _practitioner(self) -> int | None:
        from textual.widgets import Select

        value = self.query_one("#practitioner", Select).value
        return value if isinstance(value, int) else self.app.practitioner_id

    def validated(self) -> Draft | None:
        """The form as a checked :class:`Draft`, or None after showing every problem."""
        self.clear_errors()
        pending_problem = ""
        if self._site_input.value.strip():
            if self.editing is None:
                # A site typed but not yet added is meant to be saved with the rest.
                self.add_site(self._site_input.value.strip())
            if self._site_input.value.strip():
                pending_problem = str(self.query_one("#err-sites").render()) or (
                    "A site is still being edited: Enter keeps it, Escape drops the change"
                )
        checked = self._checked()
        errors = checked.problems if isinstance(checked, Refused) else []
        if pending_problem:
            # The refused site explains the sites line better than "at least one site".
            errors = [e for e in errors if e.field != "sites"]
        if errors or pending_problem or not isinstance(checked, Draft):
            self.problems_shown = True  # from now on the lines follow the form (recheck)
            self.show_errors(errors)
            if pending_problem:
                self.set_error("sites", pending_problem)
            count = len(errors) + bool(pending_problem)
            self.notify(
                f"Not saved: {count} problem{'s' if count > 1 else ''} to fix (shown in red)",
                severity="error",
                timeout=4,
            )
            return None
        return checked

    def _checked(self) -> Draft | Refused:
        """The form as it stands, checked by the one session service (its episode too,
        for a new session). Shows nothing and changes nothing."""
        from textual.widgets import Input

        new = self.record_id is None
        typed = new and self.query_one("#new-episode").display
        complaint, region = (
            (self.query_one(f"#f-{k}", Input).value for k in ("complaint", "body_region"))
            if typed
            else ("", "")
        )
        return check_form(
            self.store,
            self.collect_state(),
            patient_id=self.patient_id,
            practitioner_id=self._practitioner() or 0,
            now=self.app.clock(),
            new=new,
            complaint=complaint,
            region=region,
        )

    def recheck(self) -> None:
        """After a refused save the error lines follow the form as it is put right: a
        fixed field's line goes at once (it stayed until the next refused key). No line
        is added: new problems are said at the next save."""
        from ...services.entry.field_words import slot
        from .session_sites import ERROR_SLOTS

        if not getattr(self, "problems_shown", False):
            return
        shown = {s for s in ERROR_SLOTS if getattr(self.query_one(f"#err-{s}"), "_shown_text", "")}
        if self._site_input.value.strip() or self.editing is not None:
            shown.discard("sites")  # a site being typed: its line speaks for it
        checked = self._checked()
        errors = checked.problems if isinstance(checked, Refused) else []
        errors = [e for e in errors if slot(e.field) in shown]
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")
        for gone in shown - {slot(e.field) for e in errors}:
            self.set_error(gone, "")
        self.show_errors(errors)

    def action_save(self) -> None:
        draft = self.validated()
        if draft is None:
            return
        actor = self.app.practitioner_id
        if self.record_id is None:
            self._write(sessions.save(self.store, draft, actor))
            return
        if not self.dirty:
            self.notify("Nothing changed: there is nothing to amend.", timeout=3)
            return
        record_id = self.record_id

        def amend(reason: str | None) -> None:
            if reason:
                self._write(sessions.amend(self.store, record_id, draft, actor, reason))

        self.app.push_screen(
            AskText(
                "Why is this session being corrected?",
                placeholder="e.g. wrong side recorded for GB21",
                required="A correction needs a reason: it is kept with the record",
            ),
            amend,
        )

    def _write(self, result: Done | Refused) -> None:
        """Show what the session service did: saved (the form closes) or why not (what
        was typed stays in the form)."""
        if isinstance(result, Refused):
            if result.problems:
                self.show_errors(result.problems)
                self.notify(plain(f"Not saved: {result.error}"), severity="error")
            else:
                self.notify(not_saved(result.error), severity="error", timeout=8)
            return
        self.notify(result.message, timeout=3)
        self.snapshot = self.fingerprint()
        self.dismiss(result.record_id)

    def action_back(self) -> None:
        if self.editing is not None:
            self.editing = None
            self._site_input.value = ""
            self.set_error("sites", "")
            return
        if not self.dirty:
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard("this session"), answer)

    def action_repeat_last(self) -> None:
        """Fill technique, settings, sites, co-interventions, style and rationale from the
        patient's last session (not its responses, scores or IMS findings)."""
        if self.record_id is not None:
            self.notify("Repeat works on a new session, not on a correction.", timeout=3)
            return
        last = self.store.last_session(self.patient_id)
        if last is None:
            self.notify("This patient has no earlier session to repeat.", timeout=3)
            return
        current = self.collect_state()
        state = state_from_session(last, with_outcomes=False)
        for key in (
            "pain_before",
            "pain_after",
            "pain_during",
            "soreness_after",
            "notes",
            "started_at",
        ):
            state.fields[key] = current.fields.get(key, "")
        state.consent, state.adverse = current.consent, current.adverse
        state.details = self.repeated_details(state.details, current.details)
        self.apply_state(state)
        self.notify(
            f"Repeated {len(state.sites)} sites from {str(last['started_at'])[:10]}", timeout=2
        )
        target = "#consent" if not state.consent else "#f-pain_before"
        self.query_one(target).focus()

    def action_apply_protocol(self) -> None:
        from .protocols import ProtocolPicker

        actor = self._practitioner()
        protocols = self.store.protocols(actor) if actor else []
        if not protocols:
            self.notify("No saved protocols yet: Ctrl+B saves the sites typed as one.", timeout=4)
            return
        self.app.push_screen(ProtocolPicker(protocols), self._apply_protocol)

    def _apply_protocol(self, protocol: ProtocolRow | None) -> None:
        if not protocol:
            return
        state = self.collect_state()
        if protocol["technique"] != state.technique and not state.sites:
            # Its settings too: an IMS row's "5" (seconds) must not become 5 minutes.
            self.change_technique(protocol["technique"])
            state = self.state
        have = {(r.raw.get("target"), r.raw.get("side")) for r in state.sites}
        added: list[SiteRow] = []
        for raw in protocol["sites"]:
            if (raw.get("target"), raw.get("side")) in have:
                continue
            try:
                added.append(describe_site(raw, state.settings, protocol["technique"]))
            except ValidationError:
                continue
        state.sites.extend(added)
        self.refresh_sites()
        self.notify(plain(f"Protocol {protocol['name']}: {len(added)} sites added"), timeout=2)
        self._site_input.focus()

    def action_save_protocol(self) -> None:
        state = self.collect_state()
        actor = self._practitioner()
        if not state.sites or not actor:
            self.notify("Type some sites first: a protocol is a saved group of sites.", timeout=3)
            return

        def save(name: str | None) -> None:
            if name:
                try:
                    self.store.save_protocol(
                        actor, name, state.technique, [r.raw for r in state.sites]
                    )
                except SessionlogError as exc:
                    self.notify(not_saved(exc, "Ctrl+B"), severity="error", timeout=8)
                    return
                self.notify(plain(f"Saved protocol {name} ({len(state.sites)} sites)"), timeout=2)

        self.app.push_screen(
            AskText("Name this group of sites (a protocol):", placeholder="e.g. low back basic"),
            save,
        )

    def action_history(self) -> None:
        if self.record_id is None:
            self.notify("A new session has no history yet.", timeout=2)
            return
        from .history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.record_id))

    def action_void(self) -> None:
        if self.record_id is None:
            self.notify("Nothing to void: this session is not saved. Escape leaves it.", timeout=3)
            return
        actor, record_id = self.app.practitioner_id, self.record_id

        def void(reason: str | None) -> None:
            if reason:
                self.snapshot = self.fingerprint()
                self._write(sessions.void(self.store, record_id, actor, reason))

        self.app.push_screen(
            AskText(
                "Void this session? It stays in the record, marked void. Why?",
                placeholder="e.g. recorded for the wrong patient",
                required="Voiding needs a reason: it is kept with the record",
            ),
            void,
        )

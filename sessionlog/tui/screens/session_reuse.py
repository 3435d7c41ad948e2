"""Earlier work brought into the session form: the patient's last session repeated
(Ctrl+R), a saved protocol's sites added (Ctrl+T), and the sites typed saved as a
protocol (Ctrl+B).

What is taken from where is decided outside the TUI
(:mod:`sessionlog.services.entry.reuse`), and a protocol is saved through
:mod:`sessionlog.services.protocols`. These functions do it on a
:class:`~.session_form.SessionScreen`: they read its form state and show the result
in its widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.text import counted
from ...services import protocols
from ...services.sessions import Refused
from ..safe import not_saved, plain
from .modals import AskText, Confirm

if TYPE_CHECKING:
    from ...services.entry.form_model import FormState
    from ...store import ProtocolRow
    from .session_form import SessionScreen


def repeat_last(screen: SessionScreen) -> None:
    """Fill technique, settings, sites, co-interventions, style and rationale from the
    patient's last session (not its responses, scores or IMS findings). What was typed
    that the repeat would replace (sites, co-interventions, settings) is named first, and
    replaced only when the practitioner says so."""
    from ...services.entry.reuse import repeated, replaced_by_repeat

    if screen.record_id is not None:
        screen.notify("Repeat works on a new session, not on a correction.", timeout=3)
        return
    last = screen.store.last_session(screen.patient_id)
    if last is None:
        screen.notify("This patient has no earlier session to repeat.", timeout=3)
        return
    current = screen.collect_state()
    state = repeated(last, current)
    day = str(last["started_at"])[:10]
    lost = replaced_by_repeat(current, state)
    if not lost:
        _show_repeated(screen, state, day)
        return

    def answer(replace: bool | None) -> None:
        if replace:
            _show_repeated(screen, state, day)

    question = (
        f"Repeat the session on {day} ({counted(len(state.sites), 'site')})?"
        f" It replaces what you typed: {', '.join(lost)}."
    )
    screen.app.push_screen(Confirm(question, yes="Replace", no="Keep mine"), answer)


def _show_repeated(screen: SessionScreen, state: FormState, day: str) -> None:
    screen.apply_state(state)
    screen.notify(f"Repeated {counted(len(state.sites), 'site')} from {day}", timeout=2)
    target = "#consent" if not state.consent else "#f-pain_before"
    screen.query_one(target).focus()


def pick_protocol(screen: SessionScreen) -> None:
    """Offer the practitioner's protocols; the one picked adds its sites."""
    from .protocols import ProtocolPicker

    saved = protocols.of(screen.store, screen.practitioner())
    if not saved:
        screen.notify("No saved protocols yet: Ctrl+B saves the sites typed as one.", timeout=4)
        return

    def picked(protocol: ProtocolRow | None) -> None:
        if protocol:
            apply_protocol(screen, protocol)

    screen.app.push_screen(ProtocolPicker(saved), picked)


def apply_protocol(screen: SessionScreen, protocol: ProtocolRow) -> None:
    """Add the sites of ``protocol`` not typed yet (and its technique, on a form with
    no sites)."""
    from ...services.entry.reuse import protocol_sites

    state = screen.collect_state()
    if protocol["technique"] != state.technique and not state.sites:
        # Its settings too: an IMS row's "5" (seconds) must not become 5 minutes.
        screen.change_technique(protocol["technique"])
        state = screen.collect_state()
    # Read under the form's technique, as the save reads them: a dry-needling muscle on
    # an acupuncture session is a motor point there, not the protocol's trigger point.
    added = protocol_sites(protocol["sites"], state.technique, state)
    screen.sites.extend(added)
    screen.state.sites = list(screen.sites.sites)
    screen.notify(plain(f"Protocol {protocol['name']}: {len(added)} sites added"), timeout=2)  # type: ignore[arg-type]
    screen.sites.entry.focus()


def save_sites_as_protocol(screen: SessionScreen) -> None:
    """Ask a name, then save the sites typed as the practitioner's protocol."""
    state = screen.collect_state()
    actor = screen.practitioner()
    if not state.sites or not actor:
        screen.notify("Type some sites first: a protocol is a saved group of sites.", timeout=3)
        return

    def save(name: str | None) -> None:
        if name and actor:
            raw = [r.raw for r in state.sites]
            done = protocols.save(screen.store, actor, name, state.technique, raw)
            if isinstance(done, Refused):
                screen.notify(not_saved(done.error, "Ctrl+B"), severity="error", timeout=8)  # type: ignore[arg-type]
                return
            screen.notify(plain(done.message), timeout=2)  # type: ignore[arg-type]

    screen.app.push_screen(
        AskText("Name this group of sites (a protocol):", placeholder="e.g. low back basic"),
        save,
    )

"""A session's history: every version, who recorded it, when and why; and, for the
version under the cursor, in full what the table has no room for: the reason, what
changed, its pain scores and sites, and the STRICTA details (style, rationale,
co-interventions, IMS findings per segment)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ...domain.frequency import frequency_text
from ...domain.text import counted
from ...services.entry.site_text import SIDE_SHORT
from ...services.entry.stricta import SIGNS, finding_text
from ...services.episodes import described
from ..access import record_access
from ..safe import plain
from ..tables import technique_name

if TYPE_CHECKING:
    from ...store import Store, StoredSession

_COMPARED = (
    "started_at",
    "technique",
    "pain_before",
    "pain_after",
    "pain_during",
    "soreness_after",
    "face_to_face_min",
    "notes",
    "co_interventions",
    "style",
    "rationale",
)


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "none"
    return "none" if value in (None, "") else str(value)


def _findings_change(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> str | None:
    """``IMS -L4-L5 R, +L5-S1 both, L3-L4 R +Matchstick -Coldness notes``, or None."""
    if before == after:
        return None

    def key(f: dict[str, Any]) -> str:
        return f"{f['level']} {SIDE_SHORT.get(f['side'], f['side'])}"

    old, new = {key(f): f for f in before}, {key(f): f for f in after}
    if len(old) < len(before) or len(new) < len(after):
        return "IMS findings"  # one segment recorded twice: no short way to say what moved
    out = [f"-{k}" for k in old if k not in new] + [f"+{k}" for k in new if k not in old]
    for k, f in new.items():
        if k in old and old[k] != f:
            what = [
                ("+" if f.get(name) else "-") + label
                for name, label, _ in SIGNS
                if bool(f.get(name)) != bool(old[k].get(name))
            ]
            if (f.get("notes") or "") != (old[k].get("notes") or ""):
                what.append("notes")
            out.append(f"{k} {' '.join(what)}")
    return "IMS " + ", ".join(out)


def details_text(version: Mapping[str, Any]) -> str:
    """A version's STRICTA details, one line each; findings one line per segment."""
    lines = [
        f"Style: {_shown(version.get('style'))}",
        f"Rationale: {_shown(version.get('rationale'))}",
        f"Co-interventions: {_shown(version.get('co_interventions'))}",
    ]
    findings = version.get("ims_findings") or []
    lines.append(f"IMS findings: {len(findings) or 'none'}")
    for f in findings:
        note = f" ({f['notes']})" if f.get("notes") else ""
        lines.append(f"  {finding_text(f)}{note}")
    return "\n".join(lines)


def frequencies_text(version: Mapping[str, Any]) -> str:
    """The electrical stimulation's frequencies of a version's sites: ``2/100 Hz``
    (dense-disperse), ``2 Hz``, several joined by commas; ``""`` when none was recorded."""
    texts: list[str] = []
    for s in version.get("sites") or []:
        text = frequency_text(s.get("estim_frequency_hz"), s.get("estim_frequency_2_hz"))
        if text and text not in texts:
            texts.append(text)
    return ", ".join(texts)


# Site fields named in a change by their own words; the catalogue's own (kind, thorax
# flag) and the row's identity are not the user's to change.
_SITE_SKIPPED = {"id", "session_id", "seq", "kind", "thorax_risk", "target", "side"}


def _site_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """``levator scapulae R twitch count none -> 2``: each field of one site that changed."""
    from ...services.entry.field_words import WORDS

    where = f"{after['target']} {SIDE_SHORT.get(after['side'], after['side'])}"
    return [
        f"{where} {WORDS.get(k, k.replace('_', ' '))}"
        f" {_shown(before.get(k))} -> {_shown(after.get(k))}"
        for k in after
        if k not in _SITE_SKIPPED and before.get(k) != after.get(k)
    ]


def _but_frequency(site: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in site.items() if not k.startswith("estim_frequency")}


def status_word(versions: Sequence[Mapping[str, Any]], index: int) -> str:
    """``current``, ``replaced`` (a later version exists) or ``void``.

    Every version keeps the status it was saved with (``active`` unless it voids the
    session): the store never changes a saved row, so an older version still says
    ``active``. Shown as such, both versions of an amended session read as in force.
    """
    if versions[index]["status"] == "void":
        return "void"
    return "current" if index == len(versions) - 1 else "replaced"


def _pain_text(version: Mapping[str, Any]) -> str:
    parts = [
        f"{label} {version[key]}"
        for key, label in (
            ("pain_before", "before"),
            ("pain_after", "after"),
            ("pain_during", "during"),
            ("soreness_after", "soreness"),
        )
        if version.get(key) is not None
    ]
    return ", ".join(parts) or "none"


def version_text(
    versions: Sequence[Mapping[str, Any]],
    index: int,
    by: str,
    episodes: Mapping[int, str] | None = None,
) -> str:
    """What the details area shows of version ``index``: who, when, why, what changed,
    and its own figures, in full (the table's cells are cut at the dialog's width);
    ``episodes``: the patient's episodes of care in one line each, by id."""
    version = versions[index]
    status = status_word(versions, index)
    if status == "replaced":
        status = f"replaced by version {versions[index + 1]['version']}"
    lines = [
        f"Version {version['version']} · {status} · recorded"
        f" {str(version['recorded_at'])[:16]} by {by}",
    ]
    if index:
        lines.append(f"Why: {version['amend_reason'] or 'not given'}")
        lines.append(f"Changed: {changes(versions[index - 1], version, episodes)}")
    sites = [f"{s['target']} {SIDE_SHORT.get(s['side'], s['side'])}" for s in version["sites"]]
    lines += [
        f"Session: {str(version['started_at'])[:16]}, {technique_name(version['technique'])}",
        f"Episode: {_episode(episodes, version.get('episode_id'))}",
        f"Pain: {_pain_text(version)}",
        f"Sites ({len(sites)}): {', '.join(sites) or 'none'}",
    ]
    if frequencies_text(version):
        lines.append(f"Frequency: {frequencies_text(version)}")
    lines.append(details_text(version))
    return "\n".join(lines)


def _episode(episodes: Mapping[int, str] | None, episode_id: Any) -> str:
    if episode_id is None:
        return "none"
    return (episodes or {}).get(episode_id) or f"episode {episode_id}"


def changes(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    episodes: Mapping[int, str] | None = None,
) -> str:
    """What a version changed from the one before, in short words (``episodes``: as in
    :func:`version_text`)."""
    if before is None:
        return counted(len(after["sites"]), "site")
    if after["status"] == "void":
        return "voided"

    def shown(k: str, value: Any) -> str:
        return technique_name(value) if k == "technique" else _shown(value)

    out = [
        f"{k.replace('_', ' ')} {shown(k, before.get(k))} -> {shown(k, after.get(k))}"
        for k in _COMPARED
        if before.get(k) != after.get(k)
    ]
    if before.get("episode_id") != after.get("episode_id"):  # filed under another episode
        was, now = before.get("episode_id"), after.get("episode_id")
        out.append(f"episode {_episode(episodes, was)} -> {_episode(episodes, now)}")
    findings = _findings_change(before.get("ims_findings") or [], after.get("ims_findings") or [])
    if findings:
        out.append(findings)
    old = [(s["target"], s["side"]) for s in before["sites"]]
    new = [(s["target"], s["side"]) for s in after["sites"]]
    if old != new:
        gone = [f"{t} {s}" for t, s in old if (t, s) not in new]
        came = [f"{t} {s}" for t, s in new if (t, s) not in old]
        out.append(
            "sites"
            + (f" -{', -'.join(gone)}" if gone else "")
            + (f" +{', +'.join(came)}" if came else "")
        )
    elif [s for s in before["sites"]] != [s for s in after["sites"]]:
        old_hz, new_hz = frequencies_text(before), frequencies_text(after)
        if old_hz != new_hz:
            out.append(f"frequency {old_hz or 'none'} -> {new_hz or 'none'}")
        for old_site, new_site in zip(before["sites"], after["sites"], strict=True):
            out += _site_changes(_but_frequency(old_site), _but_frequency(new_site))
    return "; ".join(out) or "no change in the fields shown"


class HistoryScreen(ModalScreen[None]):
    """The versions of session ``record_id``, oldest first."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="history.close")]

    DEFAULT_CSS = """
    HistoryScreen #versions { height: auto; min-height: 3; max-height: 8; }
    HistoryScreen #details-scroll { height: 1fr; margin-top: 1; }
    HistoryScreen #version-details { height: auto; }
    """

    def __init__(self, record_id: int) -> None:
        super().__init__()
        self.record_id = record_id
        self.versions: list[StoredSession] = []
        self.names: dict[int, str] = {}  # practitioners' names by id
        self.episodes: dict[int, str] = {}  # the patient's episodes of care, by id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(f"History of session #{self.record_id}", classes="title")
            yield DataTable(id="versions", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="details-scroll"):  # the table keeps its rows at 24
                yield Static(id="version-details")
            yield Static("Up/Down: a version's details · Escape closes", classes="hint")

    def on_mount(self) -> None:
        store: Store = self.app.store  # type: ignore[attr-defined]
        self.names = {p["id"]: p["name"] for p in store.practitioners()}
        table = self.query_one(DataTable)
        # Why is in the details under the table, in full: the table keeps its width for
        # what changed, wrapped to the width left (at 80 columns it was cut off).
        table.add_columns("Ver", "Status", "Recorded", "By")
        table.add_column("What changed", key="what")
        self.versions = store.session_history(self.record_id)
        if self.versions:
            patient_id = self.versions[-1]["patient_id"]
            record_access(self.app, patient_id, "history")
            self.episodes = {e["id"]: described(e) for e in store.episodes(patient_id)}
        self._fill(self._what_width())
        table.focus()
        if self.versions:
            table.move_cursor(row=len(self.versions) - 1)  # the current version first
            self._show_details(len(self.versions) - 1)

    def _what_width(self) -> int:
        """The cells left for "What changed" in the dialog, after the other columns."""
        names = [self.names.get(v["recorded_by"], "?") for v in self.versions] or ["?"]
        others = 3 + len("replaced") + 16 + max(2, *(len(n) for n in names))
        room = self.query_one(DataTable).scrollable_content_region.width
        if not room:  # not laid out yet: the dialog's width (.dialog.wide) less its frame
            room = min(84, self.app.size.width * 95 // 100) - 6 - 2
        return max(20, room - others - 2 * 5)  # each cell's padding

    def _fill(self, width: int) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        previous = None
        for index, version in enumerate(self.versions):
            what = textwrap.wrap(changes(previous, version, self.episodes), width) or [""]
            table.add_row(
                str(version["version"]),
                status_word(self.versions, index),
                str(version["recorded_at"])[:16],
                plain(self.names.get(version["recorded_by"], "?")),
                plain("\n".join(what)),
                height=len(what),
            )
            previous = version
        if self.versions:
            table.move_cursor(row=min(max(row, 0), len(self.versions) - 1))

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self.versions:
            self._fill(self._what_width())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_details(event.cursor_row)

    def _show_details(self, row: int) -> None:
        if 0 <= row < len(self.versions):
            by = self.names.get(self.versions[row]["recorded_by"], "?")
            text = version_text(self.versions, row, by, self.episodes)
            self.query_one("#version-details", Static).update(plain(text))

    def action_close(self) -> None:
        self.dismiss(None)

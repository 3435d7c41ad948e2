"""Which sites a changed setting of the session form reaches, said in words.

The settings row gives every site its value unless the site has its own: one typed
for it (``20mm``), or, in a correction or a repeat, one it was saved with that differs
from the row (a site on the stimulator with no Hz beside one at 2 Hz). The sites
table shows no Hz and no manual stimulation, so when a setting is changed and some
sites keep their own, the form says which sites take the new value and which keep
what (review: a correction must never change a site silently). Pure functions, no
Textual.
"""

from __future__ import annotations

from typing import Any

from ...domain.frequency import frequency_input
from .form_model import FormState, Settings, merged_site, site_defaults
from .needle_depth import DEPTH_KEYS, NEEDLE_KEYS, depth_text, needle_text
from .reuse import SETTING_WORDS
from .technique_settings import FREQUENCY_KEYS, retention_unit

# The site fields each setting of the row gives (the form's names, as ``#s-NAME``).
SETTING_KEYS: dict[str, tuple[str, ...]] = {
    "retention": ("retention_s",),
    "stimulation": ("stimulation",),
    "estim_hz": FREQUENCY_KEYS,
    "deqi": ("deqi_obtained",),
    "deqi_quality": ("deqi_quality",),
    "needle": NEEDLE_KEYS,
    "depth": DEPTH_KEYS,
}


def _value_text(name: str, site: dict[str, Any], technique: str) -> str:
    """A site's value of setting ``name`` in the row's words ("none" when it has none)."""
    if name == "estim_hz":
        text = frequency_input(*(site.get(k) for k in FREQUENCY_KEYS))
        return f"{text} Hz" if text else "none"
    if name == "needle":
        return needle_text(site) or "none"
    if name == "depth":
        return depth_text(site) or "none"
    if name == "retention":
        seconds = site.get("retention_s")
        if isinstance(seconds, int) and retention_unit(technique) == "min" and seconds % 60 == 0:
            return f"{seconds // 60} min"
        return f"{seconds} s"
    if name == "deqi":
        value = site.get("deqi_obtained")
        return "none" if value is None else ("yes" if value else "no")
    value = site.get(SETTING_KEYS[name][0])
    return str(value) if value not in (None, "", [], ()) else "none"


def _applies(name: str, site: dict[str, Any]) -> bool:
    """Hz reach only the sites on the stimulator; the row's stimulation only the others."""
    on = site.get("stimulation") == "electrical"
    return on if name == "estim_hz" else (not on if name == "stimulation" else True)


def reach(state: FormState, opened: Settings) -> str:
    """For each setting changed since the form opened (``opened``) that some site keeps
    its own value of, a line: ``Hz 5: sites 1, 3 take it; site 2 keeps its own (none)``.
    Blank when every site takes every change (the row says "all sites")."""
    lines = []
    row = site_defaults(state.settings, state.technique)
    merged = [(r.raw, merged_site(r.raw, state.settings, state.technique)) for r in state.sites]
    for name, keys in SETTING_KEYS.items():
        typed = getattr(state.settings, name).strip()
        if typed == getattr(opened, name).strip() or (typed and not any(k in row for k in keys)):
            continue  # unchanged, or not understood (its error line says so)
        take: list[str] = []
        keep: list[tuple[str, str]] = []
        for i, (raw, site) in enumerate(merged, start=1):
            if not _applies(name, site):
                continue
            own = any(k in raw for k in keys)
            if own and any(site.get(k) != row.get(k) for k in keys):
                keep.append((str(i), _value_text(name, site, state.technique)))
            else:
                take.append(str(i))
        if keep:
            word = SETTING_WORDS[name]
            lines.append(_line(word[:1].upper() + word[1:], typed, take, keep))
    return "\n".join(lines)


def _line(word: str, typed: str, take: list[str], keep: list[tuple[str, str]]) -> str:
    if not take:
        taken = "no site takes it"
    else:
        taken = f"site {take[0]} takes it" if len(take) == 1 else f"sites {', '.join(take)} take it"
    if len(keep) == 1:
        kept = f"site {keep[0][0]} keeps its own ({keep[0][1]})"
    else:
        kept = f"sites {', '.join(f'{n} ({v})' for n, v in keep)} keep their own"
    return f"{word} {typed or 'blank'}: {taken}; {kept}"

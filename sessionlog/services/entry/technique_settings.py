"""The technique's settings on the session form (retention, stimulation, Hz, De Qi and its
quality), checked once for every site.

A setting is given to every site that does not say otherwise, and the domain checks
each site. Left to that, one bad setting was named once per site, under the sites
(``Site 1 frequency (Hz): ...`` eight times for eight points), a retention typed in
minutes was reported in seconds (``5999940 is out of range``), and no site could be
added while it stood. Here each setting is checked once and named under the settings
row in the unit it is typed in, and only valid settings reach the sites, as with the
needle and the depth (:mod:`.needle_depth`). Pure functions, no Textual.
"""

from __future__ import annotations

import functools
from typing import Any

from ...domain.techniques import RETENTION_MAX_S, TECHNIQUES

# The frequency and, for dense-disperse stimulation (2/100 Hz), the high one: inherited
# or given as a pair, never one from a site and the other from the settings.
FREQUENCY_KEYS = ("estim_frequency_hz", "estim_frequency_2_hz")

# The site field each setting gives, by the setting's name on the form (``#s-<name>``).
SITE_FIELD = {
    "stimulation": "stimulation",
    "estim_hz": "estim_frequency_hz",  # and estim_frequency_2_hz for 2/100 (see below)
    "deqi": "deqi_obtained",
    "deqi_quality": "deqi_quality",
}


STIMULATOR_KEYS = (*FREQUENCY_KEYS, "estim_intensity", "estim_lead")


def manual_stimulation(technique: str) -> str:
    """What the settings row gives every site: for an electrical technique, the manual
    stimulation of its family (only the sites marked ``e``/``e1`` were on the
    stimulator, so electrical stimulation is never given to every site)."""
    tech = TECHNIQUES[technique]
    return TECHNIQUES[tech.family].stimulation if tech.electrical else tech.stimulation


def retention_unit(technique: str) -> str:
    """Minutes for techniques that retain needles for minutes, seconds for the rest."""
    tech = TECHNIQUES.get(technique)
    return "min" if tech is not None and tech.retention_s >= 60 else "s"


def _retention(text: str, technique: str) -> tuple[int | None, str | None]:
    """Seconds for the retention typed, or the problem with it (in the unit typed)."""
    minutes = retention_unit(technique) == "min"
    factor = 60 if minutes else 1
    allowed = f"a whole number of {'minutes' if minutes else 'seconds'}"
    allowed += f" from 0 to {RETENTION_MAX_S // factor}"
    if not text:
        return None, f"is required: {allowed}"
    try:
        value = int(text)
    except ValueError:
        return None, f"{text!r} is not a whole number: {allowed}"
    if not 0 <= value * factor <= RETENTION_MAX_S:
        return None, f"{value} is out of range: {allowed}"
    return value * factor, None


@functools.lru_cache(maxsize=64)
def _checked(
    retention: str, stimulation: str, estim_hz: str, deqi: str, deqi_quality: str, technique: str
) -> tuple[dict[str, Any], tuple[Any, ...]]:
    from ...domain.frequency import split_frequency_text
    from ...errors import ValidationError
    from .needle_depth import site_field_errors

    problems: list[ValidationError] = []
    fields: dict[str, Any] = {}
    seconds, problem = _retention(retention, technique)
    if problem is not None:
        problems.append(ValidationError("retention", problem))
    else:
        fields["retention_s"] = seconds
    typed = {"stimulation": stimulation, "estim_hz": estim_hz}
    tech = TECHNIQUES.get(technique)
    if tech is None or tech.family == "acupuncture":
        typed.update(deqi=deqi, deqi_quality=deqi_quality)
    given = {SITE_FIELD[name]: text for name, text in typed.items() if text}
    if "estim_frequency_hz" in given:
        # Dense-disperse stimulation is typed 2/100 (Hz optional): two site fields.
        try:
            given.update(split_frequency_text(given.pop("estim_frequency_hz")))
        except ValidationError as exc:
            problems.append(ValidationError("estim_hz", exc.message))
    if given:
        # The Hz go to the sites on the stimulator only: checked as a stimulated site's,
        # whatever stimulation the row gives the others.
        estim = {k: v for k, v in given.items() if k in FREQUENCY_KEYS}
        rest = {k: v for k, v in given.items() if k not in FREQUENCY_KEYS}
        errors = site_field_errors(rest, technique) if rest else []
        if estim:
            errors += site_field_errors({"stimulation": "electrical", **estim}, technique)
        if errors:
            name_of = {field: name for name, field in SITE_FIELD.items()}
            name_of["estim_frequency_2_hz"] = "estim_hz"
            bad = {e.field for e in errors}
            problems += [ValidationError(name_of.get(e.field, e.field), e.message) for e in errors]
            if bad & set(FREQUENCY_KEYS):
                bad.update(FREQUENCY_KEYS)  # half of a bad 2/100 reaches no site
            given = {k: v for k, v in given.items() if k not in bad}
        fields.update(given)
    return fields, tuple(problems)


def setting_fields(settings: Any, technique: str) -> dict[str, Any]:
    """The valid site fields the settings row gives every site (``settings``: the form's
    :class:`~.form_model.Settings`)."""
    return dict(_checked(*_texts(settings), technique)[0])


def setting_problems(settings: Any, technique: str) -> list[Any]:
    """ValidationErrors for the settings row, each named by its setting (``retention``,
    ``estim_hz``, ...) and said in the unit it is typed in."""
    return list(_checked(*_texts(settings), technique)[1])


def _texts(settings: Any) -> tuple[str, str, str, str, str]:
    return (
        settings.retention.strip(),
        settings.stimulation.strip(),
        settings.estim_hz.strip(),
        settings.deqi.strip(),
        settings.deqi_quality.strip(),
    )

"""Electrical stimulation frequencies: one (``2 Hz``), or a dense-disperse pair.

Electro-acupuncture and electrical dry needling are often given alternating a low and
a high frequency ("dense-disperse", written ``2/100 Hz``). A site keeps the low one in
``estim_frequency_hz`` and the high one in ``estim_frequency_2_hz``. People type the
pair as one text (``2/100``, ``2/100 Hz``); :func:`split_frequency_text` turns it into
the two fields for :func:`~sessionlog.domain.validate.parse_site`, which checks them
and names the field at fault.
"""

from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from .fields import _blank, opt_float

FREQUENCY_RANGE = (0.1, 200.0)
# What the text entry takes, for messages about it.
FREQUENCY_WORDS = "a number from 0.1 to 200, or a low/high pair such as 2/100"


def split_frequency_text(text: str) -> dict[str, str]:
    """``"2/100 Hz"`` -> ``{"estim_frequency_hz": "2", "estim_frequency_2_hz": "100"}``;
    ``"2"`` -> ``{"estim_frequency_hz": "2"}``; blank -> ``{}``. A trailing ``Hz`` is
    dropped. The parts are left as text: :func:`parse_site` checks them. Raises
    :class:`ValidationError` (field ``estim_frequency_hz``) for more than two parts or
    an empty part (``2/``)."""
    value = text.strip()
    if value[-2:].lower() == "hz":
        value = value[:-2].strip()
    if not value:
        return {}
    if "/" not in value:
        return {"estim_frequency_hz": value}
    parts = [p.strip() for p in value.split("/")]
    if len(parts) != 2 or not all(parts):
        raise ValidationError("estim_frequency_hz", f"{text.strip()!r} is not {FREQUENCY_WORDS}")
    return {"estim_frequency_hz": parts[0], "estim_frequency_2_hz": parts[1]}


def check_frequencies(
    errors: list[ValidationError], field: str, first: Any, second: Any, first_ok: bool
) -> float | None:
    """The high frequency of a dense-disperse pair, checked: 0.1 to 200 Hz, given only
    with the first (low) one and higher than it. Problems go to ``errors`` under
    ``{field}.estim_frequency_2_hz``. ``first`` is the checked low frequency (``None``
    when not given), ``first_ok`` whether the low one given was valid (a bad low one is
    reported on its own, not again here)."""
    name = f"{field}.estim_frequency_2_hz"
    if _blank(second):
        return None
    try:
        high = opt_float(name, second, *FREQUENCY_RANGE)
    except ValidationError as exc:
        errors.append(exc)
        return None
    if high is None or not first_ok:
        return high
    if first is None:
        errors.append(
            ValidationError(
                name,
                f"{high:g} Hz is given without a first frequency: give the low one in"
                " estim_frequency_hz (2/100 is 2 Hz alternating with 100 Hz)",
            )
        )
        return None
    if high <= first:
        errors.append(
            ValidationError(
                name,
                f"{high:g} Hz must be higher than the first frequency ({first:g} Hz):"
                f" the pair is low/high, such as {min(first, high):g}/{max(first, high):g}",
            )
        )
        return None
    return high


def frequency_text(first: float | None, second: float | None = None) -> str:
    """``2/100 Hz``, ``2 Hz``, or ``""`` when no frequency was recorded."""
    if first is None:
        return ""
    if second is None:
        return f"{first:g} Hz"
    return f"{first:g}/{second:g} Hz"


def frequency_input(first: float | None, second: float | None = None) -> str:
    """What the settings row's Hz field shows for stored frequencies: ``2/100``, ``2``."""
    return frequency_text(first, second).removesuffix(" Hz")

"""The rules of a technique switch on the session form (services.entry.technique_switch)."""

from __future__ import annotations

from sessionlog.services.entry.form_model import Settings
from sessionlog.services.entry.technique_switch import carried_settings, refusal


def test_de_qi_on_the_settings_row_keeps_acupuncture() -> None:
    typed = Settings(retention="20", stimulation="manual_even", deqi="y")
    assert refusal([], typed, "acupuncture", "ims") == (
        "Kept Acupuncture: IMS records no De Qi (the settings row)"
    )
    assert refusal([], typed, "acupuncture", "electroacupuncture") == ""


def test_settings_typed_follow_the_switch_and_defaults_fill_the_rest() -> None:
    typed = Settings(retention="30", stimulation="tonify", deqi="y", needle="0.25x30")
    out, note = carried_settings(typed, "acupuncture", "electroacupuncture")
    assert (out.retention, out.stimulation, out.deqi, out.needle, note) == (
        "30", "tonify", "y", "0.25x30", "",
    )  # fmt: skip
    out, note = carried_settings(
        Settings(retention="30", stimulation="manual_even"), "acupuncture", "ims"
    )
    assert (out.retention, out.stimulation, note) == ("1800", "manual_even", "")
    # IMS's 8 s typed are not whole minutes: acupuncture's 20 minutes, and the switch says so
    out, note = carried_settings(
        Settings(retention="8", stimulation="manual_even"), "ims", "acupuncture"
    )
    assert (out.retention, note) == ("20", "the retention 8 s is not whole minutes: 20 min")
    # nothing typed: the new technique's defaults
    out, note = carried_settings(
        Settings(retention="0", stimulation="pistoning"), "dry_needling", "acupuncture"
    )
    assert (out.retention, out.stimulation, note) == ("20", "manual_even", "")

"""Seeded data, a fixed clock and the typed scenarios, shared by the Pilot tests and by
``benchmarks/keystrokes.py`` (which prints the keystroke table).

Every scenario types as a practitioner would, one key at a time through
:class:`Keys`, which counts each key: ``st36`` is four keystrokes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sessionlog.domain import Episode, parse_patient, parse_practitioner, parse_session
from sessionlog.store import Store
from sessionlog.tui.app import SessionlogApp

NOW = datetime(2026, 11, 23, 10, 30)
SIZE = (100, 32)


def run_app(  # type: ignore[no-untyped-def]
    app: SessionlogApp,
    steps: Callable[[Any, Any], Awaitable[None]],
    size=SIZE,
    notifications: bool = False,
) -> None:
    """Run ``steps(pilot, app)`` in ``app`` at ``size``, once its first frame is up (with
    ``notifications``, toasts are drawn as in a terminal; Pilot leaves them out)."""

    async def body() -> None:
        async with app.run_test(size=size, notifications=notifications) as pilot:
            await pilot.pause()
            await steps(pilot, app)

    asyncio.run(body())


def clock() -> datetime:
    return NOW


class Clock:
    """A clock a test moves on by hand (``clock.now += ...``): nothing waits on real time."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def typed(text: str) -> list[str]:
    """The keys that type ``text``."""
    return ["space" if c == " " else c for c in text]


def screen_text(app: SessionlogApp) -> str:
    """Everything on the screen now, as plain text: the SVG screenshot's text, without its
    markup and styles (whose numbers could pass for chart ids)."""
    import html
    import re

    svg = re.sub(r"<style>.*?</style>|<defs>.*?</defs>", "", app.export_screenshot(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


PATIENTS = (
    ("1001", "Maria Keller", 1961, "female"),
    ("1002", "Tom Baker", 1978, "male"),
    ("1003", "Priya Shah", 1985, "female"),
    ("1004", "Jon Eriksen", 1955, "male"),
    ("2001", "Lena Fischer", 1990, "female"),
)
# Each patient's complaint, given when they were registered: their episode of care
# (episode ids 1-5 in PATIENTS order).
COMPLAINTS = (
    ("knee pain", "knee"),
    ("low back pain", "low_back"),
    ("neck and shoulder pain", "neck"),
    ("sciatica", "low_back"),
    ("neck pain", "neck"),
)


def patients_shown(
    app: SessionlogApp, patients: tuple[tuple[Any, ...], ...] = PATIENTS
) -> list[str]:
    """The names and chart ids of ``patients`` (all of them by default) on the screen."""
    text = screen_text(app)
    return [s for chart, name, *_ in patients for s in (name, chart) if s in text]


def seeded_store(path: str = ":memory:") -> Store:
    """A store with one practitioner (id 1), five patients (ids 1-5 in PATIENTS order),
    Maria Keller's acupuncture session a week ago and Lena Fischer's session today."""
    store = Store.open(path, clock=clock)
    store.add_practitioner(
        parse_practitioner(
            {"name": "Dr Ada Lin", "profession": "acupuncturist", "credential": "L.Ac."}
        )
    )
    for (chart, name, born, sex), (complaint, region) in zip(PATIENTS, COMPLAINTS, strict=True):
        pid = store.add_patient(
            parse_patient(
                {"chart_id": chart, "name": name, "birth_year": born, "sex": sex},
                this_year=NOW.year,
            )
        )
        store.add_episode(Episode(pid, complaint, region, "2026-11-01"))
    store.save_session(
        parse_session(
            {
                "patient_id": 1,
                "practitioner_id": 1,
                "episode_id": 1,
                "technique": "acupuncture",
                "started_at": "2026-11-16 09:00",
                "consent": True,
                "pain_before": 6,
                "pain_after": 3,
                "sites": [
                    {"target": "st36", "side": "bilateral", "deqi_obtained": True},
                    {"target": "li4", "side": "bilateral"},
                    {"target": "sp6", "side": "bilateral"},
                    {"target": "gb21", "side": "right"},
                ],
                "co_interventions": "exercise",
            },
            now=NOW,
        )
    )
    store.save_session(
        parse_session(
            {
                "patient_id": 5,
                "practitioner_id": 1,
                "episode_id": 5,
                "technique": "dry_needling",
                "started_at": "2026-11-23 09:15",
                "consent": True,
                "pain_before": 5,
                "pain_after": 2,
                "sites": [{"target": "upper trap", "side": "left", "twitch_count": 2}],
            },
            now=NOW,
        )
    )
    return store


def make_app(store: Store | None = None) -> SessionlogApp:
    """The app on ``store``, signed in as practitioner 1 (the code-only way in)."""
    return SessionlogApp(store or seeded_store(), clock=clock, practitioner_id=1)


def signed_out_app(store: Store, app_clock: Any = clock) -> SessionlogApp:
    """The app as a user starts it: on the sign-in screen."""
    return SessionlogApp(store, clock=app_clock)


class Keys:
    """Presses keys through the pilot and counts them, one per key or character."""

    def __init__(self, pilot: Any) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        self.count += len(keys)
        await self.pilot.press(*keys)  # waits until the app is idle after each key

    async def type(self, text: str) -> None:
        await self.press(*("space" if c == " " else c for c in text))


async def new_acupuncture_8(keys: Keys) -> None:
    """Tom Baker (no earlier session): acupuncture at 8 points, pain 7 -> 3."""
    await keys.type("1002")
    await keys.press("enter")  # new session for the patient found
    await keys.press("a")  # acupuncture, and on to consent
    await keys.press("y")  # consent obtained
    await keys.type("7")
    await keys.press("enter")
    for code in ("st36", "li4", "sp6", "lr3", "pc6", "gb34", "ht7", "cv12"):
        await keys.type(code)
        await keys.press("enter")
    await keys.press("enter")  # done with sites: on to pain after
    await keys.type("3")
    await keys.press("ctrl+s")


async def dry_needling_3(keys: Keys) -> None:
    """Priya Shah: dry needling of three muscles with their twitch counts, pain 6 -> 4."""
    await keys.type("1003")
    await keys.press("enter")
    await keys.press("d")
    await keys.press("y")
    await keys.type("6")
    await keys.press("enter")
    for site in ("upper trap r 3", "infra r 2", "levator r 1"):
        await keys.type(site)
        await keys.press("enter")
    await keys.press("enter")
    await keys.type("4")
    await keys.press("ctrl+s")


async def ims_levels(keys: Keys) -> None:
    """Jon Eriksen: Gunn IMS at L4-L5 and L5-S1 (bilateral) with the grasp, pain 5 -> 3."""
    await keys.type("1004")
    await keys.press("enter")
    await keys.press("i")
    await keys.press("y")
    await keys.type("5")
    await keys.press("enter")
    for site in ("l4-l5 b strong", "l5-s1 b mild"):
        await keys.type(site)
        await keys.press("enter")
    await keys.press("enter")
    await keys.type("3")
    await keys.press("ctrl+s")


async def repeat_last(keys: Keys) -> None:
    """Maria Keller returns: last session's sites and settings, new pain 5 -> 2."""
    await keys.type("1001")
    await keys.press("ctrl+r")  # new session, prefilled from the last one; focus on consent
    await keys.press("y")
    await keys.type("5")
    await keys.press("enter")
    await keys.press("enter")  # the sites are there: on to pain after
    await keys.type("2")
    await keys.press("ctrl+s")


async def follow_up(keys: Keys) -> None:
    """Maria Keller's follow-up now: pain 2, soreness 1, linked to her latest session."""
    await keys.type("1001")
    await keys.press("ctrl+f")
    await keys.type("2")
    await keys.press("enter")
    await keys.type("1")
    await keys.press("ctrl+s")


async def amendment(keys: Keys) -> None:
    """Maria Keller's session of 16 November: pain after was 4, not 3."""
    await keys.type("1001")
    await keys.press("tab", "tab", "tab")  # to her sessions
    await keys.press("enter")  # open it: a correction
    await keys.press("enter", "enter", "enter", "enter")  # technique, consent, pain, sites
    await keys.press("backspace")
    await keys.type("4")
    await keys.press("ctrl+s")
    await keys.type("typo")
    await keys.press("enter")


async def invalid_refused(keys: Keys) -> None:
    """Tom Baker: no consent, pain 12, an unknown point: refused, nothing saved."""
    await keys.type("1002")
    await keys.press("enter")
    await keys.press("a")
    await keys.press("enter")  # consent left unticked
    await keys.type("12")
    await keys.press("enter")
    await keys.type("st99")
    await keys.press("enter")
    await keys.press("ctrl+s")


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[Keys], Awaitable[None]]
    target: int | None  # most keystrokes allowed, when the issue sets a target


SCENARIOS = (
    Scenario("new acupuncture session, 8 points", new_acupuncture_8, 47),  # issue 14
    Scenario("dry needling, 3 muscles + twitches", dry_needling_3, None),
    Scenario("IMS, 2 paraspinal levels", ims_levels, None),
    Scenario("repeat last session (returning patient)", repeat_last, 11),  # issue 14
    Scenario("follow-up", follow_up, None),
    Scenario("amendment with reason", amendment, None),
    Scenario("invalid entry refused", invalid_refused, None),
)


async def play(scenario: Scenario, store: Store | None = None) -> tuple[SessionlogApp, int]:
    """Run one scenario on a fresh seeded store; returns the app (its store is open) and
    the keystroke count."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = Keys(pilot)
        await scenario.run(keys)
        await pilot.pause()
        return app, keys.count

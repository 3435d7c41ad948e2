"""The due list: who needs a reading now, by the clinic's checks after their latest
session; overdue first; a reading clears it. A fixed clock throughout."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from helpers_store import dry_needling

from sessionlog.analysis.due import Visit, due_item, due_list, parse_checks
from sessionlog.domain.models import FollowUpInput
from sessionlog.errors import ValidationError
from sessionlog.store import Store

SESSION = datetime(2026, 11, 1, 9, 0)


def visit(*readings_h: float, name: str = "Bo Kim", at: datetime = SESSION) -> Visit:
    times = tuple(str(at + timedelta(hours=h)) for h in readings_h)
    return Visit(1, "C001", name, "555 0101", 7, str(at), times)


def test_nothing_is_due_before_24_hours() -> None:
    assert due_item(visit(), SESSION + timedelta(hours=23)) is None


def test_soreness_check_due_then_overdue() -> None:
    d = due_item(visit(), SESSION + timedelta(hours=30))
    assert d is not None and (d.check, d.overdue, d.contact) == ("72h", False, "555 0101")
    late = due_item(visit(), SESSION + timedelta(hours=100))
    assert late is not None and (late.check, late.overdue) == ("72h", True)


def test_a_reading_clears_the_check() -> None:
    assert due_item(visit(40), SESSION + timedelta(hours=60)) is None


def test_week_one_is_due_after_the_soreness_check_was_done() -> None:
    d = due_item(visit(40), SESSION + timedelta(days=7, hours=2))
    assert d is not None and (d.check, d.missed) == ("1w", ())
    missed = due_item(visit(), SESSION + timedelta(days=7, hours=2))
    assert missed is not None and missed.missed == ("soreness at 24-72 h",)


def test_later_checks_and_lapse() -> None:
    assert due_item(visit(40, 170), SESSION + timedelta(days=28, hours=1)).check == "4w"  # type: ignore[union-attr]
    assert due_item(visit(40, 170, 680), SESSION + timedelta(days=85)).check == "12w"  # type: ignore[union-attr]
    assert due_item(visit(40, 170, 680, 2020), SESSION + timedelta(days=90)) is None
    assert due_item(visit(), SESSION + timedelta(days=200)) is None


def test_overdue_first_then_longest_late() -> None:
    now = SESSION + timedelta(days=10)
    a = visit(name="Ann", at=now - timedelta(hours=30))  # 72h check, due, not overdue
    b = visit(name="Bea", at=now - timedelta(hours=100))  # 72h check overdue
    c = visit(40, name="Cal", at=now - timedelta(days=8, hours=12))  # 1w, 1.5 days late
    assert [d.name for d in due_list([a, b, c], now)] == ["Bea", "Cal", "Ann"]  # Bea: 3.2 days late


def test_a_clinics_own_checks() -> None:
    checks = parse_checks("48h-96h, 2w")
    assert [(c.due_h, c.until_h) for c in checks] == [(48, 96), (336, 360)]
    with pytest.raises(ValidationError, match="^checks: 'soon' is not a time after the session"):
        parse_checks("soon")


def test_the_store_feeds_the_due_list_and_a_follow_up_clears_it(store: Store) -> None:
    record = store.save_session(dry_needling()).record_id  # 2026-11-20 09:15
    store.set_contact(1, "555 0101", 1)
    now = datetime(2026, 11, 22, 10, 0)  # 48 h 45 min later: the soreness check is due
    [item] = due_list(store.last_visits(), now)
    assert (item.chart_id, item.check, item.contact) == ("C001", "72h", "555 0101")
    store.add_follow_up(FollowUpInput(1, record, datetime(2026, 11, 22, 9, 0), 3, soreness=2), 1)
    assert due_list(store.last_visits(), now) == []

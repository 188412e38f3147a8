"""Deadlines on real calendars: Spring Festival and National Day with make-up working days."""

from __future__ import annotations

from datetime import date

import pytest

from charter import (
    ASEAN_CODES,
    CalendarCoverageError,
    DeadlineError,
    UnknownCalendar,
    add_days,
    add_working_days,
    calendar_coverage,
    get_calendar,
    load_template,
)


def test_spec_example_spring_festival_2025() -> None:
    # 28 Jan - 4 Feb off; Sun 26 Jan and Sat 8 Feb worked (调休).
    assert add_working_days("CN", date(2025, 1, 24), 10) == date(2025, 2, 13)


def test_spring_festival_2025_day_by_day() -> None:
    cn = get_calendar("CN")
    assert cn.is_working_day(date(2025, 1, 26))  # Sunday, make-up working day
    assert cn.is_working_day(date(2025, 2, 8))  # Saturday, make-up working day
    for day in range(28, 32):
        assert not cn.is_working_day(date(2025, 1, day))
    assert not cn.is_working_day(date(2025, 2, 3))
    assert not cn.is_working_day(date(2025, 2, 4))
    assert cn.is_working_day(date(2025, 2, 5))
    # The make-up Sunday counts: from Friday 24 Jan, one working day later is Sunday 26 Jan.
    assert add_working_days("CN", date(2025, 1, 24), 1) == date(2025, 1, 26)
    assert add_working_days("CN", date(2025, 1, 24), 2) == date(2025, 1, 27)
    assert add_working_days("CN", date(2025, 1, 24), 3) == date(2025, 2, 5)


def test_days_period_ending_in_the_spring_festival_rolls_to_the_next_working_day() -> None:
    # 20 Jan + 10 days = 30 Jan (holiday) -> the first working day after is Wed 5 Feb.
    assert add_days("CN", date(2025, 1, 20), 10) == date(2025, 2, 5)
    # ending on a working day: no change; the start day itself is not counted
    assert add_days("CN", date(2025, 1, 10), 10) == date(2025, 1, 20)


def test_days_period_ending_on_a_make_up_saturday_stays() -> None:
    # 29 Jan + 10 days = Saturday 8 Feb, a make-up working day.
    assert add_days("CN", date(2025, 1, 29), 10) == date(2025, 2, 8)


def test_national_day_2025_with_make_up_days() -> None:
    cn = get_calendar("CN")
    # 1-8 Oct off (National Day and Mid-Autumn); Sun 28 Sep and Sat 11 Oct worked.
    assert cn.is_working_day(date(2025, 9, 28))
    assert cn.is_working_day(date(2025, 10, 11))
    assert all(not cn.is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert add_working_days("CN", date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert add_working_days("CN", date(2025, 9, 26), 3) == date(2025, 9, 30)
    # 10 working days from 30 Sep: 9, 10, 11 (Sat), 13, 14, 15, 16, 17, 20, 21 Oct
    assert add_working_days("CN", date(2025, 9, 30), 10) == date(2025, 10, 21)
    # "within 10 days" from 25 Sep ends 5 Oct (holiday) -> Thursday 9 Oct
    assert add_days("CN", date(2025, 9, 25), 10) == date(2025, 10, 9)


def test_national_day_2024() -> None:
    # 2024: 1-7 Oct off; Sun 29 Sep and Sat 12 Oct worked.
    assert add_working_days("CN", date(2024, 9, 27), 1) == date(2024, 9, 29)
    assert add_working_days("CN", date(2024, 9, 30), 2) == date(2024, 10, 9)
    assert add_working_days("CN", date(2024, 10, 10), 2) == date(2024, 10, 12)


def test_plain_weekend_rolls_forward() -> None:
    # 3 Mar 2025 + 5 days = Saturday 8 Mar -> Monday 10 Mar
    assert add_days("CN", date(2025, 3, 3), 5) == date(2025, 3, 10)
    assert add_working_days("CN", date(2025, 3, 7), 1) == date(2025, 3, 10)


def test_charter_deadline_uses_its_calendar() -> None:
    aitisa = load_template("aitisa")
    assert aitisa.due_date("creation_answer", date(2025, 1, 24)) == date(2025, 2, 13)
    assert aitisa.due_date("rejection_notice", date(2025, 1, 20)) == date(2025, 2, 5)
    with pytest.raises(LookupError, match="no deadline"):
        aitisa.due_date("nope", date(2025, 1, 20))


def test_asean_calendars() -> None:
    assert set(ASEAN_CODES) == {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"}
    th = get_calendar("TH")
    assert not th.is_working_day(date(2025, 4, 14))  # Songkran
    assert th.holiday_name(date(2025, 4, 14)) is not None
    sg = get_calendar("SG")
    # Vesak Day, Monday 12 May 2025
    assert add_working_days("SG", date(2025, 5, 9), 1) == date(2025, 5, 13)
    # Brunei's weekend is Friday and Sunday: Saturday is a working day
    bn = get_calendar("BN")
    assert bn.is_working_day(date(2025, 3, 8)) is True
    assert not bn.is_working_day(date(2025, 3, 7))
    assert not sg.is_working_day(date(2025, 8, 9))


def test_package_coverage_is_stated_and_later_years_are_provisional_not_refused() -> None:
    coverage = calendar_coverage()
    assert set(coverage) == {"CN", *ASEAN_CODES}
    first, last = coverage["CN"]  # type: ignore[misc]
    assert first == 2001 and last >= 2026
    cn = get_calendar("CN")
    assert list(cn.years) == list(range(first, last + 1))
    assert cn.covers(date(last, 6, 1)) and not cn.covers(date(last + 1, 6, 1))
    # a year past the package's data still gets an answer, marked provisional
    answer = get_calendar("CN").due(date(last + 1, 3, 1), 1, "working_days")
    assert answer.provisional and answer.reason is not None
    assert str(last + 1) in answer.reason.en and str(last + 1) in answer.reason.zh
    # beyond the years whose lunar dates can be computed there is no calendar at all
    with pytest.raises(CalendarCoverageError):
        add_days("CN", date(2100, 6, 1), 1)


def test_unknown_calendar_and_bad_periods() -> None:
    with pytest.raises(UnknownCalendar, match="XX"):
        get_calendar("XX")
    for bad in (0, -3):
        with pytest.raises(DeadlineError):
            add_working_days("CN", date(2025, 1, 24), bad)
        with pytest.raises(DeadlineError):
            add_days("CN", date(2025, 1, 24), bad)

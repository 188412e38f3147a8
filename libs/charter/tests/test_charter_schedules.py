"""Official holiday schedules as data, and deadlines past the holidays package's years.

The oracle below counts independently of ``charter.calendars``: from explicit sets of days off
and make-up working days (Civil Code Art.201, 203: the start day is not counted; a working-day
period counts make-up working days; a calendar-day period ending on a non-working day ends on
the next working day).
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter import (
    ASEAN_MEMBERS,
    Basis,
    ScheduleBook,
    ScheduleProblemCode,
    ScheduleValidationError,
    get_calendar,
    load_template,
    parse_schedule,
)
from charter.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "TEST-FIXTURE-CN-2027.schedule.json"


def fixture_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def book() -> ScheduleBook:
    return ScheduleBook([parse_schedule(fixture_data())])


def oracle_working(day: date, off: set[date], make_up: set[date]) -> bool:
    return day in make_up or (day.weekday() < 5 and day not in off)


def oracle_working_days(start: date, n: int, off: set[date], make_up: set[date]) -> date:
    day, counted = start, 0
    while counted < n:
        day = day + timedelta(days=1)
        counted += oracle_working(day, off, make_up)
    return day


def oracle_days(start: date, n: int, off: set[date], make_up: set[date]) -> date:
    day = start + timedelta(days=n)
    while not oracle_working(day, off, make_up):
        day = day + timedelta(days=1)
    return day


FIXTURE_OFF = {date.fromisoformat(h["date"]) for h in fixture_data()["holidays"]}
FIXTURE_MAKE_UP = {date.fromisoformat(w["date"]) for w in fixture_data()["workdays"]}


def test_the_fixture_says_it_is_not_an_official_schedule() -> None:
    data = fixture_data()
    assert "NOT the State Council" in data["note"]
    assert "TEST FIXTURE" in data["source"]["reference"]


def test_ten_working_days_from_20_december_2026_are_provisional_until_2027_is_loaded() -> None:
    # Sun 20 Dec 2026: 21-25, 28-31 Dec are nine working days; Fri 1 Jan 2027 is New Year's
    # Day (statutory, computable in advance); the tenth is Monday 4 January 2027.
    unloaded = get_calendar("CN", ScheduleBook()).due(date(2026, 12, 20), 10, "working_days")
    assert unloaded.on == date(2027, 1, 4)
    assert unloaded.provisional and unloaded.provisional_years == [2027]
    assert unloaded.reason is not None and "2027" in unloaded.reason.zh
    assert [b.basis for b in unloaded.bases] == [Basis.PACKAGE, Basis.PROVISIONAL]

    loaded = get_calendar("CN", book()).due(date(2026, 12, 20), 10, "working_days")
    assert loaded.on == date(2027, 1, 4) and not loaded.provisional and loaded.reason is None
    assert loaded.bases[-1].basis is Basis.SCHEDULE and loaded.bases[-1].version == 1
    # nine working days stay in 2026 and say nothing provisional
    nine = get_calendar("CN", ScheduleBook()).due(date(2026, 12, 20), 9, "working_days")
    assert nine.on == date(2026, 12, 31) and not nine.provisional


def test_a_spring_festival_with_make_up_days_moves_a_provisional_deadline() -> None:
    # provisional 2027: 5-8 Feb statutory, 9-10 Feb made up for the weekend (Art.4)
    provisional = get_calendar("CN", ScheduleBook()).due(date(2027, 2, 4), 3, "working_days")
    assert provisional.on == date(2027, 2, 15) and provisional.provisional
    # with the (test) schedule: 5-11 Feb off, Sat 20 Feb worked: 15, 16, 17 Feb
    assert get_calendar("CN", book()).add_working_days(date(2027, 2, 4), 3) == date(2027, 2, 16)
    # the make-up Sunday 31 January counts: from Friday 29 January one working day is 31 January
    assert get_calendar("CN", book()).add_working_days(date(2027, 1, 29), 1) == date(2027, 1, 31)


def test_national_day_2027_with_make_up_days_from_the_loaded_schedule() -> None:
    cal = get_calendar("CN", book())
    assert cal.add_working_days(date(2027, 9, 24), 1) == date(2027, 9, 26)  # make-up Sunday
    # "within 10 days" from 24 Sep ends Mon 4 Oct, a holiday -> Fri 8 Oct
    assert cal.add_days(date(2027, 9, 24), 10) == date(2027, 10, 8)
    # 30 Sep + 2 working days: 8 Oct, then Saturday 9 Oct (make-up)
    assert cal.add_working_days(date(2027, 9, 30), 2) == date(2027, 10, 9)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 10, 31)),
    n=st.integers(min_value=1, max_value=30),
)
def test_counting_on_a_loaded_schedule_agrees_with_an_independent_oracle(
    start: date, n: int
) -> None:
    cal = get_calendar("CN", book())
    official_2026 = get_calendar("CN", ScheduleBook())
    off = FIXTURE_OFF | {
        date(2026, 1, 1) + timedelta(days=i)
        for i in range(365)
        if not official_2026.is_working_day(date(2026, 1, 1) + timedelta(days=i))
        and (date(2026, 1, 1) + timedelta(days=i)).weekday() < 5
    }
    make_up = FIXTURE_MAKE_UP | {
        date(2026, 1, 1) + timedelta(days=i)
        for i in range(365)
        if official_2026.is_working_day(date(2026, 1, 1) + timedelta(days=i))
        and (date(2026, 1, 1) + timedelta(days=i)).weekday() >= 5
    }
    assert cal.add_working_days(start, n) == oracle_working_days(start, n, off, make_up)
    assert cal.add_days(start, n) == oracle_days(start, n, off, make_up)


@settings(max_examples=150, deadline=None)
@given(
    code=st.sampled_from(["CN", *ASEAN_MEMBERS]),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2060, 12, 31)),
    n=st.integers(min_value=1, max_value=30),
)
def test_every_year_gets_an_answer_after_the_start_on_a_working_day(
    code: str, start: date, n: int
) -> None:
    cal = get_calendar(code, ScheduleBook())
    answer = cal.due(start, n, "working_days")
    assert answer.on > start and cal.is_working_day(answer.on)
    assert answer.provisional == any(b.basis is Basis.PROVISIONAL for b in answer.bases)
    assert (answer.reason is not None) == answer.provisional
    days = cal.due(start, n, "days")
    assert days.on >= start + timedelta(days=n) and cal.is_working_day(days.on)


def test_timor_leste_is_the_eleventh_asean_member_and_china_asean_follows_asean() -> None:
    assert len(ASEAN_MEMBERS) == 11 and ASEAN_MEMBERS["TL"] == date(2025, 10, 26)
    tl = get_calendar("TL")
    assert (tl.name.zh, tl.name.en) == ("东帝汶", "Timor-Leste")
    assert not tl.is_working_day(date(2026, 5, 20))  # Restoration of Independence Day
    charter = load_template("china-asean")
    assert charter.calendar.member_calendars == list(ASEAN_MEMBERS)
    assert charter.membership.eligible_countries is not None
    assert set(charter.membership.eligible_countries.codes) == {"CN", *ASEAN_MEMBERS}


def test_the_highest_loaded_version_counts_and_older_ones_are_kept() -> None:
    data = fixture_data()
    v2 = copy.deepcopy(data)
    v2["version"] = 2
    v2["holidays"].append({"date": "2027-01-04", "name": {"zh": "测试", "en": "Test"}})
    schedules = ScheduleBook([parse_schedule(data)])
    assert schedules.add(parse_schedule(v2)) is True
    assert schedules.add(parse_schedule(data)) is False  # an older version does not count
    assert [s.version for s in schedules.versions("CN", 2027)] == [1, 2]
    assert get_calendar("CN", schedules).add_working_days(date(2026, 12, 20), 10) == date(
        2027, 1, 5
    )


def _problems(data: dict[str, Any], **expect: Any) -> list[tuple[ScheduleProblemCode, str]]:
    with pytest.raises(ScheduleValidationError) as caught:
        parse_schedule(data, **expect)
    return [(p.code, p.path) for p in caught.value.problems]


def test_a_bad_schedule_is_refused_with_every_problem_typed() -> None:
    data = fixture_data()
    data["holidays"].append(data["holidays"][0])  # duplicate 1 Jan
    data["holidays"].append({"date": "2026-12-31", "name": {"zh": "x", "en": "x"}})
    data["workdays"].append({"date": "2027-01-02", "name": {"zh": "x", "en": "x"}})  # also off
    data["workdays"].append({"date": "2027-03-03", "name": {"zh": "x", "en": "x"}})  # Wednesday
    found = _problems(data)
    codes = {code for code, _ in found}
    assert codes == {
        ScheduleProblemCode.DUPLICATE_DATE,
        ScheduleProblemCode.DATE_OUTSIDE_YEAR,
        ScheduleProblemCode.HOLIDAY_AND_WORKDAY,
        ScheduleProblemCode.WORKDAY_NOT_WEEKEND,
    }
    assert (ScheduleProblemCode.WORKDAY_NOT_WEEKEND, "workdays[7].date") in found

    unknown = fixture_data() | {"country": "XX"}
    assert _problems(unknown) == [(ScheduleProblemCode.UNKNOWN_COUNTRY, "country")]
    assert _problems(fixture_data(), year=2028) == [(ScheduleProblemCode.WRONG_YEAR, "year")]
    assert _problems(fixture_data() | {"year": 2200})[0][0] is ScheduleProblemCode.WRONG_YEAR
    misspelt = fixture_data() | {"holiday": []}
    assert _problems(misspelt)[0][0] is ScheduleProblemCode.INVALID


def test_brunei_make_up_days_fall_on_its_own_weekend() -> None:
    data = {
        "country": "BN",
        "year": 2027,
        "version": 1,
        "source": {"reference": "test"},
        "workdays": [{"date": "2027-01-08", "name": {"zh": "x", "en": "x"}}],  # a Friday
    }
    assert parse_schedule(data).workday_dates == {date(2027, 1, 8)}
    data["workdays"] = [{"date": "2027-01-09", "name": {"zh": "x", "en": "x"}}]  # Saturday
    assert _problems(data) == [(ScheduleProblemCode.WORKDAY_NOT_WEEKEND, "workdays[0].date")]


def test_cli_deadline_is_marked_provisional_until_the_schedule_is_loaded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHARTER_SCHEDULES", str(tmp_path / "store"))
    argv = ["deadline", "--template", "aitisa", "--from", "2026-12-20", "--working-days", "10"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2027-01-04 (provisional)" and "2027" in out

    assert main(["calendar", "load", str(FIXTURE)]) == 0
    assert "CN 2027 v1" in capsys.readouterr().out
    assert main(argv) == 0
    assert capsys.readouterr().out == "2027-01-04\n"
    assert main(["calendar", "show", "CN", "2027"]) == 0
    shown = capsys.readouterr().out
    assert "basis\tschedule" in shown and "work\t2027-01-31" in shown

    changed = fixture_data()
    changed["holidays"].pop()
    other = tmp_path / "other.json"
    other.write_text(json.dumps(changed), encoding="utf-8")
    assert main(["calendar", "load", str(other)]) == 2  # same version, other content
    assert "higher version" in capsys.readouterr().err
    bad = fixture_data()
    bad["workdays"].append({"date": "2027-03-03", "name": {"zh": "x", "en": "x"}})
    other.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["calendar", "load", str(other)]) == 1
    assert "workday_not_weekend" in capsys.readouterr().err

"""Working-day calendars for deadlines: loaded official schedules, the ``holidays`` package, and
a provisional computation for every other year.

Order of truth, year by year (``Basis``):

1. ``schedule``: an official schedule loaded for that country and year (``charter.schedules``;
   the highest loaded version counts). China's State Council publishes each year's arrangement
   with its make-up working days (调休) in the autumn before; the operator loads it as data.
2. ``package``: the maintained ``holidays`` package, for the years it covers: for China, the
   years whose make-up working days are in its data (2001 up to its data horizon); for the ASEAN
   countries, the years without *estimated* (not yet announced) lunar or Islamic dates.
3. ``provisional``: any other year still gets an answer, from what is known in advance: the
   country's weekend and its statutory holidays computed for that year (fixed-date and lunar
   alike, by the ``holidays`` package's rules; for China 《全国年节及纪念日放假办法》 as amended
   in 2024: 元旦 1 day, 春节 4 days with 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3, with
   the days falling on a weekend made up on the following working days, Art.4), but no make-up
   working days, which only the year's notice fixes. Every answer counted on such a year says
   so (``Due.provisional``, ``Due.reason``); a provisional answer is never an error.

Counting follows the Civil Code of the PRC, Art. 201 and 203: the start day is not counted;
a period in calendar days that ends on a non-working day ends on the next working day; a
period in working days counts only working days, make-up working days included.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

import holidays
from holidays import HolidayBase

from charter.base import Text
from charter.errors import CalendarCoverageError, DeadlineError, UnknownCalendar
from charter.ids import DeadlineUnit
from charter.schedules import Schedule

FIRST_YEAR = 2001
"""China's make-up days in the package are checked against State Council notices from 2001."""

ASEAN_MEMBERS: dict[str, date] = {
    "BN": date(1984, 1, 7),
    "KH": date(1999, 4, 30),
    "ID": date(1967, 8, 8),
    "LA": date(1997, 7, 23),
    "MY": date(1967, 8, 8),
    "MM": date(1997, 7, 23),
    "PH": date(1967, 8, 8),
    "SG": date(1967, 8, 8),
    "TH": date(1967, 8, 8),
    "VN": date(1995, 7, 28),
    "TL": date(2025, 10, 26),
}
"""ASEAN's member states and the day each joined (Timor-Leste, the eleventh, at the 47th
summit in Kuala Lumpur on 26 October 2025). China-ASEAN Art.16 admits organisations of
"东盟各国": the template's countries and the calendars follow this list, not a fixed ten."""

ASEAN_CODES: tuple[str, ...] = tuple(ASEAN_MEMBERS)
CALENDAR_CODES: tuple[str, ...] = ("CN", *ASEAN_CODES)

CALENDAR_NAMES: dict[str, Text] = {
    "CN": Text(zh="中国", en="China"),
    "BN": Text(zh="文莱", en="Brunei"),
    "KH": Text(zh="柬埔寨", en="Cambodia"),
    "ID": Text(zh="印度尼西亚", en="Indonesia"),
    "LA": Text(zh="老挝", en="Laos"),
    "MY": Text(zh="马来西亚", en="Malaysia (national holidays)"),
    "MM": Text(zh="缅甸", en="Myanmar"),
    "PH": Text(zh="菲律宾", en="Philippines"),
    "SG": Text(zh="新加坡", en="Singapore"),
    "TH": Text(zh="泰国", en="Thailand"),
    "VN": Text(zh="越南", en="Vietnam"),
    "TL": Text(zh="东帝汶", en="Timor-Leste"),
}

PROVISIONAL_LAST_YEAR = 2099
"""The package computes lunar dates up to here; later years have no calendar at all."""

_HORIZON_SEARCH = 100


class Basis(StrEnum):
    """What a year of a calendar is counted from (best first)."""

    SCHEDULE = "schedule"
    PACKAGE = "package"
    PROVISIONAL = "provisional"


@lru_cache(maxsize=4096)
def _package_year(code: str, year: int) -> HolidayBase:
    return holidays.country_holidays(code, years=year, language="en_US")


def weekend_of(code: str) -> frozenset[int]:
    """The country's weekend as weekday numbers (Monday = 0): Brunei's is Friday and Sunday."""
    if code not in CALENDAR_CODES:
        raise UnknownCalendar(f"unknown calendar {code!r} (known: {', '.join(CALENDAR_CODES)})")
    return frozenset(holidays.country_holidays(code).weekend)


def _has_estimates(code: str, year: int) -> bool:
    return any("estimated" in name.lower() for name in _package_year(code, year).values())


@lru_cache(maxsize=1)
def data_horizon() -> int:
    """The last year whose Chinese make-up working days are in the installed package."""
    year = FIRST_YEAR
    while year < FIRST_YEAR + _HORIZON_SEARCH:
        following = holidays.country_holidays("CN", years=year + 1).weekend_workdays
        if not any(day.year == year + 1 for day in following):
            return year
        year += 1
    return year


@cache
def package_coverage(code: str) -> tuple[int, int] | None:
    """The years the package covers for a calendar, or None (e.g. Timor-Leste: estimates only)."""
    horizon = data_horizon()
    if code == "CN":
        return FIRST_YEAR, horizon
    last = horizon
    while last >= FIRST_YEAR and _has_estimates(code, last):
        last -= 1
    if last < FIRST_YEAR:
        return None
    first = last
    while first - 1 >= FIRST_YEAR and not _has_estimates(code, first - 1):
        first -= 1
    return first, last


class ScheduleBook:
    """The official schedules loaded so far, every version kept; the highest version counts.

    Each service keeps one (filled from its own table at start and from
    ``membership.calendar.schedule_loaded`` events); ``SCHEDULES`` is the process default.
    """

    def __init__(self, schedules: Iterable[Schedule] = ()) -> None:
        self._lock = threading.Lock()
        self._versions: dict[tuple[str, int], dict[int, Schedule]] = {}
        self.generation = 0
        for schedule in schedules:
            self.add(schedule)

    def add(self, schedule: Schedule) -> bool:
        """Keep a schedule; True if it is now the one that counts for its country and year."""
        with self._lock:
            versions = self._versions.setdefault((schedule.country, schedule.year), {})
            versions[schedule.version] = schedule
            self.generation += 1
            return max(versions) == schedule.version

    def current(self, code: str, year: int) -> Schedule | None:
        versions = self._versions.get((code, year))
        return versions[max(versions)] if versions else None

    def versions(self, code: str, year: int) -> list[Schedule]:
        return [v for _, v in sorted(self._versions.get((code, year), {}).items())]

    def all_current(self) -> list[Schedule]:
        return [self._versions[k][max(self._versions[k])] for k in sorted(self._versions)]

    def clear(self) -> None:
        with self._lock:
            self._versions.clear()
            self.generation += 1


SCHEDULES = ScheduleBook()
"""The process-wide schedules that ``get_calendar`` uses unless given another book."""


@dataclass(frozen=True)
class YearBasis:
    """What one year of one calendar was counted from, for the answer to cite."""

    code: str
    year: int
    basis: Basis
    reference: str
    version: int | None = None
    url: str | None = None

    @property
    def provisional(self) -> bool:
        return self.basis is Basis.PROVISIONAL

    def to_data(self) -> dict[str, Any]:
        return {
            "calendar": self.code,
            "year": self.year,
            "basis": str(self.basis),
            "reference": self.reference,
            "version": self.version,
            "url": self.url,
        }


@dataclass(frozen=True)
class _Year:
    basis: YearBasis
    days_off: Mapping[date, str]
    workdays: frozenset[date]
    weekend: frozenset[int]

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() not in self.weekend and day not in self.days_off


def _provisional_reason(code: str, name: Text, years: list[int]) -> Text:
    listed = "、".join(str(y) for y in years)
    listed_en = ", ".join(str(y) for y in years)
    if code == "CN":
        return Text(
            zh=(
                f"尚未载入{name.zh}{listed}年的官方放假安排（国务院办公厅通知），"
                "本期限按周末和可推算的法定节假日（《全国年节及纪念日放假办法》，含农历节日及"
                "适逢周末的补假）临时计算，未计调休上班日；载入当年安排后将重新计算。"
            ),
            en=(
                f"No official holiday schedule of {name.en} for {listed_en} is loaded (the "
                "State Council's notice): this date is provisional, counted on weekends and the "
                "statutory holidays computable in advance (the national holidays regulations, "
                "lunar festivals and weekend make-up days off included) without make-up working "
                "days; it is recomputed when that year's schedule is loaded."
            ),
        )
    return Text(
        zh=(
            f"尚未载入{name.zh}{listed}年的官方假期安排，本期限按周末和可推算的法定假日"
            "（部分农历或伊斯兰历假日日期为估算）临时计算；载入当年安排后将重新计算。"
        ),
        en=(
            f"No official holiday schedule of {name.en} for {listed_en} is loaded: this date "
            "is provisional, counted on weekends and the statutory holidays computable in "
            "advance (some lunar or Islamic dates estimated); it is recomputed when that "
            "year's schedule is loaded."
        ),
    )


@dataclass(frozen=True)
class Due:
    """The answer to "when is this due": the date, whether it is provisional, and why."""

    on: date
    start: date
    n: int
    unit: DeadlineUnit
    calendar: str
    bases: tuple[YearBasis, ...]
    reason: Text | None

    @property
    def provisional(self) -> bool:
        return any(b.provisional for b in self.bases)

    @property
    def provisional_years(self) -> list[int]:
        return [b.year for b in self.bases if b.provisional]

    def to_data(self) -> dict[str, Any]:
        return {
            "due_on": self.on.isoformat(),
            "start_on": self.start.isoformat(),
            "n": self.n,
            "unit": str(self.unit),
            "calendar": self.calendar,
            "provisional": self.provisional,
            "reason": self.reason.model_dump() if self.reason else None,
            "bases": [b.to_data() for b in self.bases],
        }


class Calendar:
    """A country's working days, any year, each year from the best source there is."""

    def __init__(self, code: str, schedules: ScheduleBook | None = None) -> None:
        if code not in CALENDAR_CODES:
            raise UnknownCalendar(f"unknown calendar {code!r} (known: {', '.join(CALENDAR_CODES)})")
        self.code = code
        self.name = CALENDAR_NAMES[code]
        self.schedules = schedules if schedules is not None else SCHEDULES
        self._years: dict[int, _Year] = {}
        self._generation = -1

    def __repr__(self) -> str:
        return f"Calendar({self.code!r})"

    @property
    def package_years(self) -> range:
        """The years the ``holidays`` package covers (empty if none)."""
        covered = package_coverage(self.code)
        return range(covered[0], covered[1] + 1) if covered else range(0)

    # kept for callers that listed the package's years
    @property
    def years(self) -> range:
        return self.package_years

    def _year(self, year: int) -> _Year:
        if self._generation != self.schedules.generation:
            self._years.clear()
            self._generation = self.schedules.generation
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._build_year(year)
        return found

    def _build_year(self, year: int) -> _Year:
        weekend = weekend_of(self.code)
        schedule = self.schedules.current(self.code, year)
        if schedule is not None:
            return _Year(
                basis=YearBasis(
                    self.code,
                    year,
                    Basis.SCHEDULE,
                    schedule.source.reference,
                    schedule.version,
                    schedule.source.url,
                ),
                days_off={d.date: d.name.en for d in schedule.holidays},
                workdays=schedule.workday_dates,
                weekend=weekend,
            )
        if not 1 <= year <= PROVISIONAL_LAST_YEAR:
            raise CalendarCoverageError(
                f"calendar {self.code} ({self.name.en}) cannot be counted for {year}: holidays "
                f"are computable up to {PROVISIONAL_LAST_YEAR} and no schedule is loaded"
            )
        table = _package_year(self.code, year)
        basis = Basis.PACKAGE if year in self.package_years else Basis.PROVISIONAL
        reference = f"holidays {holidays.__version__}"
        if basis is Basis.PROVISIONAL:
            reference += " (computed rules, no make-up working days)"
        return _Year(
            basis=YearBasis(self.code, year, basis, reference),
            days_off={d: str(n) for d, n in table.items()},
            workdays=frozenset(d for d in table.weekend_workdays if d.year == year),
            weekend=weekend,
        )

    def basis(self, year: int) -> YearBasis:
        """What ``year`` is counted from on this calendar."""
        return self._year(year).basis

    def is_provisional(self, year: int) -> bool:
        return self.basis(year).provisional

    def covers(self, day: date) -> bool:
        """True if ``day``'s year is counted from an official schedule or the package."""
        return not self.is_provisional(day.year)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a public holiday, or a make-up working day (调休)."""
        return self._year(day.year).is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        return self._year(day.year).days_off.get(day)

    def _count(self, start: date, n: int, unit: DeadlineUnit) -> tuple[date, list[int]]:
        """The due date and the years of the days whose working-ness decided it."""
        _positive(n)
        years: set[int] = set()

        def working(day: date) -> bool:
            years.add(day.year)
            return self.is_working_day(day)

        if unit is DeadlineUnit.WORKING_DAYS:
            day, remaining = start, n
            while remaining:
                day += timedelta(days=1)
                if working(day):
                    remaining -= 1
        else:
            day = start + timedelta(days=n)
            while not working(day):
                day += timedelta(days=1)
        return day, sorted(years)

    def due(self, start: date, n: int, unit: DeadlineUnit | str) -> Due:
        """When "within n (working) days from ``start``" ends, with its provenance.

        ``bases`` lists the years whose days decided the date (the start day is not counted):
        a 10-working-day period from 20 December 2026 is counted on 2026 and 2027.
        """
        kind = DeadlineUnit(unit)
        on, years = self._count(start, n, kind)
        bases = tuple(self.basis(y) for y in years)
        provisional = [b.year for b in bases if b.provisional]
        reason = _provisional_reason(self.code, self.name, provisional) if provisional else None
        return Due(
            on=on, start=start, n=n, unit=kind, calendar=self.code, bases=bases, reason=reason
        )

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself is not counted)."""
        return self.due(start, n, DeadlineUnit.WORKING_DAYS).on

    def add_days(self, start: date, n: int) -> date:
        """``start`` + n calendar days, moved to the next working day if it is not one."""
        return self.due(start, n, DeadlineUnit.DAYS).on


def _positive(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DeadlineError(f"a period must be a whole number of days, at least 1; got {n!r}")


_DEFAULT_CALENDARS: dict[str, Calendar] = {}


def get_calendar(code: str, schedules: ScheduleBook | None = None) -> Calendar:
    """The calendar for a code in ``CALENDAR_CODES`` (China and the ASEAN member states)."""
    if schedules is not None:
        return Calendar(code, schedules)
    found = _DEFAULT_CALENDARS.get(code)
    if found is None:
        found = _DEFAULT_CALENDARS[code] = Calendar(code)
    return found


def _resolve(calendar: Calendar | str) -> Calendar:
    return calendar if isinstance(calendar, Calendar) else get_calendar(calendar)


def add_working_days(calendar: Calendar | str, start: date, n: int) -> date:
    """The due date of "within n working days" from ``start`` on ``calendar`` ("CN", "TH"...)."""
    return _resolve(calendar).add_working_days(start, n)


def add_days(calendar: Calendar | str, start: date, n: int) -> date:
    """The due date of "within n days" from ``start``, rolled past holidays at the end."""
    return _resolve(calendar).add_days(start, n)


def due(calendar: Calendar | str, start: date, n: int, unit: DeadlineUnit | str) -> Due:
    """The due date with its provenance (``Due.provisional``, ``Due.reason``, ``Due.bases``)."""
    return _resolve(calendar).due(start, n, unit)


def coverage() -> dict[str, tuple[int, int] | None]:
    """The years the ``holidays`` package covers per calendar code (others are provisional)."""
    return {code: package_coverage(code) for code in CALENDAR_CODES}


def calendar_years(
    codes: Iterable[str], years: Iterable[int], schedules: ScheduleBook | None = None
) -> list[YearBasis]:
    """What each (calendar, year) is counted from, for the coverage query and the CLI."""
    wanted = list(years)
    return [get_calendar(code, schedules).basis(y) for code in codes for y in wanted]

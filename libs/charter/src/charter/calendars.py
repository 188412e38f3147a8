"""Working-day calendars for deadlines, from the maintained ``holidays`` package.

China's calendar needs the make-up working days (调休) that the State Council announces each
year, so a year is covered only once its notice is in the package's data. ASEAN countries are
covered in the years where the package has no *estimated* holiday dates (lunar and Islamic
dates are sometimes estimated ahead of their announcement), up to the same data horizon.
Outside the covered years we refuse (``CalendarCoverageError``) rather than guess.

Counting follows the Civil Code of the PRC, Art. 201 and 203: the start day is not counted;
a period in calendar days that ends on a non-working day ends on the next working day; a
period in working days counts only working days, make-up working days included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache

import holidays
from holidays import HolidayBase

from charter.base import Text
from charter.errors import CalendarCoverageError, DeadlineError, UnknownCalendar
from charter.ids import DeadlineUnit

FIRST_YEAR = 2001
"""China's make-up days in the package are checked against State Council notices from 2001."""

ASEAN_CODES: tuple[str, ...] = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")
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
}

_HORIZON_SEARCH = 100


def _has_estimates(code: str, year: int) -> bool:
    table = holidays.country_holidays(code, years=year, language="en_US")
    return any("estimated" in name.lower() for name in table.values())


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


def _coverage(code: str) -> tuple[int, int]:
    horizon = data_horizon()
    if code == "CN":
        return FIRST_YEAR, horizon
    last = horizon
    while last >= FIRST_YEAR and _has_estimates(code, last):
        last -= 1
    first = last
    while first - 1 >= FIRST_YEAR and not _has_estimates(code, first - 1):
        first -= 1
    if last < FIRST_YEAR:
        raise UnknownCalendar(f"calendar {code!r} has no year with confirmed holiday dates")
    return first, last


@dataclass(frozen=True)
class Calendar:
    """A country's working days over the years its data is known to be complete."""

    code: str
    name: Text
    first_year: int
    last_year: int
    _table: HolidayBase = field(repr=False, compare=False)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def _require(self, day: date) -> None:
        if not self.covers(day):
            raise CalendarCoverageError(
                f"calendar {self.code} ({self.name.en}) covers {self.first_year}–{self.last_year}; "
                f"{day.isoformat()} is outside it (holidays {holidays.__version__})"
            )

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a public holiday, or a make-up working day (调休)."""
        self._require(day)
        return bool(self._table.is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        self._require(day)
        name = self._table.get(day)
        return str(name) if name is not None else None

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself is not counted)."""
        _positive(n)
        self._require(start)
        day = start
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_days(self, start: date, n: int) -> date:
        """``start`` + n calendar days, moved to the next working day if it is not one."""
        _positive(n)
        self._require(start)
        day = start + timedelta(days=n)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def due(self, start: date, n: int, unit: DeadlineUnit | str) -> date:
        if DeadlineUnit(unit) is DeadlineUnit.WORKING_DAYS:
            return self.add_working_days(start, n)
        return self.add_days(start, n)


def _positive(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise DeadlineError(f"a period must be a whole number of days, at least 1; got {n!r}")


@cache
def get_calendar(code: str) -> Calendar:
    """The calendar for a code in ``CALENDAR_CODES`` (China and the ten ASEAN countries)."""
    if code not in CALENDAR_CODES:
        raise UnknownCalendar(f"unknown calendar {code!r} (known: {', '.join(CALENDAR_CODES)})")
    first, last = _coverage(code)
    table = holidays.country_holidays(code, years=range(first, last + 1))
    return Calendar(
        code=code, name=CALENDAR_NAMES[code], first_year=first, last_year=last, _table=table
    )


def _resolve(calendar: Calendar | str) -> Calendar:
    return calendar if isinstance(calendar, Calendar) else get_calendar(calendar)


def add_working_days(calendar: Calendar | str, start: date, n: int) -> date:
    """The due date of "within n working days" from ``start`` on ``calendar`` ("CN", "TH"...)."""
    return _resolve(calendar).add_working_days(start, n)


def add_days(calendar: Calendar | str, start: date, n: int) -> date:
    """The due date of "within n days" from ``start``, rolled past holidays at the end."""
    return _resolve(calendar).add_days(start, n)


def coverage() -> dict[str, tuple[int, int]]:
    """Covered years per calendar code, for documentation and the CLI."""
    calendars = [get_calendar(code) for code in CALENDAR_CODES]
    return {cal.code: (cal.first_year, cal.last_year) for cal in calendars}

"""Official holiday schedules as data: one file per country and year.

China's State Council publishes each year's arrangement (节假日安排, with its make-up working
days 调休) in the autumn before; ASEAN governments publish theirs. The platform must not wait for
a release of the ``holidays`` package, so the platform operator loads the published schedule as a
file (JSON or YAML) of this shape::

    {"country": "CN", "year": 2027, "version": 1,
     "source": {"reference": "国办发明电〔2026〕N号", "url": "https://www.gov.cn/...",
                "title": {"zh": "国务院办公厅关于2027年部分节假日安排的通知", "en": "..."}},
     "holidays": [{"date": "2027-01-01", "name": {"zh": "元旦", "en": "New Year's Day"}}, ...],
     "workdays": [{"date": "2027-02-20", "name": {"zh": "春节调休上班", "en": "..."}}, ...]}

``holidays`` lists every day off (weekend days inside a holiday block may be listed or not);
``workdays`` lists the make-up working days, each of which must fall on the country's weekend.
Every other weekday is a working day, every other weekend day is not. A later correction is a
new file with a higher ``version``; loaded versions are kept, the highest one counts.

``parse_schedule`` validates and returns a ``Schedule`` or raises ``ScheduleValidationError``
listing every problem with a code (``ScheduleProblemCode``), a path and a message.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from charter.base import Strict, Text
from charter.errors import CharterError

FIRST_SCHEDULE_YEAR = 1949
LAST_SCHEDULE_YEAR = 2099


class ScheduleProblemCode(StrEnum):
    """Why a schedule file was refused (the ``code`` of each problem)."""

    INVALID = "invalid"
    """Not the shape of a schedule (a missing or misspelt field, not a date, bad JSON/YAML)."""
    UNKNOWN_COUNTRY = "unknown_country"
    """A country with no calendar on the platform (China and the ASEAN member states)."""
    WRONG_YEAR = "wrong_year"
    """Outside the years a calendar can be counted for, or not the year that was asked for."""
    DATE_OUTSIDE_YEAR = "date_outside_year"
    """A holiday or make-up working day that is not in the schedule's year."""
    DUPLICATE_DATE = "duplicate_date"
    """The same date listed twice as a holiday, or twice as a make-up working day."""
    HOLIDAY_AND_WORKDAY = "holiday_and_workday"
    """A date listed both as a holiday and as a make-up working day."""
    WORKDAY_NOT_WEEKEND = "workday_not_weekend"
    """A make-up working day that is already a working day of the week (it must be a weekend)."""


class ScheduleProblem(BaseModel):
    code: ScheduleProblemCode
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.path}: {self.message}" if self.path else self.message


class ScheduleValidationError(CharterError, ValueError):
    """A schedule file was refused; ``problems`` lists every reason with its code and path."""

    def __init__(self, problems: list[ScheduleProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid calendar schedule ({len(problems)} problem(s)):\n{lines}")

    @property
    def code(self) -> ScheduleProblemCode:
        """The first problem's code (the one an API answer names)."""
        return self.problems[0].code


class ScheduleSource(Strict):
    """Where the schedule was published."""

    reference: str = Field(
        min_length=1, description="The notice, e.g. '国办发明电〔2026〕N号' (State Council)."
    )
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    title: Text | None = None
    published_on: date | None = None


class ScheduleDay(Strict):
    """A day off (holiday) or a make-up working day, with its name in both languages."""

    date: date
    name: Text


class Schedule(Strict):
    """A country's official holiday arrangement for one year."""

    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. 'CN'.")
    year: int
    version: int = Field(ge=1, description="1, then 2, 3... for corrections.")
    source: ScheduleSource
    holidays: list[ScheduleDay] = Field(default_factory=list)
    workdays: list[ScheduleDay] = Field(
        default_factory=list, description="Make-up working days (调休) on weekend days."
    )
    note: str | None = None

    @property
    def holiday_dates(self) -> frozenset[date]:
        return frozenset(d.date for d in self.holidays)

    @property
    def workday_dates(self) -> frozenset[date]:
        return frozenset(d.date for d in self.workdays)

    @property
    def label(self) -> str:
        """``CN 2027 v1 (国办发明电〔2026〕N号)``."""
        return f"{self.country} {self.year} v{self.version} ({self.source.reference})"

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def schedule_json_schema() -> dict[str, Any]:
    """The JSON Schema of a schedule file (its shape; ``parse_schedule`` adds the cross-checks)."""
    return Schedule.model_json_schema()


def _load_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScheduleValidationError(
            [
                ScheduleProblem(
                    code=ScheduleProblemCode.INVALID, path="", message=f"not JSON or YAML: {exc}"
                )
            ]
        ) from None


def parse_schedule_text(text: str, **expect: Any) -> Schedule:
    """A schedule from JSON or YAML text (see ``parse_schedule``)."""
    return parse_schedule(_load_text(text), **expect)


def parse_schedule(
    data: Any,
    *,
    country: str | None = None,
    year: int | None = None,
    weekend: frozenset[int] | None = None,
) -> Schedule:
    """Validate a schedule; ``country``/``year`` if given must match; every problem is listed.

    ``weekend`` (weekday numbers, Monday = 0) defaults to the country's calendar weekend.
    """
    from charter.calendars import CALENDAR_CODES, weekend_of

    problems: list[ScheduleProblem] = []

    def problem(code: ScheduleProblemCode, path: str, message: str) -> None:
        problems.append(ScheduleProblem(code=code, path=path, message=message))

    try:
        schedule = Schedule.model_validate(data)
    except ValidationError as exc:
        raise ScheduleValidationError(
            [
                ScheduleProblem(
                    code=ScheduleProblemCode.INVALID,
                    path=".".join(str(p) for p in err["loc"]),
                    message=err["msg"],
                )
                for err in exc.errors()
            ]
        ) from None

    if schedule.country not in CALENDAR_CODES:
        problem(
            ScheduleProblemCode.UNKNOWN_COUNTRY,
            "country",
            f"no calendar for {schedule.country!r} (calendars: {', '.join(CALENDAR_CODES)})",
        )
    elif country is not None and schedule.country != country:
        problem(
            ScheduleProblemCode.UNKNOWN_COUNTRY,
            "country",
            f"the file is for {schedule.country}, not {country}",
        )
    if not FIRST_SCHEDULE_YEAR <= schedule.year <= LAST_SCHEDULE_YEAR:
        problem(
            ScheduleProblemCode.WRONG_YEAR,
            "year",
            f"{schedule.year} is outside {FIRST_SCHEDULE_YEAR}–{LAST_SCHEDULE_YEAR}",
        )
    elif year is not None and schedule.year != year:
        problem(
            ScheduleProblemCode.WRONG_YEAR, "year", f"the file is for {schedule.year}, not {year}"
        )

    for field in ("holidays", "workdays"):
        days: list[ScheduleDay] = getattr(schedule, field)
        seen = Counter(d.date for d in days)
        for index, day in enumerate(days):
            path = f"{field}[{index}].date"
            if day.date.year != schedule.year:
                problem(
                    ScheduleProblemCode.DATE_OUTSIDE_YEAR,
                    path,
                    f"{day.date.isoformat()} is not in {schedule.year}",
                )
            if seen[day.date] > 1:
                problem(
                    ScheduleProblemCode.DUPLICATE_DATE,
                    path,
                    f"{day.date.isoformat()} is listed {seen[day.date]} times in {field}",
                )
                seen[day.date] = 0  # report each duplicate once

    both = schedule.holiday_dates & schedule.workday_dates
    for twice in sorted(both):
        problem(
            ScheduleProblemCode.HOLIDAY_AND_WORKDAY,
            "workdays",
            f"{twice.isoformat()} is listed both as a holiday and as a make-up working day",
        )

    if schedule.country in CALENDAR_CODES:
        days_off = weekend if weekend is not None else weekend_of(schedule.country)
        for index, day in enumerate(schedule.workdays):
            if day.date.weekday() not in days_off:
                problem(
                    ScheduleProblemCode.WORKDAY_NOT_WEEKEND,
                    f"workdays[{index}].date",
                    f"{day.date.isoformat()} is a {day.date.strftime('%A')}, already a working "
                    "day: a make-up working day falls on a weekend",
                )

    if problems:
        raise ScheduleValidationError(problems)
    return schedule

"""The time window of a dashboard's figures, the same in every service.

A window is a range of days (``since`` to ``until``, both included) cut into periods of a
month, a quarter or a year (PostgreSQL's ``date_trunc``). Periods are calendar periods in UTC
(the charters name no time zone): the first starts at the start of the period ``since`` falls
in, the last ends with ``until``. Each service computes its figures with SQL aggregates over
these periods (``GROUP BY`` alliance and period), never a loop over rows in Python.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.errors import DomainError

MAX_PERIODS = 240  # twenty years of months: a window's answer stays small
FIRST_YEAR, LAST_YEAR = 1900, 2200


class Grouping(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.value]


def _period_start(day: date, grouping: Grouping) -> date:
    month = (day.month - 1) // grouping.months * grouping.months + 1
    return date(day.year, month, 1)


@dataclass(frozen=True)
class Window:
    since: date
    until: date
    grouping: Grouping = Grouping.MONTH

    @classmethod
    def of(cls, since: date, until: date, grouping: Grouping) -> Window:
        """A checked window: ``since`` not after ``until``, at most :data:`MAX_PERIODS`."""
        if since > until:
            raise DomainError(
                f"the window starts ({since}) after it ends ({until})", code="BAD_USER_INPUT"
            )
        if since.year < FIRST_YEAR or until.year > LAST_YEAR:
            raise DomainError(
                f"a window between {FIRST_YEAR} and {LAST_YEAR}, please", code="BAD_USER_INPUT"
            )
        window = cls(since, until, grouping)
        months = (until.year - since.year) * 12 + until.month - since.month
        if months // grouping.months + 1 > MAX_PERIODS:
            raise DomainError(
                f"a window of at most {MAX_PERIODS} periods ({grouping.value}s), please",
                code="BAD_USER_INPUT",
            )
        return window

    @property
    def start(self) -> datetime:
        """The first period's first instant (UTC)."""
        return datetime.combine(_period_start(self.since, self.grouping), time(), UTC)

    @property
    def end(self) -> datetime:
        """The instant after the window (the day after ``until``, UTC)."""
        return datetime.combine(self.until + timedelta(days=1), time(), UTC)

    def periods(self) -> list[date]:
        """The first day of each period, in order."""
        out, day = [], _period_start(self.since, self.grouping)
        while day <= self.until:
            out.append(day)
            month = day.month - 1 + self.grouping.months
            day = date(day.year + month // 12, month % 12 + 1, 1)
        return out

    def params(self) -> dict[str, Any]:
        """The bind parameters every figures statement uses."""
        return {
            "unit": self.grouping.value,
            "start": self.start,
            "end": self.end,
            "first_period": self.start.replace(tzinfo=None),
            "last_day": datetime.combine(self.until, time()),
            "months": self.grouping.months,
        }


@dataclass(frozen=True)
class Keys:
    """Whose figures a statement groups by: each of some alliances, or one platform total
    (everything the transaction's scope admits: row-level security decides what that is)."""

    alliance_ids: Sequence[uuid.UUID] | None

    @property
    def per_alliance(self) -> bool:
        return self.alliance_ids is not None

    def key(self, column: str = "alliance_id") -> str:
        """The SQL of the grouping key: the alliance column, or one NULL for the total."""
        return column if self.per_alliance else "CAST(NULL AS uuid)"

    def where(self, column: str = "alliance_id") -> str:
        return f"{column} = ANY(CAST(:ids AS uuid[]))" if self.per_alliance else "true"

    def keys_sql(self) -> str:
        """A relation ``k(key)`` of every key (for the periods to cross with)."""
        if self.per_alliance:
            return "unnest(CAST(:ids AS uuid[])) AS k(key)"
        return "(SELECT CAST(NULL AS uuid)) AS k(key)"

    def params(self) -> dict[str, Any]:
        return {"ids": list(self.alliance_ids)} if self.alliance_ids is not None else {}

    def periods_sql(self) -> str:
        """A relation ``periods(key, period)``: every key crossed with every period start."""
        return (
            f"SELECT k.key, CAST(p.period AS date) AS period FROM {self.keys_sql()} "
            "CROSS JOIN generate_series(CAST(:first_period AS timestamp), "
            "CAST(:last_day AS timestamp), make_interval(months => CAST(:months AS integer))) "
            "AS p(period)"
        )

    def answer_keys(self) -> list[uuid.UUID | None]:
        return list(self.alliance_ids) if self.alliance_ids is not None else [None]


async def rows(session: AsyncSession, sql: str, params: dict[str, Any]) -> list[Any]:
    """The rows of one figures statement (text SQL built from :class:`Keys` and
    :class:`Window`), in the transaction's scope."""
    return list((await session.execute(sa.text(sql), params)).all())

"""A matter's charter deadlines in the API (translation only; ``governance.deadlines`` writes)."""

from __future__ import annotations

import uuid
from datetime import date

import strawberry

from governance import deadlines, models
from governance.graphql.types import loader
from servicekit.graphql import Info


@strawberry.type(description="Why a due date is provisional, in both languages.")
class ProvisionalReason:
    zh: str
    en: str


@strawberry.type(
    description="A charter deadline of a matter, counted on the alliance's calendar (Civil "
    "Code Art.201 and 203: the start day is not counted; working days count make-up working "
    "days). Provisional when a year it spans has no official schedule loaded yet: it is "
    "recounted, and announced if it moves, when that schedule is loaded."
)
class Deadline:
    deadline: str = strawberry.field(description="the charter's id for it, e.g. creation_answer")
    rule: str = strawberry.field(description="the article that sets it, e.g. AITISA Art.4(2)")
    title: str
    title_en: str
    start_on: date = strawberry.field(description="the day the period starts (not counted)")
    n: int
    unit: str = strawberry.field(description="days | working_days")
    calendar: str = strawberry.field(description="the calendar counted on (CN, SG …)")
    due_on: date = strawberry.field(description="the last day of the period")
    provisional: bool
    provisional_reason: ProvisionalReason | None
    moved_from: date | None = strawberry.field(
        description="the provisional due date before the year's official schedule moved it"
    )
    status: str = strawberry.field(description="open | met | cancelled")

    @classmethod
    def from_row(cls, row: models.Deadline) -> Deadline:
        reason = row.provisional_reason
        return cls(
            deadline=row.deadline,
            rule=row.rule,
            title=row.title_zh,
            title_en=row.title_en,
            start_on=row.start_on,
            n=row.n,
            unit=row.unit,
            calendar=row.calendar,
            due_on=row.due_on,
            provisional=row.provisional,
            provisional_reason=ProvisionalReason(zh=reason["zh"], en=reason["en"])
            if reason
            else None,
            moved_from=row.moved_from,
            status=row.status,
        )


async def deadlines_of(info: Info, subject_id: uuid.UUID) -> list[Deadline]:
    """A matter's deadlines through one DataLoader (one statement for a whole page)."""
    rows = await loader(info, deadlines.of_subjects, "deadlines_of").load(subject_id)
    return [Deadline.from_row(r) for r in rows]

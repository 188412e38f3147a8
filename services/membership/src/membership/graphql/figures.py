"""Membership's dashboard figures in GraphQL: ``Alliance.membershipFigures`` (batched across
alliances) and ``Query.membershipFigures`` (the platform's total). Translation only: the
aggregates are in ``membership.figures``."""

from __future__ import annotations

from datetime import date

import strawberry

from membership import figures
from membership.graphql.common import ApplicationKind, ApplicationStatus, MembershipTier, TierCount
from servicekit.figures import Grouping, Window
from servicekit.graphql import Info
from servicekit.graphql.figures import Figures, window_of


@strawberry.type(description="How many members come from one country.")
class CountryCount:
    country: str = strawberry.field(description="ISO 3166-1 alpha-2")
    count: int


@strawberry.type(description="One period of a window: members at its end, and its changes.")
class MembershipPeriod:
    period: date = strawberry.field(description="the period's first day")
    members: int = strawberry.field(description="members in force at the period's end")
    admissions: int
    withdrawals: int
    expulsions: int
    terminations: int = strawberry.field(description="ended by a rule (e.g. licence revoked)")
    demotions: int = strawberry.field(description="lowered a tier by the charter's own rule")


@strawberry.type(description="A charter's deadline: n days or working days, and its article.")
class StepDeadline:
    n: int
    unit: str = strawberry.field(description="days | working_days")
    source: str


@strawberry.type(description="Applications waiting at one step of the charter's procedure.")
class PendingApplications:
    kind: ApplicationKind
    status: ApplicationStatus
    count: int
    oldest_days: int = strawberry.field(description="calendar days the oldest has waited")
    average_days: float
    over_30_days: int
    over_90_days: int
    step: str | None = strawberry.field(
        description="review | decision | resubmission (per alliance; null in a platform total)"
    )
    step_source: str | None = strawberry.field(description="the charter article of the step")
    deciders: list[str] = strawberry.field(description="the bodies that decide it")
    deadline: StepDeadline | None = strawberry.field(
        description="the charter's deadline for the step; null: the charter sets none"
    )

    @classmethod
    def of(cls, p: figures.PendingStep) -> PendingApplications:
        return cls(
            kind=ApplicationKind(p.kind),
            status=ApplicationStatus(p.status),
            count=p.count,
            oldest_days=p.oldest_days,
            average_days=p.average_days,
            over_30_days=p.over_30_days,
            over_90_days=p.over_90_days,
            step=p.step,
            step_source=p.step_source,
            deciders=p.deciders,
            deadline=StepDeadline(
                n=p.deadline.n, unit=str(p.deadline.unit), source=p.deadline.source
            )
            if p.deadline
            else None,
        )


@strawberry.type(description="An alliance's (or the platform's) membership in figures.")
class MembershipFigures:
    members: int = strawberry.field(description="members in force now")
    by_tier: list[TierCount] = strawberry.field(
        description="members in force now, lowest tier first"
    )
    by_country: list[CountryCount] = strawberry.field(
        description="members in force now, most first"
    )
    admissions: int = strawberry.field(description="in the window")
    withdrawals: int = strawberry.field(description="in the window")
    expulsions: int = strawberry.field(description="in the window")
    terminations: int = strawberry.field(description="in the window")
    demotions: int = strawberry.field(description="in the window")
    series: list[MembershipPeriod] = strawberry.field(description="each period of the window")
    pending: list[PendingApplications] = strawberry.field(description="open applications now")
    pending_total: int

    @classmethod
    def of(cls, f: figures.MembershipFigures, window: Window | None = None) -> MembershipFigures:
        return cls(
            members=f.members,
            by_tier=[
                TierCount(tier=MembershipTier(t), count=n)
                for t, n in figures.sorted_tiers(f.by_tier)
            ],
            by_country=[
                CountryCount(country=c, count=n)
                for c, n in sorted(f.by_country.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            admissions=f.total("admissions"),
            withdrawals=f.total("withdrawals"),
            expulsions=f.total("expulsions"),
            terminations=f.total("terminations"),
            demotions=f.total("demotions"),
            series=[MembershipPeriod(**vars(p)) for p in f.series],
            pending=[PendingApplications.of(p) for p in f.pending],
            pending_total=sum(p.count for p in f.pending),
        )


MEMBERSHIP = Figures("membership", figures.membership_figures, MembershipFigures.of)


async def for_alliance(
    info: Info, alliance_id: strawberry.ID, since: date, until: date, grouping: Grouping
) -> MembershipFigures:
    return await MEMBERSHIP.of_alliance(info, alliance_id, window_of(since, until, grouping))


@strawberry.type
class FiguresQuery:
    @strawberry.field(
        description="Membership figures of every alliance the caller may see, together (the "
        "operator: the platform; an alliance's staff: their alliances). Periods in UTC."
    )
    async def membership_figures(
        self, info: Info, since: date, until: date, grouping: Grouping = Grouping.MONTH
    ) -> MembershipFigures:
        return await MEMBERSHIP.of_platform(info, window_of(since, until, grouping))

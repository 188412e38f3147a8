"""Governance's dashboard figures in GraphQL: ``Alliance.governanceFigures`` (batched across
alliances) and ``Query.governanceFigures`` (the platform's total). Translation only: the
aggregates are in ``governance.figures``."""

from __future__ import annotations

from datetime import date

import strawberry

from governance import figures
from servicekit.figures import Grouping, Window
from servicekit.graphql import Info
from servicekit.graphql.figures import Figures, window_of
from servicekit.graphql.glossary import BodyKind


@strawberry.type(description="One period of a window: meetings held, motions and votes decided.")
class GovernancePeriod:
    period: date = strawberry.field(description="the period's first day")
    meetings_held: int = strawberry.field(description="meetings whose attendance was closed")
    motions_passed: int
    motions_failed: int
    votes_closed: int = strawberry.field(description="votes (stages of motions) closed")
    quorum_failures: int = strawberry.field(description="votes closed without a quorum")
    turnout: float | None = strawberry.field(
        description="mean share of the entitled seats present (or by written proxy) at the "
        "votes closed; null: no vote closed"
    )


@strawberry.type(description="A body's meetings in a calendar year, against its charter minimum.")
class BodyMeetings:
    body: BodyKind
    year: int
    held: int
    minimum: int = strawberry.field(description="the charter's minimum of meetings a year")
    below_minimum: bool
    source: str = strawberry.field(description="the article that sets the body up")


@strawberry.type(
    description="AITISA working groups: how many in each state now, their members, the meetings "
    "they held in the window, and the annual evaluations approved for its years (Art.11)."
)
class WorkingGroupFigures:
    active: int = strawberry.field(description="approved by the chair's office, not dissolved")
    pending: int = strawberry.field(description="applications not yet decided (Art.4)")
    dissolved: int
    below_minimum: int = strawberry.field(
        description="active groups with fewer than 5 members (Art.7(1); a ground of Art.6)"
    )
    members: int = strawberry.field(description="members of the active groups")
    meetings_held: int
    commendations: int
    satisfactory: int
    warnings: int


@strawberry.type(description="An alliance's (or the platform's) governance over a window.")
class GovernanceFigures:
    since: date
    until: date
    grouping: Grouping
    open_motions: int = strawberry.field(description="motions pending or open now")
    meetings_held: int
    motions_passed: int
    motions_failed: int
    quorum_failures: int
    series: list[GovernancePeriod]
    bodies: list[BodyMeetings]
    working_groups: WorkingGroupFigures

    @classmethod
    def of(cls, found: figures.GovernanceFigures, window: Window) -> GovernanceFigures:
        return cls(
            since=window.since,
            until=window.until,
            grouping=window.grouping,
            open_motions=found.open_motions,
            meetings_held=found.total("meetings_held"),
            motions_passed=found.total("motions_passed"),
            motions_failed=found.total("motions_failed"),
            quorum_failures=found.total("quorum_failures"),
            series=[
                GovernancePeriod(
                    period=p.period,
                    meetings_held=p.meetings_held,
                    motions_passed=p.motions_passed,
                    motions_failed=p.motions_failed,
                    votes_closed=p.votes_closed,
                    quorum_failures=p.quorum_failures,
                    turnout=p.turnout,
                )
                for p in found.series
            ],
            working_groups=WorkingGroupFigures(
                active=found.working_groups.active,
                pending=found.working_groups.pending,
                dissolved=found.working_groups.dissolved,
                below_minimum=found.working_groups.below_minimum,
                members=found.working_groups.members,
                meetings_held=found.working_groups.meetings_held,
                commendations=found.working_groups.commendations,
                satisfactory=found.working_groups.satisfactory,
                warnings=found.working_groups.warnings,
            ),
            bodies=[
                BodyMeetings(
                    body=BodyKind(b.body),
                    year=b.year,
                    held=b.held,
                    minimum=b.minimum or 0,
                    below_minimum=b.below_minimum,
                    source=b.source,
                )
                for b in found.bodies
            ],
        )


GOVERNANCE = Figures("governance", figures.governance_figures, GovernanceFigures.of)


async def for_alliance(
    info: Info, alliance_id: strawberry.ID, since: date, until: date, grouping: Grouping
) -> GovernanceFigures:
    return await GOVERNANCE.of_alliance(info, alliance_id, window_of(since, until, grouping))


@strawberry.type
class FiguresQuery:
    @strawberry.field(
        description="Governance figures of every alliance the caller may see, together (the "
        "operator: the platform; an alliance's staff: their alliances). Periods in UTC."
    )
    async def governance_figures(
        self, info: Info, since: date, until: date, grouping: Grouping = Grouping.MONTH
    ) -> GovernanceFigures:
        return await GOVERNANCE.of_platform(info, window_of(since, until, grouping))

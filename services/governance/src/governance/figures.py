"""Governance's dashboard figures: meetings held per body against the charter's minimum,
motions passed and failed, the votes closed with their turnout and quorum failures.

Every figure is one SQL aggregate for all the alliances asked for (``GROUP BY`` alliance and
period, ``date_trunc``), in the transaction's scope: row-level security decides which alliances'
rows are counted. A meeting is held once its attendance is closed; a working group's meetings
are the group's own (``working_groups``), not its alliance's bodies'. A vote's turnout is
those present (in person or by written proxy) over the seats entitled, as its result recorded
them when it closed (``votes.close_stage``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.figures import Keys, Window, rows

WORKING_GROUP = "working_group"
MIN_GROUP_MEMBERS = 5
"""AITISA Art.7(1): a group has at least 5 members (fewer is a ground of Art.6)."""


@dataclass
class Period:
    period: date
    meetings_held: int = 0
    motions_passed: int = 0
    motions_failed: int = 0
    votes_closed: int = 0
    quorum_failures: int = 0
    turnout: float | None = None
    """Mean of present / entitled over the votes closed in the period (None: no vote)."""


@dataclass
class BodyYear:
    body: str
    year: int
    held: int
    minimum: int | None
    source: str

    @property
    def below_minimum(self) -> bool:
        return self.minimum is not None and self.held < self.minimum


@dataclass
class WorkingGroups:
    """AITISA working groups: how many in each state now, their members, the meetings they
    held in the window, and the annual evaluations approved for the window's years (Art.11)."""

    active: int = 0
    pending: int = 0
    """Applied or forwarded, not yet decided (Art.4)."""
    dissolved: int = 0
    below_minimum: int = 0
    """Active groups with fewer members than the rules' minimum (5, Art.7(1))."""
    members: int = 0
    meetings_held: int = 0
    commendations: int = 0
    warnings: int = 0
    satisfactory: int = 0


@dataclass
class GovernanceFigures:
    series: list[Period] = field(default_factory=list)
    bodies: list[BodyYear] = field(default_factory=list)
    open_motions: int = 0
    working_groups: WorkingGroups = field(default_factory=WorkingGroups)

    def total(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.series)


async def governance_figures(
    session: AsyncSession, keys: Keys, window: Window
) -> dict[uuid.UUID | None, GovernanceFigures]:
    """The figures of each key (an alliance, or the platform): four statements for any
    number of alliances."""
    out = {k: GovernanceFigures() for k in keys.answer_keys()}
    p = keys.params() | window.params() | {"group": WORKING_GROUP}
    key, where = keys.key(), keys.where()

    series = await rows(
        session,
        f"""
        WITH periods AS ({keys.periods_sql()}),
        held AS (
          SELECT {key} AS key, CAST(date_trunc(:unit, starts_at AT TIME ZONE 'UTC') AS date)
                 AS period, count(*) AS n
          FROM meetings WHERE {where} AND attendance_closed_at IS NOT NULL
            AND group_id IS NULL AND starts_at >= :start AND starts_at < :end
          GROUP BY 1, 2),
        decided AS (
          SELECT {key} AS key, CAST(date_trunc(:unit, decided_at AT TIME ZONE 'UTC') AS date)
                 AS period,
            count(*) FILTER (WHERE status = 'passed') AS passed,
            count(*) FILTER (WHERE status = 'failed') AS failed
          FROM motions WHERE {where} AND decided_at >= :start AND decided_at < :end
          GROUP BY 1, 2),
        closed AS (
          SELECT {key} AS key, CAST(date_trunc(:unit, closed_at AT TIME ZONE 'UTC') AS date)
                 AS period, count(*) AS n,
            count(*) FILTER (WHERE result->>'outcome' = 'not_quorate') AS not_quorate,
            avg(CAST(result->'counts'->>'attending' AS numeric)
                / nullif(CAST(result->'counts'->>'seats' AS numeric), 0)) AS turnout
          FROM stages WHERE {where} AND status = 'closed' AND closed_at >= :start
            AND closed_at < :end
          GROUP BY 1, 2)
        SELECT p.key, p.period, coalesce(h.n, 0) AS held, coalesce(d.passed, 0) AS passed,
          coalesce(d.failed, 0) AS failed, coalesce(c.n, 0) AS closed,
          coalesce(c.not_quorate, 0) AS not_quorate, c.turnout
        FROM periods p
        LEFT JOIN held h ON h.key IS NOT DISTINCT FROM p.key AND h.period = p.period
        LEFT JOIN decided d ON d.key IS NOT DISTINCT FROM p.key AND d.period = p.period
        LEFT JOIN closed c ON c.key IS NOT DISTINCT FROM p.key AND c.period = p.period
        ORDER BY p.key, p.period""",
        p,
    )
    for r in series:
        out[r.key].series.append(
            Period(
                r.period,
                int(r.held),
                int(r.passed),
                int(r.failed),
                int(r.closed),
                int(r.not_quorate),
                round(float(r.turnout), 4) if r.turnout is not None else None,
            )
        )

    # Each body with a charter minimum, each calendar year the window touches: meetings held
    # that year against it (AII Art.23: the council at least once a year). In a platform total
    # the bodies of every alliance add up (and so do their minimums).
    bodies = await rows(
        session,
        f"""
        WITH years AS (
          SELECT CAST(y AS integer) AS year FROM generate_series(
            CAST(extract(year FROM CAST(:first_period AS timestamp)) AS integer),
            CAST(extract(year FROM CAST(:last_day AS timestamp)) AS integer)) AS y),
        b AS (SELECT {key} AS key, kind, min(source) AS source,
                sum(min_meetings_per_year) AS minimum, array_agg(alliance_id) AS ids
              FROM bodies WHERE {where} AND kind <> :group AND min_meetings_per_year > 0
              GROUP BY 1, 2)
        SELECT b.key, b.kind, years.year, b.minimum, b.source,
          (SELECT count(*) FROM meetings m
           WHERE m.alliance_id = ANY(b.ids) AND m.body = b.kind AND m.group_id IS NULL
             AND m.attendance_closed_at IS NOT NULL
             AND m.starts_at >= make_timestamptz(years.year, 1, 1, 0, 0, 0, 'UTC')
             AND m.starts_at < make_timestamptz(years.year + 1, 1, 1, 0, 0, 0, 'UTC')) AS held
        FROM b CROSS JOIN years ORDER BY b.key, b.kind, years.year""",
        p,
    )
    for r in bodies:
        out[r.key].bodies.append(
            BodyYear(r.kind, int(r.year), int(r.held), int(r.minimum), str(r.source))
        )

    for r in await rows(
        session,
        f"SELECT {key} AS key, count(*) AS n FROM motions WHERE {where} "
        "AND status IN ('pending', 'open') GROUP BY 1",
        p,
    ):
        out[r.key].open_motions = int(r.n)

    for r in await rows(
        session,
        f"""
        WITH sizes AS (
          SELECT group_id, count(*) AS n FROM seats
          WHERE {where} AND group_id IS NOT NULL AND active GROUP BY 1),
        groups AS (
          SELECT {key} AS key, g.status, coalesce(s.n, 0) AS members
          FROM working_groups g LEFT JOIN sizes s ON s.group_id = g.id WHERE {where}),
        held AS (
          SELECT {key} AS key, count(*) AS n FROM meetings
          WHERE {where} AND group_id IS NOT NULL AND attendance_closed_at IS NOT NULL
            AND starts_at >= :start AND starts_at < :end GROUP BY 1),
        evaluated AS (
          SELECT {key} AS key,
            count(*) FILTER (WHERE result = 'commendation') AS commendations,
            count(*) FILTER (WHERE result = 'warning') AS warnings,
            count(*) FILTER (WHERE result = 'satisfactory') AS satisfactory
          FROM working_group_evaluations WHERE {where} AND status = 'approved'
            AND year BETWEEN CAST(extract(year FROM CAST(:first_period AS timestamp)) AS integer)
                         AND CAST(extract(year FROM CAST(:last_day AS timestamp)) AS integer)
          GROUP BY 1),
        summary AS (
          SELECT key,
            count(*) FILTER (WHERE status = 'approved') AS active,
            count(*) FILTER (WHERE status IN ('applied', 'forwarded')) AS pending,
            count(*) FILTER (WHERE status = 'dissolved') AS dissolved,
            count(*) FILTER (WHERE status = 'approved' AND members < :minimum) AS below,
            coalesce(sum(members) FILTER (WHERE status = 'approved'), 0) AS members
          FROM groups GROUP BY 1)
        SELECT k.key, coalesce(s.active, 0) AS active, coalesce(s.pending, 0) AS pending,
          coalesce(s.dissolved, 0) AS dissolved, coalesce(s.below, 0) AS below,
          coalesce(s.members, 0) AS members, coalesce(h.n, 0) AS held,
          coalesce(e.commendations, 0) AS commendations, coalesce(e.warnings, 0) AS warnings,
          coalesce(e.satisfactory, 0) AS satisfactory
        FROM {keys.keys_sql()}
        LEFT JOIN summary s ON s.key IS NOT DISTINCT FROM k.key
        LEFT JOIN held h ON h.key IS NOT DISTINCT FROM k.key
        LEFT JOIN evaluated e ON e.key IS NOT DISTINCT FROM k.key""",
        p | {"minimum": MIN_GROUP_MEMBERS},
    ):
        out[r.key].working_groups = WorkingGroups(
            active=int(r.active),
            pending=int(r.pending),
            dissolved=int(r.dissolved),
            below_minimum=int(r.below),
            members=int(r.members),
            meetings_held=int(r.held),
            commendations=int(r.commendations),
            warnings=int(r.warnings),
            satisfactory=int(r.satisfactory),
        )
    return out

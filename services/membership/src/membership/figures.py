"""Membership's dashboard figures: members by tier and country, their change over time, the
admissions and departures of each period, and the applications waiting at each step.

Every figure is one SQL aggregate for all the alliances asked for (``GROUP BY`` alliance and
period, ``date_trunc``), in the transaction's scope: row-level security decides which
alliances' rows are counted. Python only shapes the grouped rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from charter.ids import TierId
from charter.model import Deadline
from membership.charters import parsed
from membership.models import OPEN_APPLICATION_STATES, CharterVersion
from membership.workflow import workflow
from servicekit.errors import DomainError
from servicekit.figures import Keys, Window, rows

CHARTER_ACTOR = "charter"  # the actor of a change a charter rule made by itself (a demotion)
TIER_ORDER = [t.value for t in TierId]


@dataclass
class Period:
    period: date
    members: int = 0
    admissions: int = 0
    withdrawals: int = 0
    expulsions: int = 0
    terminations: int = 0
    demotions: int = 0


@dataclass
class PendingStep:
    kind: str
    status: str
    count: int
    oldest_days: int
    average_days: float
    over_30_days: int
    over_90_days: int
    step: str | None = None
    step_source: str | None = None
    deciders: list[str] = field(default_factory=list)
    deadline: Deadline | None = None


@dataclass
class MembershipFigures:
    members: int = 0
    by_tier: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, int] = field(default_factory=dict)
    series: list[Period] = field(default_factory=list)
    pending: list[PendingStep] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.series)


async def membership_figures(
    session: AsyncSession, keys: Keys, window: Window
) -> dict[uuid.UUID | None, MembershipFigures]:
    """The figures of each key (an alliance, or the platform): four statements for any number
    of alliances."""
    out = {k: MembershipFigures() for k in keys.answer_keys()}
    p = keys.params() | window.params()
    key, where = keys.key(), keys.where()
    by = "alliance_id, " if keys.per_alliance else ""

    # Members in force now, by tier and by country (GROUPING SETS: one scan for both).
    for r in await rows(
        session,
        f"SELECT {key} AS key, tier, country, count(*) AS n, grouping(tier) AS by_country "
        f"FROM memberships WHERE {where} AND status = 'active' "
        f"GROUP BY GROUPING SETS (({by}tier), ({by}country))",
        p,
    ):
        figures = out[r.key]
        if r.by_country:
            figures.by_country[r.country] = int(r.n)
        else:
            figures.by_tier[r.tier] = int(r.n)
            figures.members += int(r.n)

    # Each period: members at its end (those in force at the start of the window plus the
    # running sum of joins less departures), and its admissions and departures from the
    # history of every membership (a demotion: a tier change the charter's rule made itself).
    series = await rows(
        session,
        f"""
        WITH periods AS ({keys.periods_sql()}),
        base AS (
          SELECT {key} AS key, count(*) AS n FROM memberships
          WHERE {where} AND joined_at < :start AND (ended_at IS NULL OR ended_at >= :start)
          GROUP BY 1),
        moves AS (
          SELECT {key} AS key, CAST(date_trunc(:unit, joined_at AT TIME ZONE 'UTC') AS date)
                 AS period, 1 AS delta
          FROM memberships WHERE {where} AND joined_at >= :start AND joined_at < :end
          UNION ALL
          SELECT {key}, CAST(date_trunc(:unit, ended_at AT TIME ZONE 'UTC') AS date), -1
          FROM memberships WHERE {where} AND ended_at >= :start AND ended_at < :end
            AND joined_at < :end),
        net AS (SELECT key, period, sum(delta) AS n FROM moves GROUP BY 1, 2),
        changes AS (
          SELECT {key} AS key, CAST(date_trunc(:unit, at AT TIME ZONE 'UTC') AS date) AS period,
            count(*) FILTER (WHERE change = 'status' AND to_value = 'active') AS admissions,
            count(*) FILTER (WHERE change = 'status' AND to_value = 'withdrawn') AS withdrawals,
            count(*) FILTER (WHERE change = 'status' AND to_value = 'expelled') AS expulsions,
            count(*) FILTER (WHERE change = 'status' AND to_value = 'terminated')
              AS terminations,
            count(*) FILTER (WHERE change = 'tier' AND actor = :charter) AS demotions
          FROM membership_history
          WHERE {where} AND membership_id IS NOT NULL AND at >= :start AND at < :end
          GROUP BY 1, 2)
        SELECT p.key, p.period,
          coalesce(b.n, 0) + sum(coalesce(n.n, 0))
            OVER (PARTITION BY p.key ORDER BY p.period) AS members,
          coalesce(c.admissions, 0) AS admissions, coalesce(c.withdrawals, 0) AS withdrawals,
          coalesce(c.expulsions, 0) AS expulsions, coalesce(c.terminations, 0) AS terminations,
          coalesce(c.demotions, 0) AS demotions
        FROM periods p
        LEFT JOIN base b ON b.key IS NOT DISTINCT FROM p.key
        LEFT JOIN net n ON n.key IS NOT DISTINCT FROM p.key AND n.period = p.period
        LEFT JOIN changes c ON c.key IS NOT DISTINCT FROM p.key AND c.period = p.period
        ORDER BY p.key, p.period""",
        p | {"charter": CHARTER_ACTOR},
    )
    for r in series:
        out[r.key].series.append(
            Period(
                r.period,
                int(r.members),
                int(r.admissions),
                int(r.withdrawals),
                int(r.expulsions),
                int(r.terminations),
                int(r.demotions),
            )
        )

    # Applications waiting now, per kind and status: how many, and how long they have waited
    # at their step (since forwarding for a forwarded one, else since submission).
    pending = await rows(
        session,
        f"""
        SELECT {key} AS key, kind, status, count(*) AS n,
          max(age) AS oldest, avg(age) AS average,
          count(*) FILTER (WHERE age > 30) AS over_30, count(*) FILTER (WHERE age > 90) AS over_90
        FROM (SELECT alliance_id, kind, status,
                CAST(CAST(now() AT TIME ZONE 'UTC' AS date) - CAST(CASE WHEN status = 'forwarded'
                  THEN coalesce(forwarded_at, submitted_at) ELSE submitted_at END
                  AT TIME ZONE 'UTC' AS date) AS integer) AS age
              FROM applications WHERE {where} AND status = ANY(CAST(:open AS text[]))) a
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        p | {"open": [str(s) for s in OPEN_APPLICATION_STATES]},
    )
    charters = await _charters(session, {r.key for r in pending if r.key is not None})
    for r in pending:
        step = PendingStep(
            r.kind,
            r.status,
            int(r.n),
            int(r.oldest),
            round(float(r.average), 1),
            int(r.over_30),
            int(r.over_90),
        )
        if r.key is not None:
            _against_charter(step, charters[r.key])
        out[r.key].pending.append(step)
    return out


async def _charters(
    session: AsyncSession, alliance_ids: set[uuid.UUID]
) -> dict[uuid.UUID, charter.Charter]:
    """The charter in force of each alliance: one statement."""
    if not alliance_ids:
        return {}
    rows = await session.scalars(
        sa.select(CharterVersion).where(
            CharterVersion.alliance_id.in_(alliance_ids),
            sa.text(
                "charter_versions.version = (SELECT charter_version FROM alliances a "
                "WHERE a.id = charter_versions.alliance_id)"
            ),
        )
    )
    return {v.alliance_id: parsed(v) for v in rows}


def _against_charter(step: PendingStep, document: charter.Charter) -> None:
    """The charter's step an application of ``step.status`` waits at, its article, and the
    charter's deadline for it if the charter sets one."""
    try:
        flow = workflow(document, step.kind)
    except DomainError:
        return
    procedure = next((p for p in document.procedures.values() if p.source == flow.source), None)
    steps = procedure.steps if procedure else []
    if step.status == "forwarded" or (step.status == "submitted" and not flow.review):
        wanted = next(
            (s for s in steps if s.kind in ("vote", "decide", "approve", "consent")), None
        )
        step.step, step.step_source = "decision", flow.decision_source
        step.deciders = list(flow.deciders)
    elif step.status == "submitted":
        wanted = next((s for s in steps if s.kind == "review"), None)
        step.step, step.step_source = "review", flow.review
    else:  # returned: the applicant completes its materials, then the review resumes
        wanted = None
        step.step, step.step_source = "resubmission", flow.review
    if wanted is not None and wanted.deadline:
        step.deadline = document.deadlines.get(wanted.deadline)


def tier_rank(tier: str) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER)


def sorted_tiers(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: tier_rank(kv[0]))

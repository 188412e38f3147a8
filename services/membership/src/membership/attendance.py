"""Automatic consequences of attendance (AII Art.13: three consecutive council absences of a
member obliged to attend demote it one tier), driven by governance's attendance events.

The event ``governance.attendance.recorded`` (``contracts.governance.AttendanceRecorded``)
lists each member organisation's attendance at one meeting of one body: ``present``, ``proxy``
(represented by a written proxy, which counts as attending) or ``absent``. The demotion itself
is written by :func:`membership.memberships.demote`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from charter.model import AutomaticRule
from contracts.governance import AttendanceRecorded, AttendanceStatus
from contracts.membership import MembershipStatus
from membership import memberships
from membership.alliances import current_charter
from membership.charters import parsed
from membership.models import AbsenceStreak, Alliance, MeetingAttendance, Membership
from servicekit.events import Envelope

CHARTER = "charter"  # the actor recorded when a rule of the charter acts by itself


async def on_attendance(
    session: AsyncSession, event: AttendanceRecorded, envelope: Envelope
) -> None:
    alliance = await session.get(Alliance, event.alliance_id)
    if alliance is None:
        raise LookupError(f"attendance for unknown alliance {event.alliance_id}")
    version = await current_charter(session, alliance)
    model = parsed(version)
    rules = [
        r
        for r in model.automatic_rules
        if r.trigger == "consecutive_absences"
        and r.effect == "demote_one_tier"
        and r.body == event.body
    ]
    if not rules:
        return
    by_org = {a.organization_id: a.status for a in event.attendance}
    members = (
        await session.scalars(
            sa.select(Membership)
            .where(
                Membership.alliance_id == alliance.id,
                Membership.organization_id.in_(by_org),
                Membership.status == MembershipStatus.ACTIVE,
            )
            .with_for_update()
        )
    ).all()
    for rule in rules:
        obliged = {str(t.value) for t in rule.applies_to}
        for member in members:
            if member.tier not in obliged:
                continue
            await _count(
                session,
                alliance,
                version.version,
                model,
                member,
                rule,
                event,
                by_org[member.organization_id],
            )


async def _count(
    session: AsyncSession,
    alliance: Alliance,
    charter_version: int,
    model: charter.Charter,
    member: Membership,
    rule: AutomaticRule,
    event: AttendanceRecorded,
    status: AttendanceStatus,
) -> None:
    await session.execute(
        insert(MeetingAttendance)
        .values(
            alliance_id=alliance.id,
            membership_id=member.id,
            body=event.body,
            meeting_id=event.meeting_id,
            held_on=event.held_on,
            status=status.value,
        )
        .on_conflict_do_update(
            index_elements=["membership_id", "body", "meeting_id"],
            set_={"held_on": event.held_on, "status": status.value},
        )
    )
    streak = await session.get(AbsenceStreak, (member.id, event.body), with_for_update=True)
    if streak is None:
        streak = AbsenceStreak(
            alliance_id=alliance.id,
            membership_id=member.id,
            body=event.body,
            count=0,
            meetings=[],
        )
        session.add(streak)
    # Count in the order the meetings were held, after the run that last demoted: a late
    # record of an older meeting completes (or breaks) the run it belongs to.
    query = sa.select(
        MeetingAttendance.meeting_id, MeetingAttendance.held_on, MeetingAttendance.status
    ).where(MeetingAttendance.membership_id == member.id, MeetingAttendance.body == event.body)
    if streak.last_held_on is not None:
        query = query.where(MeetingAttendance.held_on > streak.last_held_on)
    records = (
        await session.execute(
            query.order_by(MeetingAttendance.held_on, MeetingAttendance.meeting_id)
        )
    ).all()
    assert rule.count is not None, "a consecutive-absence rule counts meetings"
    run: list[tuple[str, date]] = []
    complete: list[tuple[str, date]] | None = None
    for record in records:
        if record.status != AttendanceStatus.ABSENT:
            run = []
            continue
        run.append((record.meeting_id, record.held_on))
        if len(run) >= rule.count:
            complete = run
            break
    if complete is None:
        streak.count, streak.meetings = len(run), [m for m, _ in run]
        return
    streak.last_held_on = complete[-1][1]
    streak.count, streak.meetings = 0, []
    below = model.tier_below(member.tier)
    missed = [m for m, _ in complete]
    if below is None:
        return
    reason = (
        f"{rule.count} consecutive absences from {event.body} meetings ({', '.join(missed)}); "
        f"demoted one tier"
    )
    # The rule acts on the day of the last missed meeting (meetings recorded after the fact
    # demote as of then); now, if that day is not past or the member joined after it.
    held = datetime.combine(complete[-1][1], time(12), tzinfo=UTC)
    at = held if member.joined_at <= held < datetime.now(UTC) else None
    await memberships.demote(
        session,
        member,
        alliance,
        below,
        memberships.Change(CHARTER, rule.source, charter_version, reason, at=at),
        meetings=missed,
    )

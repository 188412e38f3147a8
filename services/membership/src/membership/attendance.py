"""Automatic consequences of attendance (AII Art.13: three consecutive council absences of a
member obliged to attend demote it one tier), driven by governance's attendance events.

The event ``governance.attendance.recorded`` (shape in docs/events.md) lists each member
organisation's attendance at one meeting of one body: ``present``, ``proxy`` (represented by a
written proxy, which counts as attending) or ``absent``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from membership import events
from membership.alliances import current_charter
from membership.charters import parsed
from membership.memberships import member_event_data
from membership.models import AbsenceStreak, Alliance, HistoryEntry, Membership
from servicekit.events import Envelope

ATTENDANCE_STATES = ("present", "proxy", "absent")


async def on_attendance(session: AsyncSession, event: Envelope) -> None:
    data = event.data
    alliance = await session.get(Alliance, uuid.UUID(data["allianceId"]))
    if alliance is None:
        raise LookupError(f"attendance for unknown alliance {data['allianceId']}")
    version = await current_charter(session, alliance)
    rules = [
        r
        for r in parsed(version).automatic_rules
        if r.trigger == "consecutive_absences"
        and r.effect == "demote_one_tier"
        and r.body == data["body"]
    ]
    if not rules:
        return
    held_on = date.fromisoformat(data["heldOn"])
    by_org = {uuid.UUID(a["organizationId"]): a["status"] for a in data["attendance"]}
    if any(s not in ATTENDANCE_STATES for s in by_org.values()):
        raise ValueError(f"attendance states are {ATTENDANCE_STATES}")
    members = (
        await session.scalars(
            sa.select(Membership)
            .where(
                Membership.alliance_id == alliance.id,
                Membership.organization_id.in_(by_org),
                Membership.status == "active",
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
                member,
                rule,
                data,
                held_on,
                by_org[member.organization_id],
            )


async def _count(
    session: AsyncSession,
    alliance: Alliance,
    charter_version: int,
    member: Membership,
    rule: Any,
    data: dict[str, Any],
    held_on: date,
    status: str,
) -> None:
    streak = await session.get(AbsenceStreak, (member.id, data["body"]), with_for_update=True)
    if streak is None:
        streak = AbsenceStreak(
            alliance_id=alliance.id,
            membership_id=member.id,
            body=data["body"],
            count=0,
            meetings=[],
        )
        session.add(streak)
    if streak.last_held_on is not None and held_on <= streak.last_held_on:
        return  # an older meeting, already accounted for
    streak.last_held_on = held_on
    if status != "absent":
        streak.count, streak.meetings = 0, []
        return
    streak.count += 1
    streak.meetings = [*streak.meetings, data["meetingId"]]
    if streak.count < rule.count:
        return
    below = parsed(await current_charter(session, alliance)).tier_below(member.tier)
    missed = ", ".join(streak.meetings)
    streak.count, streak.meetings = 0, []
    if below is None:
        return
    previous, member.tier = member.tier, str(below.value)
    reason = (
        f"{rule.count} consecutive absences from {data['body']} meetings ({missed}); "
        f"demoted one tier"
    )
    session.add(
        HistoryEntry(
            alliance_id=alliance.id,
            membership_id=member.id,
            change="tier",
            from_value=previous,
            to_value=member.tier,
            actor="charter",
            reason=reason,
            rule=rule.source,
            charter_version=charter_version,
        )
    )
    await session.flush()
    await events.publish(
        session,
        events.MEMBER_DEMOTED,
        subject=member.id,
        alliance_id=alliance.id,
        data=member_event_data(
            member,
            alliance,
            fromTier=previous,
            reason=reason,
            rule=rule.source,
            meetings=missed.split(", "),
        ),
    )

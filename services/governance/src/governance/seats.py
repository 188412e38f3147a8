"""Seats of the bodies, and every change to them with its date and reason.

* The general assembly has one seat per active member organisation (AII Art.18: 联盟全体成员
  组成联盟会员大会), kept from membership's member events.
* The council has one seat per member of the director tier or above (AII Art.12 一名代表,
  China–ASEAN Art.20); the organisation names the person who sits (its representative) and may
  replace them; until it does, its contact person sits. A demotion below the director tier
  vacates the seat, a promotion opens it.
* Bodies made of persons (the standing council of officers, AII Art.24; steering and expert
  committees) have personal seats: officers' from membership's role events, committee members
  appointed by the secretariat, each with its term.

One writer: this module is the only one that writes ``seats`` and ``seat_changes``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from charter.ids import BodyId, TierId
from contracts.governance import SeatChanged
from contracts.membership import MemberEvent, MembershipStatus, RoleAssigned, RoleRevoked
from governance import charters
from governance.models import SOURCE, Member, Seat, SeatChange, outbox
from servicekit.events import Envelope, record_event
from servicekit.events.revisions import newer
from servicekit.graphql import DomainError, Forbidden, NotFound
from servicekit.queries import grouped

ORG_BODIES = (BodyId.GENERAL_ASSEMBLY, BodyId.COUNCIL)


def seat_id(alliance_id: uuid.UUID, body: str, holder_key: str) -> uuid.UUID:
    return uuid.uuid5(alliance_id, f"seat:{body}:{holder_key}")


def sits_on_council(rules: charter.Charter, tier: str) -> bool:
    """Council seats belong to members of the director tier and above (AII Art.12)."""
    ids = rules.tier_ids
    if TierId.DIRECTOR not in ids:
        return False
    return rules.tier_rank(tier) >= rules.tier_rank(TierId.DIRECTOR)


async def _change(session: AsyncSession, seat: Seat, change: str, on: date, reason: str) -> None:
    """Keep one change of ``seat`` (as it now is) and publish it (``governance.seat.changed``):
    notifications keeps who sits on which body from these."""
    await session.flush()  # the seat row, inserted or updated, before its change refers to it
    position = await session.scalar(
        sa.insert(SeatChange)
        .values(
            id=uuid.uuid4(),
            alliance_id=seat.alliance_id,
            seat_id=seat.id,
            change=change,
            holder_user_id=seat.holder_user_id,
            holder_name=seat.holder_name,
            changed_on=on,
            reason=reason,
        )
        .returning(SeatChange.position)
    )
    assert position is not None
    await record_event(
        session,
        outbox,
        SeatChanged(
            seat_id=seat.id,
            alliance_id=seat.alliance_id,
            body=seat.body,
            group_id=seat.group_id,
            change=change,
            holder_user_id=seat.holder_user_id,
            active=seat.active,
            changed_on=on,
            position=position,
        ),
        source=SOURCE,
        subject=seat.id,
        alliance_id=seat.alliance_id,
    )


async def _org_seat(
    session: AsyncSession,
    member: Member,
    body: str,
    *,
    entitled: bool,
    on: date,
    reason: str,
) -> None:
    key = f"org:{member.organization_id}"
    sid = seat_id(member.alliance_id, body, key)
    seat = await session.get(Seat, sid, with_for_update=True)
    if seat is None:
        if not entitled:
            return
        seat = Seat(
            id=sid,
            alliance_id=member.alliance_id,
            body=body,
            holder_key=key,
            organization_id=member.organization_id,
            organization_name=member.organization_name,
            holder_user_id=member.contact_user_id,
            holder_name=None,
            active=True,
            term_starts_on=on,
        )
        session.add(seat)
        await session.flush()
        await _change(session, seat, "opened", on, reason)
        return
    if seat.active == entitled:
        if entitled and seat.holder_name is None and seat.holder_user_id != member.contact_user_id:
            # No named representative: the contact person sits, and follows a new contact.
            seat.holder_user_id = member.contact_user_id
            await _change(session, seat, "holder_changed", on, reason)
        return
    seat.active = entitled
    if entitled:
        seat.term_starts_on, seat.term_ends_on = on, None
        if seat.holder_name is None:
            seat.holder_user_id = member.contact_user_id
    else:
        seat.term_ends_on = on
    await _change(session, seat, "opened" if entitled else "vacated", on, reason)


async def on_member_event(session: AsyncSession, event: MemberEvent, envelope: Envelope) -> None:
    """Any member event: keep the roster, then open or vacate the organisation's seats.

    An event older than the membership's state already kept (a retried event overtaken by a
    later one) changes nothing: the seats already follow the newer state."""
    values = {
        "alliance_id": event.alliance_id,
        "organization_id": event.organization_id,
        "organization_name": event.organization_name_zh,
        "tier": event.tier.value,
        "status": event.status.value,
        "contact_user_id": event.contact_user_id,
        "revision": event.revision,
    }
    member = await session.scalar(
        insert(Member)
        .values(membership_id=event.membership_id, **values)
        .on_conflict_do_update(
            index_elements=["membership_id"],
            set_=values,
            where=newer(Member.revision, event.revision),
        )
        .returning(Member),
        execution_options={"populate_existing": True},
    )
    if member is None:  # an older revision than the one kept
        return
    _, rules = await charters.in_force(session, event.alliance_id)
    on = envelope.time.date()
    reason = (
        f"{envelope.type.removeprefix('membership.')}"
        + (f" ({event.rule})" if event.rule else "")
        + (f": {event.reason}" if event.reason else "")
    )
    # The organisation's seat follows its membership in force, if it has one: a late event of
    # a membership it left before rejoining does not vacate the new one's seat.
    in_force = await session.scalar(
        sa.select(Member).where(
            Member.alliance_id == member.alliance_id,
            Member.organization_id == member.organization_id,
            Member.status == MembershipStatus.ACTIVE.value,
        )
    )
    holder = in_force or member
    active = in_force is not None
    if BodyId.GENERAL_ASSEMBLY in rules.bodies:
        await _org_seat(
            session, holder, BodyId.GENERAL_ASSEMBLY, entitled=active, on=on, reason=reason
        )
    if BodyId.COUNCIL in rules.bodies:
        await _org_seat(
            session,
            holder,
            BodyId.COUNCIL,
            entitled=active and sits_on_council(rules, TierId(holder.tier)),
            on=on,
            reason=reason,
        )


def personal_bodies(rules: charter.Charter, role: str) -> list[str]:
    """Bodies made of persons whose officers include ``role`` (AII Art.24: the standing
    council is the chair, vice-chairs, secretary-general and deputies)."""
    return [
        kind.value
        for kind, body in rules.bodies.items()
        if body.seat_role is None
        and kind not in ORG_BODIES
        and kind is not BodyId.SECRETARIAT
        and role in {r.value for r in body.officer_roles}
    ]


async def _personal_seat(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    body: str,
    *,
    user_id: str,
    name: str,
    role: str,
    active: bool,
    on: date,
    reason: str,
    term_ends_on: date | None = None,
) -> Seat:
    key = f"person:{user_id}:{role}"
    sid = seat_id(alliance_id, body, key)
    seat = await session.get(Seat, sid, with_for_update=True)
    if seat is None:
        seat = Seat(
            id=sid,
            alliance_id=alliance_id,
            body=body,
            holder_key=key,
            role=role,
            holder_user_id=user_id,
            holder_name=name,
            active=active,
            term_starts_on=on,
            term_ends_on=term_ends_on,
        )
        session.add(seat)
        await session.flush()
        await _change(session, seat, "opened" if active else "vacated", on, reason)
        return seat
    if seat.active != active:
        seat.active = active
        if active:
            seat.term_starts_on, seat.term_ends_on = on, term_ends_on
        else:
            seat.term_ends_on = on
        await _change(session, seat, "opened" if active else "vacated", on, reason)
    return seat


async def on_role_event(
    session: AsyncSession, event: RoleAssigned | RoleRevoked, envelope: Envelope
) -> None:
    _, rules = await charters.in_force(session, event.alliance_id)
    assigned = isinstance(event, RoleAssigned)
    for body in personal_bodies(rules, event.role):
        await _personal_seat(
            session,
            event.alliance_id,
            body,
            user_id=event.user_id,
            name=event.name,
            role=event.role,
            active=assigned,
            on=envelope.time.date(),
            reason=f"role {event.role} {'assigned' if assigned else 'revoked'}",
        )


# --------------------------------------------------------------------------- commands


async def name_representative(
    session: AsyncSession,
    *,
    actor: str,
    may_act: bool,
    seat_id_: uuid.UUID,
    user_id: str,
    name: str,
    on: date,
    reason: str,
) -> Seat:
    """The organisation names (or replaces) the person who holds its seat (AII Art.12)."""
    seat = await session.get(Seat, seat_id_, with_for_update=True)
    if seat is None:
        raise NotFound("no such seat")
    if seat.organization_id is None:
        raise DomainError("a personal seat has no representative", code="PERSONAL_SEAT")
    if not seat.active:
        raise DomainError("this seat is vacant", code="SEAT_VACANT")
    contact = await session.scalar(
        sa.select(Member.contact_user_id).where(
            Member.alliance_id == seat.alliance_id,
            Member.organization_id == seat.organization_id,
            Member.status == "active",
        )
    )
    if not may_act and contact != actor:
        raise Forbidden("only the organisation's contact person or the secretariat names it")
    if not user_id.strip() or not name.strip():
        raise DomainError("the representative needs a user id and a name")
    seat.holder_user_id, seat.holder_name = user_id, name
    await _change(session, seat, "representative_named", on, reason)
    return seat


async def appoint(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    rules: charter.Charter,
    *,
    body: str,
    user_id: str,
    name: str,
    role: str,
    on: date,
    term_ends_on: date | None,
    reason: str,
) -> Seat:
    """A personal seat on a committee of persons (steering, expert committee …)."""
    if BodyId(body) not in rules.bodies:
        raise DomainError(f"the charter has no {body}", code="NO_SUCH_BODY")
    if BodyId(body) in ORG_BODIES or rules.bodies[BodyId(body)].seat_role is not None:
        raise DomainError(
            f"the {body}'s seats belong to member organisations, not persons",
            code="ORGANISATION_SEATS",
        )
    if term_ends_on is not None and term_ends_on < on:
        raise DomainError("a term cannot end before it starts")
    return await _personal_seat(
        session,
        alliance_id,
        body,
        user_id=user_id,
        name=name,
        role=role,
        active=True,
        on=on,
        reason=reason,
        term_ends_on=term_ends_on,
    )


async def vacate(session: AsyncSession, seat_id_: uuid.UUID, *, on: date, reason: str) -> Seat:
    seat = await session.get(Seat, seat_id_, with_for_update=True)
    if seat is None:
        raise NotFound("no such seat")
    if seat.organization_id is not None:
        raise DomainError(
            "an organisation's seat follows its membership", code="ORGANISATION_SEATS"
        )
    if not seat.active:
        raise DomainError("this seat is already vacant", code="SEAT_VACANT")
    seat.active, seat.term_ends_on = False, on
    await _change(session, seat, "vacated", on, reason)
    return seat


# --------------------------------------------------------------------------- reading


async def seats_of_bodies(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, str]], *, active_only: bool = True
) -> list[list[Seat]]:
    alliances = {a for a, _ in keys}
    query = sa.select(Seat).where(Seat.alliance_id.in_(alliances)).order_by(Seat.position)
    if active_only:
        query = query.where(Seat.active)
    rows = (await session.scalars(query)).all()
    groups: dict[tuple[uuid.UUID, str], list[Seat]] = {k: [] for k in keys}
    for row in rows:
        group = groups.get((row.alliance_id, row.body))
        if group is not None:
            group.append(row)
    return [groups[k] for k in keys]


async def changes_of(
    session: AsyncSession, seat_ids: Sequence[uuid.UUID]
) -> list[list[SeatChange]]:
    rows = (
        await session.scalars(
            sa.select(SeatChange)
            .where(SeatChange.seat_id.in_(seat_ids))
            .order_by(SeatChange.position)
        )
    ).all()
    return grouped(rows, seat_ids, lambda r: r.seat_id)


async def seats_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Seat | None]:
    rows = (await session.scalars(sa.select(Seat).where(Seat.id.in_(ids)))).all()
    found = {r.id: r for r in rows}
    return [found.get(i) for i in ids]


async def seats_held_by(session: AsyncSession, user_id: str) -> list[Seat]:
    """The active seats a person holds (the policies show a holder their own seats)."""
    return list(
        (
            await session.scalars(
                sa.select(Seat)
                .where(Seat.holder_user_id == user_id, Seat.active)
                .order_by(Seat.position)
            )
        ).all()
    )


# --------------------------------------------------------------------------- working groups


GROUP_POSTS = ("group_leader", "group_co_leader")


def group_seat_id(
    alliance_id: uuid.UUID, group_id: uuid.UUID, organization_id: uuid.UUID
) -> uuid.UUID:
    return seat_id(alliance_id, BodyId.WORKING_GROUP, f"group:{group_id}:org:{organization_id}")


async def join_group(
    session: AsyncSession,
    *,
    alliance_id: uuid.UUID,
    group_id: uuid.UUID,
    organization_id: uuid.UUID,
    organization_name: str,
    user_id: str,
    name: str,
    on: date,
    reason: str,
) -> Seat:
    """An organisation's seat in a working group (AITISA Art.7): opened, or opened again."""
    key = f"group:{group_id}:org:{organization_id}"
    sid = seat_id(alliance_id, BodyId.WORKING_GROUP, key)
    seat = await session.get(Seat, sid, with_for_update=True)
    if seat is None:
        seat = Seat(
            id=sid,
            alliance_id=alliance_id,
            body=BodyId.WORKING_GROUP.value,
            holder_key=key,
            organization_id=organization_id,
            organization_name=organization_name,
            holder_user_id=user_id,
            holder_name=name,
            active=True,
            term_starts_on=on,
            group_id=group_id,
        )
        session.add(seat)
        await session.flush()
    elif seat.active:
        raise DomainError(f"{organization_name} is a member of this group", code="ALREADY_MEMBER")
    else:
        seat.active, seat.role = True, None
        seat.holder_user_id, seat.holder_name = user_id, name
        seat.term_starts_on, seat.term_ends_on = on, None
    await _change(session, seat, "opened", on, reason)
    return seat


async def leave_group(session: AsyncSession, seat: Seat, *, on: date, reason: str) -> None:
    """A member's seat in a working group ends, with any post it held (AITISA Art.7(6), 9(3))."""
    seat.active, seat.role, seat.term_ends_on = False, None, on
    await _change(session, seat, "vacated", on, reason)


async def fill_group_post(
    session: AsyncSession, seat: Seat, *, post: str, user_id: str, name: str, on: date, reason: str
) -> None:
    """The leader or a co-leader of a working group sits for its organisation (AITISA Art.7(3))."""
    assert post in GROUP_POSTS
    seat.role, seat.holder_user_id, seat.holder_name = post, user_id, name
    await _change(session, seat, f"{post}_appointed", on, reason)
    await session.flush()


async def seats_of_groups(
    session: AsyncSession, group_ids: Sequence[uuid.UUID]
) -> list[list[Seat]]:
    """Each working group's active members, in the order they joined."""
    rows = (
        await session.scalars(
            sa.select(Seat)
            .where(Seat.group_id.in_(set(group_ids)), Seat.active)
            .order_by(Seat.position)
        )
    ).all()
    keys: list[uuid.UUID | None] = list(group_ids)  # (a group's seats all carry its id)
    return grouped(rows, keys, lambda r: r.group_id)

"""Notices of membership's events, and the register of members they need.

The contact person of an organisation learns each step of its applications (received,
forwarded to the deciding body, returned for correction, approved, rejected with reasons) and
each change of its membership (tier changed or lowered under the charter, withdrawn, expelled,
ended), with the charter article applied; the secretariat learns of new work (an application
filed or filed again). The texts are the templates of each kind (``rendering``).
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import membership as m
from notifications import filing
from notifications.models import Alliance, Member
from servicekit.events import Envelope
from servicekit.events.revisions import newer

# What the contact person is told, by event.
CONTACT_KINDS: dict[type[m.ApplicationEvent] | type[m.MemberEvent], str] = {
    m.ApplicationSubmitted: "application_received",
    m.ApplicationForwarded: "application_forwarded",
    m.ApplicationReturned: "application_returned",
    m.ApplicationApproved: "application_approved",
    m.ApplicationRejected: "application_rejected",
    m.MemberTierChanged: "tier_changed",
    m.MemberDemoted: "demoted",
    m.MemberWithdrawn: "membership_ended",
    m.MemberExpelled: "membership_ended",
    m.MemberTerminated: "membership_ended",
}
# Events that give the secretariat work.
STAFF_KINDS: dict[type[m.ApplicationEvent], str] = {
    m.ApplicationSubmitted: "application_to_handle",
    m.ApplicationResubmitted: "application_to_handle",
}


async def on_event(
    session: AsyncSession, event: m.ApplicationEvent | m.MemberEvent, envelope: Envelope
) -> None:
    """File the notices of ``event``: for the organisation's contact person and, where it is
    new work, for the alliance's secretariat (once each, even if redelivered)."""
    contact = event.contact_user_id
    notices = []
    context = {"d": event.model_dump()}
    if type(event) in CONTACT_KINDS and contact:
        notices.append(
            filing.Notice(
                kind=CONTACT_KINDS[type(event)],
                recipients=[contact],
                context=context,
                subject_id=envelope.subject,
            )
        )
    if isinstance(event, m.ApplicationEvent) and type(event) in STAFF_KINDS:
        staff = [p for p in await filing.secretariat(session, event.alliance_id) if p != contact]
        notices.append(
            filing.Notice(
                kind=STAFF_KINDS[type(event)],
                recipients=staff,
                context=context,
                subject_id=envelope.subject,
            )
        )
    if isinstance(event, m.MemberEvent):
        await _register(session, event)
    await filing.file(
        session,
        alliance_id=event.alliance_id,
        event_id=envelope.id,
        event_type=envelope.type,
        notices=notices,
    )


async def _register(session: AsyncSession, event: m.MemberEvent) -> None:
    """Keep the register of memberships and contact persons (announcements reach them); an
    event older than the membership's revision kept (a retried event overtaken by a later one)
    changes nothing."""
    values = {
        "alliance_id": event.alliance_id,
        "organization_id": event.organization_id,
        "tier": str(event.tier),
        "contact_user_id": event.contact_user_id,
        "active": event.status is m.MembershipStatus.ACTIVE,
        "revision": event.revision,
    }
    await session.execute(
        insert(Member)
        .values(membership_id=event.membership_id, **values)
        .on_conflict_do_update(
            index_elements=["membership_id"],
            set_=values,
            where=newer(Member.revision, event.revision),
        )
    )


HANDLED: list[type[m.ApplicationEvent] | type[m.MemberEvent]] = sorted(
    {
        *CONTACT_KINDS,
        *STAFF_KINDS,
        m.MemberAdmitted,
        m.MemberContactChanged,
    },
    key=lambda model: model.TYPE,
)


async def on_alliance_created(
    session: AsyncSession, event: m.AllianceCreated, envelope: Envelope
) -> None:
    values = {"slug": event.slug, "name_zh": event.name_zh, "name_en": event.name_en}
    await session.execute(
        insert(Alliance)
        .values(alliance_id=event.alliance_id, **values)
        .on_conflict_do_update(index_elements=["alliance_id"], set_=values)
    )

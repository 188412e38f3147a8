"""Notices of governance's and finance's events that have contracts on main.

- ``governance.application.decided``: the secretariat records the body's decision (it acts on
  it in membership).
- ``governance.motion.decided``: the result, its numbers and the rule, to the officers and the
  secretariat.
- ``governance.vote.closed``: each stage's result (numbers, rule, the ballot list's hash), to
  the officers and the secretariat.
- ``governance.attendance.recorded``: the contact person of each organisation recorded absent
  (consecutive absences have consequences under the charter, e.g. AII Art.13).
- ``finance.budget.created``, ``finance.matter.submitted``, ``finance.budget.decided``: a budget
  drafted, a matter submitted for a vote, a budget approved or not (China–ASEAN Art.27, AITISA
  Art.12; a group's budget also to its leaders, and ``finance.budget.returned`` with the
  secretariat's reasons to them), ``finance.final_accounts.decided`` (决算),
  ``finance.auditor.decided`` and
  ``finance.audit.reported`` (China–ASEAN Art.27), to the officers and the secretariat.
- ``governance.meeting.convened`` (mandatory; with an .ics invitation) and
  ``governance.meeting.minimum_missed`` (AII Art.23), to the officers and the secretariat.
- ``finance.invoice.issued`` and ``.overdue``: to the contact person of the membership.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import finance as f
from contracts import governance as g
from notifications import filing
from notifications.invitations import Invitation
from notifications.models import Member
from servicekit.events import Envelope


async def _file(
    session: AsyncSession, event: g.Event, envelope: Envelope, notice: filing.Notice
) -> None:
    alliance = envelope.alliance_id
    assert alliance is not None, "governance and finance events belong to an alliance"
    await filing.file(
        session,
        alliance_id=alliance,
        event_id=envelope.id,
        event_type=envelope.type,
        notices=[notice],
    )


def _notice(
    kind: str, recipients: list[str], event: g.Event, envelope: Envelope, **extra: Any
) -> filing.Notice:
    """The notice of ``kind`` for ``recipients``, its templates given the event's data."""
    return filing.Notice(
        kind=kind,
        recipients=recipients,
        context={"d": event.model_dump()},
        subject_id=envelope.subject,
        **extra,
    )


async def _tell_leaders(
    session: AsyncSession, event: g.Event, envelope: Envelope, kind: str
) -> None:
    """File the notice of ``kind`` for the officers and the secretariat."""
    await _file(
        session, event, envelope, _notice(kind, await _leaders(session, envelope), event, envelope)
    )


async def _leaders(session: AsyncSession, envelope: Envelope) -> list[str]:
    assert envelope.alliance_id is not None
    people = await filing.officers(session, envelope.alliance_id)
    return sorted({*people, *await filing.secretariat(session, envelope.alliance_id)})


async def on_application_decided(
    session: AsyncSession, event: g.ApplicationDecided, envelope: Envelope
) -> None:
    notice = filing.Notice(
        kind="application_decided",
        recipients=await filing.secretariat(session, event.alliance_id),
        context={"d": event.model_dump()},
        subject_id=envelope.subject,
    )
    await _file(session, event, envelope, notice)


async def on_motion_decided(
    session: AsyncSession, event: g.MotionDecided, envelope: Envelope
) -> None:
    await _tell_leaders(session, event, envelope, "motion_decided")


async def on_vote_closed(session: AsyncSession, event: g.VoteClosed, envelope: Envelope) -> None:
    """A stage's result, computed once at close, with the hash of its published ballot list.
    Recipients: the officers and the secretariat (no register of a body's seats here yet)."""
    await _tell_leaders(session, event, envelope, "vote_closed")


async def on_attendance_recorded(
    session: AsyncSession, event: g.AttendanceRecorded, envelope: Envelope
) -> None:
    absent = [a.organization_id for a in event.attendance if a.status is g.AttendanceStatus.ABSENT]
    contacts = []
    if absent:
        contacts = list(
            await session.scalars(
                sa.select(Member.contact_user_id).where(
                    Member.alliance_id == event.alliance_id,
                    Member.organization_id.in_(absent),
                    Member.active,
                    Member.contact_user_id.is_not(None),
                )
            )
        )
    notice = filing.Notice(
        kind="absences_recorded",
        recipients=[c for c in contacts if c],
        context={"d": event.model_dump()},
        subject_id=envelope.subject,
    )
    await _file(session, event, envelope, notice)
    # Each written proxy (书面委托): the person who held it, and the represented organisation's
    # contact person, are told it was counted.
    for proxy in (a for a in event.attendance if a.status is g.AttendanceStatus.PROXY):
        represented = await session.scalar(
            sa.select(Member.contact_user_id).where(
                Member.alliance_id == event.alliance_id,
                Member.organization_id == proxy.organization_id,
                Member.active,
            )
        )
        people = sorted({p for p in (proxy.proxy_holder_user_id, represented) if p})
        await filing.file(
            session,
            alliance_id=event.alliance_id,
            # one notice per proxy (the inbox keeps one per person and event), stable across
            # redeliveries
            event_id=uuid.uuid5(envelope.id, f"proxy:{proxy.organization_id}"),
            event_type=envelope.type,
            notices=[
                filing.Notice(
                    kind="proxy_recorded",
                    recipients=people,
                    context={"d": event.model_dump(), "proxy": proxy.model_dump()},
                    subject_id=envelope.subject,
                )
            ],
        )


async def on_budget_created(
    session: AsyncSession, event: f.BudgetCreated, envelope: Envelope
) -> None:
    await _tell_leaders(session, event, envelope, "budget_drafted")


async def on_matter_submitted(
    session: AsyncSession, event: f.MatterSubmitted, envelope: Envelope
) -> None:
    await _tell_leaders(session, event, envelope, "matter_submitted")


# --- meetings, and the finance events that landed with their contracts ------------------


async def on_meeting_convened(
    session: AsyncSession, event: g.MeetingConvened, envelope: Envelope
) -> None:
    """A meeting convened, with its agenda, place or link, and the voting deadline of a
    correspondence vote; the email carries the meeting's .ics invitation (UID = meeting id).
    Recipients: the holders of the body's seats (``attendees``, as governance knew them when it
    convened the meeting), the officers and the secretariat."""
    summary = event.title
    notice = filing.Notice(
        kind="meeting_convened",
        recipients=sorted({*event.attendees, *await _leaders(session, envelope)}),
        context={"d": event.model_dump()},
        subject_id=envelope.subject,
        invitation=Invitation(
            uid=str(event.meeting_id),
            summary=summary,
            starts_at=event.starts_at,
            ends_at=event.starts_at + timedelta(hours=2),
            location=event.place or event.link or "",
            description=event.convened_as,
        ),
    )
    await _file(session, event, envelope, notice)


async def on_meeting_minimum_missed(
    session: AsyncSession, event: g.MeetingMinimumMissed, envelope: Envelope
) -> None:
    await _tell_leaders(session, event, envelope, "meeting_minimum_missed")


FINANCE_KINDS: dict[type[f.Event], str] = {
    f.BudgetDecided: "budget_decided",
    f.FinalAccountsDecided: "final_accounts_decided",
    f.AuditorDecided: "auditor_decided",
    f.AuditReported: "audit_reported",
}


async def on_budget_decided(
    session: AsyncSession,
    event: f.BudgetDecided | f.FinalAccountsDecided | f.AuditorDecided | f.AuditReported,
    envelope: Envelope,
) -> None:
    """A finance decision or the audit report: to the officers and the secretariat; a working
    group's budget also to the group's leader and co-leaders and its preparer (AITISA
    Art.12(1)), whom finance names in the event; the audit report also to everyone who sits on
    the bodies it is reported to (China-ASEAN Art.27: 并报理事会审查, each council member)."""
    people = await _leaders(session, envelope)
    if isinstance(event, f.BudgetDecided):
        people = sorted({*people, *event.recipients})
    if isinstance(event, f.AuditReported):
        members = await filing.seat_holders(session, event.alliance_id, event.reported_to)
        people = sorted({*people, *members})
    await _file(
        session, event, envelope, _notice(FINANCE_KINDS[type(event)], people, event, envelope)
    )


async def on_budget_returned(
    session: AsyncSession, event: f.BudgetReturned, envelope: Envelope
) -> None:
    """The secretariat's preliminary review returned a working group's budget, with its
    reasons (AITISA Art.12(1)): to the group's leader and co-leaders and its preparer."""
    await _file(
        session, event, envelope, _notice("budget_returned", event.recipients, event, envelope)
    )


async def on_invoice(
    session: AsyncSession, event: f.InvoiceIssued | f.InvoiceOverdue, envelope: Envelope
) -> None:
    """An invoice issued or overdue: to the contact person of the membership it is for."""
    contact = await session.scalar(
        sa.select(Member.contact_user_id).where(Member.membership_id == event.membership_id)
    )
    notice = filing.Notice(
        kind="invoice_overdue" if isinstance(event, f.InvoiceOverdue) else "invoice_issued",
        recipients=[contact] if contact else [],
        context={"d": event.model_dump()},
        subject_id=envelope.subject,
    )
    await _file(session, event, envelope, notice)

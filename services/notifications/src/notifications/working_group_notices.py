"""Notices of AITISA's working groups (governance's ``governance.working_group.*`` events).

Governance names the people each event is for (``recipients``: the initiators' contacts, the
group's leader, all its members); the secretariat and the officers are added here where the
rules give them the next step:

- ``applied``: the secretariat, who answers in writing within 10 working days (Art.4(2));
- ``application_answered``: the initiators, with the reasons if it does not go on (Art.4(2));
- ``decided``: the initiators when approved; the secretariat when rejected, who tells the
  initiators within 10 days (Art.4(3)); ``rejection_notified``: the initiators, with reasons;
- ``absence_reminder``: the group leader, who must remind the member (Art.7(6));
- ``member_left``: all members (Art.7(6): 由组长通告全体推进组成员), mandatory;
- ``member_joined``, ``post_filled``: the member concerned and the group;
- ``dissolution_moved``, ``dissolution_objected``: the officers (the chair's office meeting)
  and the secretariat; ``dissolution_notified``: all members, mandatory (a right to object
  within 10 days, Art.6); ``dissolved``, ``renamed`` (Art.5), ``rules_approved`` (Art.14):
  all members; ``review_declined``: all members (the secretariat's review did not send a
  renaming, Art.5, or the members' dissolution, Art.6, on, with the reasons);
- ``evaluated``: all members, the officers and the secretariat (published, Art.11);
- ``meetings_missed``: its leaders and the secretariat (Art.10(1), a ground of Art.6).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Event
from contracts import governance as g
from notifications import filing
from servicekit.events import Envelope

KIND: dict[type[g.WorkingGroupEvent], str] = {
    g.WorkingGroupApplied: "working_group_applied",
    g.WorkingGroupApplicationAnswered: "working_group_answered",
    g.WorkingGroupDecided: "working_group_decided",
    g.WorkingGroupRejectionNotified: "working_group_rejection_notified",
    g.WorkingGroupMemberJoined: "working_group_member_joined",
    g.WorkingGroupMemberLeft: "working_group_member_left",
    g.WorkingGroupAbsenceReminder: "working_group_absence_reminder",
    g.WorkingGroupPostFilled: "working_group_post_filled",
    g.WorkingGroupDissolutionMoved: "working_group_dissolution_moved",
    g.WorkingGroupDissolutionNotified: "working_group_dissolution_notified",
    g.WorkingGroupDissolutionObjected: "working_group_dissolution_objected",
    g.WorkingGroupDissolved: "working_group_dissolved",
    g.WorkingGroupRenamed: "working_group_renamed",
    g.WorkingGroupReviewDeclined: "working_group_review_declined",
    g.WorkingGroupRulesApproved: "working_group_rules_approved",
    g.WorkingGroupEvaluated: "working_group_evaluated",
    g.WorkingGroupMeetingsMissed: "working_group_meetings_missed",
}

TO_SECRETARIAT = (g.WorkingGroupApplied, g.WorkingGroupMeetingsMissed)
TO_CHAIRS_OFFICE = (
    g.WorkingGroupDissolutionMoved,
    g.WorkingGroupDissolutionObjected,
    g.WorkingGroupEvaluated,
)


async def on_event(session: AsyncSession, event: g.WorkingGroupEvent, envelope: Envelope) -> None:
    recipients = set(event.recipients)
    if isinstance(event, TO_SECRETARIAT) or (
        isinstance(event, g.WorkingGroupDecided) and not event.approved
    ):
        recipients |= set(await filing.secretariat(session, event.alliance_id))
    if isinstance(event, TO_CHAIRS_OFFICE):
        recipients |= set(await filing.officers(session, event.alliance_id))
        recipients |= set(await filing.secretariat(session, event.alliance_id))
    await filing.file(
        session,
        alliance_id=event.alliance_id,
        event_id=envelope.id,
        event_type=envelope.type,
        notices=[
            filing.Notice(
                kind=KIND[type(event)],
                recipients=sorted(recipients),
                context={"d": event.model_dump()},
                subject_id=envelope.subject,
            )
        ],
    )


HANDLERS: dict[type[Event], Callable[[AsyncSession, Any, Envelope], Awaitable[None]]] = (
    dict.fromkeys(KIND, on_event)
)
"""For the ``notifications-governance`` consumer."""

"""A sample of each working-group event, as governance publishes it (for the templates)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from contracts import governance as g

GROUP: dict[str, Any] = {
    "alliance_id": uuid.uuid4(),
    "group_id": uuid.uuid4(),
    "group_name_zh": "智能语音推进组",
    "group_name_en": "Speech working group",
    "recipients": ["contact-1"],
    "rule": "AITISA Art.7(6)",
}
SEAT: dict[str, Any] = {
    "seat_id": uuid.uuid4(),
    "organization_id": uuid.uuid4(),
    "organization_name": "星海科技有限公司",
}

SAMPLES: dict[str, g.WorkingGroupEvent] = {
    "working_group_applied": g.WorkingGroupApplied(
        **GROUP,
        lead_organization_id=uuid.uuid4(),
        initiators=[uuid.uuid4() for _ in range(5)],
        filed_on=date(2026, 9, 28),
    ),
    "working_group_answered": g.WorkingGroupApplicationAnswered(
        **GROUP, forwarded=False, reasons="与现有推进组业务重叠", answered_on=date(2026, 10, 12)
    ),
    "working_group_decided": g.WorkingGroupDecided(
        **GROUP, approved=True, motion_id=uuid.uuid4(), decided_on=date(2026, 11, 2)
    ),
    "working_group_rejection_notified": g.WorkingGroupRejectionNotified(
        **GROUP, reasons="领域已被涵盖", notified_on=date(2026, 11, 9)
    ),
    "working_group_member_joined": g.WorkingGroupMemberJoined(**GROUP, **SEAT, members=6),
    "working_group_member_left": g.WorkingGroupMemberLeft(
        **GROUP,
        **SEAT,
        reason=g.WorkingGroupLeaving.ABSENCES,
        absences=3,
        members=4,
        minimum=5,
        below_minimum=True,
    ),
    "working_group_absence_reminder": g.WorkingGroupAbsenceReminder(
        **GROUP, **SEAT, member_user_id="member-1", absences=2
    ),
    "working_group_post_filled": g.WorkingGroupPostFilled(
        **GROUP, **SEAT, user_id="leader-1", name="王组长", post="group_leader"
    ),
    "working_group_dissolution_moved": g.WorkingGroupDissolutionMoved(
        **GROUP,
        route="secretary_general",
        ground="inactive",
        reasons="未开展必要工作",
        motion_id=uuid.uuid4(),
        moved_on=date(2026, 12, 1),
    ),
    "working_group_dissolution_notified": g.WorkingGroupDissolutionNotified(
        **GROUP,
        ground="inactive",
        reasons="未开展必要工作",
        notified_on=date(2026, 12, 3),
        objection_due_on=date(2026, 12, 13),
    ),
    "working_group_dissolution_objected": g.WorkingGroupDissolutionObjected(
        **GROUP, objection="已开展工作", objected_on=date(2026, 12, 10)
    ),
    "working_group_renamed": g.WorkingGroupRenamed(
        **GROUP,
        former_name_zh="语音推进组",
        former_name_en="Voice working group",
        motion_id=uuid.uuid4(),
        renamed_on=date(2026, 12, 20),
    ),
    "working_group_review_declined": g.WorkingGroupReviewDeclined(
        **GROUP,
        matter="working_group_rename",
        motion_id=uuid.uuid4(),
        reasons="新名称与现有推进组重叠",
        reviewed_on=date(2026, 12, 20),
    ),
    "working_group_rules_approved": g.WorkingGroupRulesApproved(
        **GROUP, motion_id=uuid.uuid4(), approved_on=date(2026, 12, 20)
    ),
    "working_group_evaluated": g.WorkingGroupEvaluated(
        **GROUP,
        evaluation_id=uuid.uuid4(),
        year=2026,
        result=g.WorkingGroupEvaluationResult.WARNING,
        findings="活动不足",
        corrective_actions="每年至少召开两次工作会议",
        motion_id=uuid.uuid4(),
        approved_on=date(2027, 1, 20),
    ),
    "working_group_meetings_missed": g.WorkingGroupMeetingsMissed(
        **GROUP, year=2026, held=1, minimum=2
    ),
    "working_group_dissolved": g.WorkingGroupDissolved(
        **GROUP, route="members", motion_id=uuid.uuid4(), dissolved_on=date(2026, 12, 20)
    ),
}

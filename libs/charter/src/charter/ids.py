"""The identifiers of the glossary (GLOSSARY.md), with their Chinese and English labels.

They are the values used in charter files, events and the API, so they live in one place and the
services import them from here instead of repeating strings.
"""

from __future__ import annotations

from enum import StrEnum


class TierId(StrEnum):
    """An organisation's membership tier (ordered by the charter, not by this enum)."""

    ORDINARY = "ordinary"
    DIRECTOR = "director"
    VICE_CHAIR = "vice_chair"
    CHAIR = "chair"


class RoleId(StrEnum):
    """A person's officer or seat role."""

    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SECRETARY_GENERAL = "secretary_general"
    DEPUTY_SECRETARY_GENERAL = "deputy_secretary_general"
    DIRECTOR = "director"
    GROUP_LEADER = "group_leader"
    GROUP_CO_LEADER = "group_co_leader"
    CONTACT_PERSON = "contact_person"


class BodyId(StrEnum):
    """A body of the alliance."""

    GENERAL_ASSEMBLY = "general_assembly"
    COUNCIL = "council"
    STANDING_COUNCIL = "standing_council"
    STEERING_COMMITTEE = "steering_committee"
    EXPERT_COMMITTEE = "expert_committee"
    SECRETARIAT = "secretariat"
    CHAIRS_OFFICE = "chairs_office"
    WORKING_GROUP = "working_group"


class PartyId(StrEnum):
    """Actors of a workflow step that are neither a body nor an officer role."""

    APPLICANT = "applicant"
    MEMBER = "member"
    INITIATORS = "initiators"
    GROUP_MEMBERS = "group_members"
    LEAD_ORGANISATION = "lead_organisation"
    ACCOUNTING_FIRM = "accounting_firm"
    HOST_FINANCE_DEPARTMENT = "host_finance_department"


class MatterKind(StrEnum):
    """A kind of matter a body decides."""

    ORDINARY_RESOLUTION = "ordinary_resolution"
    ADMISSION = "admission"
    EXPULSION = "expulsion"
    WITHDRAWAL = "withdrawal"
    TIER_CHANGE = "tier_change"
    CHARTER_AMENDMENT = "charter_amendment"
    DISSOLUTION = "dissolution"
    BUDGET_APPROVAL = "budget_approval"
    FINAL_ACCOUNTS_APPROVAL = "final_accounts_approval"
    AUDITOR_CONFIRMATION = "auditor_confirmation"
    OFFICER_ELECTION = "officer_election"
    WORKING_GROUP_CREATION = "working_group_creation"
    WORKING_GROUP_RENAME = "working_group_rename"
    WORKING_GROUP_DISSOLUTION = "working_group_dissolution"
    WORKING_GROUP_RULES = "working_group_rules"
    WORKING_GROUP_EVALUATION = "working_group_evaluation"


class Base(StrEnum):
    """What a fraction is taken of."""

    ALL_SEATS = "all_seats"
    PRESENT = "present"
    VOTES_CAST = "votes_cast"


class Comparison(StrEnum):
    """Inclusive "以上" (at least) or strict "超过"/"过半数" (more than)."""

    AT_LEAST = "at_least"
    MORE_THAN = "more_than"


class MeetingMode(StrEnum):
    IN_PERSON = "in_person"
    CORRESPONDENCE = "correspondence"


class DeadlineUnit(StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_QUORATE = "not_quorate"


BODY_LABELS: dict[BodyId, tuple[str, str]] = {
    BodyId.GENERAL_ASSEMBLY: ("会员大会", "general assembly"),
    BodyId.COUNCIL: ("理事会", "council"),
    BodyId.STANDING_COUNCIL: ("常务理事会", "standing council"),
    BodyId.STEERING_COMMITTEE: ("指导委员会", "steering committee"),
    BodyId.EXPERT_COMMITTEE: ("专家委员会", "expert committee"),
    BodyId.SECRETARIAT: ("秘书处", "secretariat"),
    BodyId.CHAIRS_OFFICE: ("理事长办公会", "chair's office meeting"),
    BodyId.WORKING_GROUP: ("推进组", "working group"),
}

TIER_LABELS: dict[TierId, tuple[str, str]] = {
    TierId.ORDINARY: ("普通会员单位", "ordinary member"),
    TierId.DIRECTOR: ("理事单位", "director member"),
    TierId.VICE_CHAIR: ("副理事长单位", "vice-chair member"),
    TierId.CHAIR: ("理事长单位", "chair member"),
}

MATTER_LABELS: dict[MatterKind, tuple[str, str]] = {
    MatterKind.ORDINARY_RESOLUTION: ("一般决议", "ordinary resolution"),
    MatterKind.ADMISSION: ("吸收会员", "admission"),
    MatterKind.EXPULSION: ("除名", "expulsion"),
    MatterKind.WITHDRAWAL: ("退出", "withdrawal"),
    MatterKind.TIER_CHANGE: ("会员级别变更", "tier change"),
    MatterKind.CHARTER_AMENDMENT: ("章程修改", "charter amendment"),
    MatterKind.DISSOLUTION: ("终止", "dissolution"),
    MatterKind.BUDGET_APPROVAL: ("预算审批", "budget approval"),
    MatterKind.FINAL_ACCOUNTS_APPROVAL: ("决算审批", "final accounts approval"),
    MatterKind.AUDITOR_CONFIRMATION: ("确认会计师事务所", "auditor confirmation"),
    MatterKind.OFFICER_ELECTION: ("选举负责人", "officer election"),
    MatterKind.WORKING_GROUP_CREATION: ("设立推进组", "working group creation"),
    MatterKind.WORKING_GROUP_RENAME: ("推进组更名", "working group rename"),
    MatterKind.WORKING_GROUP_DISSOLUTION: ("撤销推进组", "working group dissolution"),
    MatterKind.WORKING_GROUP_RULES: ("推进组活动细则", "working group rules"),
    MatterKind.WORKING_GROUP_EVALUATION: ("推进组评估", "working group evaluation"),
}

BASE_LABELS: dict[Base, tuple[str, str]] = {
    Base.ALL_SEATS: ("全体成员", "all seats"),
    Base.PRESENT: ("到会者", "present"),
    Base.VOTES_CAST: ("有效票", "votes cast"),
}

OUTCOME_LABELS: dict[Outcome, tuple[str, str]] = {
    Outcome.PASSED: ("通过", "passed"),
    Outcome.FAILED: ("未通过", "failed"),
    Outcome.NOT_QUORATE: ("未达到法定人数", "not quorate"),
}

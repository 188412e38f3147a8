"""The permission matrix: every root field of the supergraph × every kind of caller, from ONE
table (``MATRIX``), through the real gateway to the real services.

How to add a field (other helpers: do this when you add a query or mutation):

1. Add an entry to ``MATRIX`` under its coordinate (``"Query.meetings"``,
   ``"Mutation.castBallot"``): the document to run, the ``setup`` that makes what it acts on
   (a function of :class:`World` returning its variables: make a fresh object; it is called
   once for every caller expected to succeed and once for those to be refused) and the
   expected outcome for each caller in ``CALLERS``: ``OK`` (answered, no error), ``NONE``
   (answered, nothing of the alliance's in it: null, an empty list, a zero total,
   ``allowed: false``) or ``REFUSED`` (an error with a permission code: ``FORBIDDEN``,
   ``NOT_FOUND``, ``NOT_CONTACT_PERSON``, ``APPLICATION_NOT_ACCEPTED``). ``row(...)`` fills
   the caller columns in order.
2. Run ``pytest tests/e2e/test_permissions.py``. A root field of the supergraph without an
   entry fails ``test_every_root_field_has_an_entry``, so nothing ships unlisted; a caller
   column left out fails too.

The callers (``CALLERS``), all about the alliance ``aii``: the platform operator; aii's
secretariat; an officer (chair); a director (a council seat); the contact person of the
organisation the case is about; the contact person of another organisation; another
alliance's (aitisa's) secretariat; a signed-in person with no role. Fields of object types
answer with their parent: what a caller may read of an ``Application`` is decided where the
application is reached, which these root fields cover (``_entities`` is covered by
``tests/e2e/test_platform.py``).
"""

from __future__ import annotations

import itertools
import queue
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import build_schema

from devkit.local.platform import Platform
from devkit.testing.calendars import made_up_schedule_text
from tests.e2e.alliances import ChinaAsean
from tests.e2e.client import (
    CREATE,
    DECIDE,
    FORWARD,
    SUBMIT,
    Caller,
    application,
    approve,
    decision,
    ensure_alliances,
    operator,
    staff,
    until,
)
from tests.support.gateway import GATEWAY_DIR

OK, NONE, REFUSED = "ok", "none", "refused"
# Only for rows that probe what nobody can reach (an id of nothing, an alliance that does not
# exist): NONE, or any typed refusal. Weaker than a real row: replace it with one.
ABSENT = "absent"
FISCAL_YEARS = itertools.count(2041)
SCHEDULE_VERSIONS = itertools.count(1)
"""(a made-up Singapore 2090 schedule, a new version per load: no other test counts on it)"""
CALLERS = (
    "operator",
    "secretariat",
    "officer",
    "director",
    "contact",
    "other_contact",
    "other_staff",
    "no_role",
)
PERMISSION_CODES = {"FORBIDDEN", "NOT_FOUND", "NOT_CONTACT_PERSON", "APPLICATION_NOT_ACCEPTED"}


def absent_for_all() -> dict[str, str]:
    return dict.fromkeys(CALLERS, ABSENT)


def row(*outcomes: str) -> dict[str, str]:
    assert len(outcomes) == len(CALLERS), outcomes
    return dict(zip(CALLERS, outcomes, strict=True))


@dataclass
class World:
    """What the cases act on, in aii (and aitisa for another alliance's staff)."""

    platform: Platform
    contact_sub: str = field(default_factory=lambda: f"matrix-contact-{uuid.uuid4().hex[:6]}")
    other_sub: str = field(default_factory=lambda: f"matrix-other-{uuid.uuid4().hex[:6]}")
    shared: dict[str, Any] = field(default_factory=dict)

    def caller(self, kind: str) -> Caller:
        """A caller of ``kind``. All but the two contact persons get a new ``sub`` each time,
        so what one case made for them (an application, a notice) is not another's data."""
        p = self.platform
        fresh = uuid.uuid4().hex[:8]
        return {
            "operator": lambda: Caller(p, f"matrix-op-{fresh}", operator=True),
            "secretariat": lambda: Caller(
                p, f"matrix-sec-{fresh}", alliances={"aii": ["secretariat"]}
            ),
            "officer": lambda: Caller(p, f"matrix-chair-{fresh}", alliances={"aii": ["chair"]}),
            "director": lambda: Caller(
                p, f"matrix-director-{fresh}", alliances={"aii": ["director"]}
            ),
            "contact": lambda: Caller(p, self.contact_sub, alliances={"aii": ["contact_person"]}),
            "other_contact": lambda: Caller(
                p, self.other_sub, alliances={"aii": ["contact_person"]}
            ),
            "other_staff": lambda: Caller(
                p, f"matrix-aitisa-{fresh}", alliances={"aitisa": ["secretariat"]}
            ),
            "no_role": lambda: Caller(p, f"matrix-nobody-{fresh}"),
        }[kind]()

    # --- things to act on --------------------------------------------------------------

    def submitted(self) -> str:
        contact = self.caller("contact")
        return str(
            contact.data(SUBMIT, application("aii", "矩阵测试有限公司"))["submitApplication"]["id"]
        )

    def forwarded(self) -> str:
        app = self.submitted()
        staff(self.platform, "aii").data(FORWARD, {"id": app})
        return app

    def returned(self) -> str:
        app = self.submitted()
        staff(self.platform, "aii").data(
            'mutation($id: ID!) { returnApplication(id: $id, reasons: "请补正") { id } }',
            {"id": app},
        )
        return app

    def member(self) -> str:
        app = self.forwarded()
        decided = staff(self.platform, "aii").data(
            DECIDE, {"id": app, "d": decision("STANDING_COUNCIL")}
        )
        return str(decided["recordDecision"]["membership"]["id"])

    def shared_member(self) -> str:
        if "member" not in self.shared:
            self.shared["member"] = self.member()
        return str(self.shared["member"])

    def organization(self) -> str:
        found = self.caller("operator").data(
            "query($id: ID!) { membership(id: $id) { organization { id } } }",
            {"id": self.shared_member()},
        )
        return str(found["membership"]["organization"]["id"])

    def budget(self) -> str:
        if "budget" not in self.shared:
            made = staff(self.platform, "aii").data(
                'mutation { createBudget(alliance: "aii", fiscalYear: 2040) { id } }'
            )
            self.shared["budget"] = made["createBudget"]["id"]
        return str(self.shared["budget"])

    def body(self) -> str:
        found = staff(self.platform, "aii").data('{ alliance(slug: "aii") { bodies { id } } }')
        return str(found["alliance"]["bodies"][0]["id"])

    def notification(self) -> str:
        self.shared_member()  # its approval is notified to the contact person
        import time

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = self.caller("contact").data("{ myNotifications { edges { node { id } } } }")
            edges = found["myNotifications"]["edges"]
            if edges:
                return str(edges[0]["node"]["id"])
            time.sleep(0.1)
        raise AssertionError("no notification reached the contact person")


Setup = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    document: str
    expected: dict[str, str]
    setup: Setup = lambda w: {}


def _new_org_application(w: World) -> dict[str, Any]:
    return application("aii", f"矩阵申请 {uuid.uuid4().hex[:6]}")


def _log(service: str) -> Entry:
    return Entry(
        f'{{ {service}AuditLog(alliance: "aii") {{ pageInfo {{ hasNextPage }} }} }}',
        row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
    )


# The one table. Columns: operator, secretariat, officer, director, contact, other_contact,
# other_staff, no_role.
MATRIX: dict[str, Entry] = {
    # --- queries ---------------------------------------------------------------------------
    # (another alliance's staff see their own alliance in the list, not aii)
    # (the contact person's organisation is a member: it sees its alliance, run alone too)
    "Query.alliances": Entry(
        "{ alliances { slug } }",
        row(OK, OK, OK, OK, OK, OK, OK, NONE),
        lambda w: {"_": w.shared_member()},
    ),
    "Query.alliance": Entry(
        '{ alliance(slug: "aii") { slug } }', row(OK, OK, OK, OK, OK, OK, NONE, NONE)
    ),
    "Query.application": Entry(
        "query($id: ID!) { application(id: $id) { id } }",
        row(OK, OK, OK, OK, OK, NONE, NONE, NONE),
        lambda w: {"id": w.submitted()},
    ),
    "Query.membership": Entry(
        "query($id: ID!) { membership(id: $id) { id } }",
        row(OK, OK, OK, OK, OK, NONE, NONE, NONE),
        lambda w: {"id": w.shared_member()},
    ),
    "Query.organization": Entry(
        "query($id: ID!) { organization(id: $id) { id } }",
        row(OK, OK, OK, OK, OK, OK, OK, OK),
        lambda w: {"id": w.organization()},
    ),
    "Query.myApplications": Entry(
        "{ myApplications { id } }",
        row(NONE, NONE, NONE, NONE, OK, OK, NONE, NONE),
        lambda w: {"_": w.submitted()},
    ),
    "Query.myMemberships": Entry(
        "{ myMemberships { id } }",
        row(NONE, NONE, NONE, NONE, OK, NONE, NONE, NONE),
        lambda w: {"_": w.shared_member()},
    ),
    "Query.rightCheck": Entry(
        'query($o: ID!) { rightCheck(alliance: "aii", organizationId: $o, '
        'right: "nominate_director") '
        "{ allowed } }",
        row(OK, OK, OK, OK, OK, NONE, REFUSED, REFUSED),
        lambda w: {"o": w.organization()},
    ),
    "Query.myNotifications": Entry(
        "{ myNotifications { totalCount } }",
        row(NONE, NONE, NONE, NONE, OK, OK, NONE, NONE),
        lambda w: {"_": w.notification()},
    ),
    "Query.budget": Entry(
        "query($id: ID!) { budget(id: $id) { id } }",
        row(OK, OK, OK, OK, NONE, NONE, NONE, NONE),
        lambda w: {"id": w.budget()},
    ),
    "Query.body": Entry(
        "query($id: ID!) { body(id: $id) { id } }",
        row(OK, OK, OK, OK, NONE, NONE, NONE, NONE),
        lambda w: {"id": w.body()},
    ),
    # the figures of every alliance the caller is staff of (another alliance's staff: theirs)
    "Query.membershipFigures": Entry(
        '{ membershipFigures(since: "2026-01-01", until: "2026-12-31") { members } }',
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, OK, REFUSED),
    ),
    "Query.governanceFigures": Entry(
        '{ governanceFigures(since: "2026-01-01", until: "2026-12-31") { meetingsHeld } }',
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, OK, REFUSED),
    ),
    "Query.financeFigures": Entry(
        '{ financeFigures(since: "2026-01-01", until: "2026-12-31") { fees { invoices } } }',
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, OK, REFUSED),
    ),
    "Query.budgetFigures": Entry(
        "{ budgetFigures(fiscalYear: 2026) { fiscalYear lines { code } } }",
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, OK, REFUSED),
    ),
    "Query.membershipAuditLog": _log("membership"),
    "Query.governanceAuditLog": _log("governance"),
    "Query.financeAuditLog": _log("finance"),
    "Query.notificationsAuditLog": _log("notifications"),
    # --- mutations -------------------------------------------------------------------------
    "Query.calendarSchedules": Entry(
        "{ calendarSchedules { country year version } }", row(*[OK] * 8)
    ),
    "Query.dueDate": Entry(
        '{ dueDate(calendar: "CN", startOn: "2026-12-20", n: 10, unit: WORKING_DAYS) { dueOn } }',
        row(*[OK] * 8),
    ),
    "Mutation.loadCalendarSchedule": Entry(
        "mutation($s: String!) { loadCalendarSchedule(schedule: $s) { id } }",
        row(OK, *[REFUSED] * 7),
        lambda w: {"s": made_up_schedule_text(2090, country="SG", version=next(SCHEDULE_VERSIONS))},
    ),
    "Mutation.createAlliance": Entry(
        "mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id } }",
        row(OK, *[REFUSED] * 7),
        lambda w: {
            "i": {
                "slug": f"m{uuid.uuid4().hex[:8]}",
                "nameZh": "矩阵联盟",
                "template": "aii",
            }
        },
    ),
    # (on an alliance of its own, so that no other test meets an amended aii charter; the
    # operator alone amends any)
    "Mutation.amendCharter": Entry(
        "mutation($a: String!, $c: [CharterChangeInput!]!) { amendCharter(alliance: $a, "
        'changes: $c, note: "矩阵") { id } }',
        row(OK, *[REFUSED] * 7),
        lambda w: {
            "a": _new_alliance(w),
            "c": [
                {"path": "bodies.council.rules.ordinary_resolution.pass.fraction", "value": "3/4"}
            ],
        },
    ),
    # the books' keepers (the charter's finance.managers: aii's secretariat; see KEEPERS)
    "Mutation.createBudget": Entry(
        'mutation($y: Int!) { createBudget(alliance: "aii", fiscalYear: $y) { id } }',
        row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"y": next(FISCAL_YEARS)},
    ),
    "Mutation.assignRole": Entry(
        "mutation($i: AssignRoleInput!) { assignRole(input: $i) { userId } }",
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {
            "i": {
                "alliance": "aii",
                "userId": f"u-{uuid.uuid4().hex[:6]}",
                "name": "矩阵",
                "role": "director",
            }
        },
    ),
    "Mutation.revokeRole": Entry(
        "mutation($id: ID!) { revokeRole(id: $id) { userId } }",
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": _assigned_role(w)},
    ),
    "Mutation.submitApplication": Entry(
        SUBMIT,
        row(OK, OK, OK, OK, OK, OK, OK, OK),
        _new_org_application,
    ),
    # AII: the member asks (its contact person), not the staff
    "Mutation.requestTierChange": Entry(
        "mutation($m: ID!) { requestTierChange(membershipId: $m, tier: CHAIR) { id } }",
        row(REFUSED, REFUSED, REFUSED, REFUSED, OK, REFUSED, REFUSED, REFUSED),
        lambda w: {"m": w.member()},
    ),
    "Mutation.requestWithdrawal": Entry(
        "mutation($m: ID!) { requestWithdrawal(membershipId: $m) { id } }",
        row(REFUSED, REFUSED, REFUSED, REFUSED, OK, REFUSED, REFUSED, REFUSED),
        lambda w: {"m": w.member()},
    ),
    "Mutation.proposeExpulsion": Entry(
        'mutation($m: ID!) { proposeExpulsion(membershipId: $m, grounds: "矩阵") { id } }',
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"m": w.member()},
    ),
    "Mutation.forwardApplication": Entry(
        FORWARD,
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": w.submitted()},
    ),
    "Mutation.returnApplication": Entry(
        'mutation($id: ID!) { returnApplication(id: $id, reasons: "补正") { id } }',
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": w.submitted()},
    ),
    "Mutation.resubmitApplication": Entry(
        "mutation($id: ID!) { resubmitApplication(id: $id) { id } }",
        row(REFUSED, REFUSED, REFUSED, REFUSED, OK, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": w.returned()},
    ),
    "Mutation.rejectApplication": Entry(
        'mutation($id: ID!) { rejectApplication(id: $id, reason: "不符") { id } }',
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": w.submitted()},
    ),
    "Mutation.recordDecision": Entry(
        DECIDE,
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": w.forwarded(), "d": decision("STANDING_COUNCIL")},
    ),
    "Mutation.completeApplication": Entry(
        "mutation($id: ID!) { completeApplication(id: $id) { id } }",
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": _withdrawal(w)},
    ),
    "Mutation.changeContactPerson": Entry(
        "mutation($m: ID!, $c: ContactPersonInput!) { changeContactPerson(membershipId: $m, "
        "contact: $c) { id } }",
        row(OK, OK, OK, REFUSED, OK, REFUSED, REFUSED, REFUSED),
        lambda w: {
            "m": w.member(),
            "c": {"userId": w.contact_sub, "name": "陈静", "email": "chen.jing@example.cn"},
        },
    ),
    "Mutation.recordLicenceRevocation": Entry(
        'mutation($m: ID!) { recordLicenceRevocation(membershipId: $m, reference: "吊销决定") '
        "{ id } }",
        row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"m": w.member()},
    ),
    "Mutation.markNotificationRead": Entry(
        "mutation($id: ID!) { markNotificationRead(id: $id) { id } }",
        row(REFUSED, REFUSED, REFUSED, REFUSED, OK, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": w.notification()},
    ),
    # --- notifications: the caller's own notices and settings, the secretariat's channels --
    # Every signed-in caller answers for their own inbox and settings only (the rows are keyed
    # by the caller's id); nobody reads or changes another person's.
    "Query.notificationKinds": Entry(
        "{ notificationKinds { name mandatory } }", row(OK, OK, OK, OK, OK, OK, OK, OK)
    ),
    "Query.myNotificationSettings": Entry(
        '{ myNotificationSettings(alliance: "aii") { language } }',
        row(OK, OK, OK, OK, OK, OK, OK, OK),
    ),
    "Mutation.setMyNotificationSettings": Entry(
        'mutation { setMyNotificationSettings(alliance: "aii", language: "zh") { language } }',
        row(OK, OK, OK, OK, OK, OK, OK, OK),
    ),
    "Mutation.setNotificationPreference": Entry(
        'mutation { setNotificationPreference(alliance: "aii", kind: "application_received", '
        "channels: [INBOX]) { kind } }",
        row(OK, OK, OK, OK, OK, OK, OK, OK),
    ),
    "Mutation.markAllNotificationsRead": Entry(
        'mutation { markAllNotificationsRead(alliance: "aii") }',
        row(OK, OK, OK, OK, OK, OK, OK, OK),
        lambda w: {"_": w.notification()},
    ),
    # The alliance's webhooks, delivery log and announcements: its secretariat (and the
    # operator); not its officers, members, another alliance's staff or anyone else.
    "Query.webhookEndpoints": Entry(
        '{ webhookEndpoints(alliance: "aii") { id } }',
        row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"_": _removed_webhook(w)},
    ),
    "Mutation.registerWebhookEndpoint": Entry(
        'mutation { registerWebhookEndpoint(alliance: "aii", url: "http://127.0.0.1:9/matrix") '
        "{ secret } }",
        row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
    ),
    "Mutation.removeWebhookEndpoint": Entry(
        'mutation($id: ID!) { removeWebhookEndpoint(alliance: "aii", id: $id) { id } }',
        row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"id": _webhook(w)},
    ),
    "Query.deliveryLog": Entry(
        '{ deliveryLog(alliance: "aii") { totalCount } }',
        row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"_": _announced_to_a_webhook(w)},
    ),
    "Mutation.announce": Entry(
        "mutation($i: AnnouncementInput!) { announce(input: $i) { recipients } }",
        row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
        lambda w: {"i": ANNOUNCEMENT},
    ),
}


# Governance: seats, meetings, motions and ballots of aii (AII Art.12, Art.20-24; the council's
# meetings are convened by the secretariat, Art.23; its seats belong to members of council tier,
# held by their contact person until a representative is named).
def _body_id(w: World, kind: str) -> str:
    found = staff(w.platform, "aii").data('{ alliance(slug: "aii") { bodies { id kind } } }')
    return next(str(b["id"]) for b in found["alliance"]["bodies"] if b["kind"] == kind)


def _council_seat(w: World) -> str:
    """The council seat of a new director-tier member (its contact person sits), once governance
    has learnt of the admission."""
    import time

    membership = w.member()
    org = w.caller("operator").data(
        "query($id: ID!) { membership(id: $id) { organization { id } } }", {"id": membership}
    )["membership"]["organization"]["id"]
    council = _body_id(w, "COUNCIL")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = staff(w.platform, "aii").data(
            "query($id: ID!) { body(id: $id) { seats { id organizationId } } }", {"id": council}
        )
        for seat in found["body"]["seats"]:
            if seat["organizationId"] == org:
                return str(seat["id"])
        time.sleep(0.2)
    raise AssertionError("governance never seated the new council member")


def _expert(w: World, user: str | None = None) -> str:
    made = staff(w.platform, "aii").data(
        "mutation($i: AppointInput!) { appointToBody(input: $i) { id } }",
        {"i": _appointment(w, user)},
    )
    return str(made["appointToBody"]["id"])


def _appointment(w: World, user: str | None = None) -> dict[str, Any]:
    return {
        "alliance": "aii",
        "body": "EXPERT_COMMITTEE",
        "userId": user or f"expert-{uuid.uuid4().hex[:6]}",
        "name": "矩阵专家",
        "role": "member",
        "termStartsOn": "2026-01-01",
        "reason": "理事会聘任 (AII Art.21)",
    }


def _motion(w: World) -> str:
    made = staff(w.platform, "aii").data(
        "mutation($i: ProposeMotionInput!) { proposeMotion(input: $i) { id } }",
        {"i": _motion_input()},
    )
    return str(made["proposeMotion"]["id"])


def _motion_input() -> dict[str, Any]:
    return {
        "alliance": "aii",
        "body": "COUNCIL",
        "matter": "ORDINARY_RESOLUTION",
        "title": f"矩阵议案 {uuid.uuid4().hex[:6]}",
    }


def _convening(agenda: list[str] | None = None) -> dict[str, Any]:
    return {
        "alliance": "aii",
        "body": "COUNCIL",
        "title": f"矩阵理事会 {uuid.uuid4().hex[:6]}",
        "mode": "IN_PERSON",
        "startsAt": "2027-01-01T09:00:00+08:00",
        "place": "北京",
        "agenda": agenda or [],
    }


def _meeting(w: World, agenda: list[str] | None = None) -> str:
    made = staff(w.platform, "aii").data(
        "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
        {"i": _convening(agenda)},
    )
    return str(made["conveneMeeting"]["id"])


def _motion_at_meeting(w: World) -> dict[str, Any]:
    motion = _motion(w)
    return {"motion": motion, "meeting": _meeting(w, [motion])}


def _open_vote(w: World, present: str | None = None) -> str:
    """A council vote opened at a meeting in person (where only the seats recorded present
    vote: ``present`` is one)."""
    at = _motion_at_meeting(w)
    if present is not None:
        staff(w.platform, "aii").data(
            "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
            "entries: $e) { id } }",
            {"g": at["meeting"], "e": [{"seat": present, "status": "PRESENT"}]},
        )
    made = staff(w.platform, "aii").data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": at["motion"], "g": at["meeting"]},
    )
    return str(made["openVote"]["id"])


def _ballot(w: World) -> dict[str, Any]:
    seat = _council_seat(w)
    return {"stage": _open_vote(w, present=seat), "seat": seat}


def _my_seat(w: World) -> dict[str, Any]:
    if "expert_contact" not in w.shared:
        w.shared["expert_contact"] = _expert(w, w.contact_sub)
    return {"_": w.shared["expert_contact"]}


STAFF_WRITE = row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED)
ALLIANCE_READ = row(OK, OK, OK, OK, NONE, NONE, NONE, NONE)
MATRIX.update(
    {
        # who may read the vote (Query.motion) may follow its turnout; the others: NOT_FOUND
        "Subscription.voteTurnout": Entry(
            "subscription($s: ID!) { voteTurnout(stage: $s) { status turnout { ballots } } }",
            row(OK, OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED),
            lambda w: {"s": _open_vote(w)},
        ),
        # who may read the meeting (Query.meeting) may follow its quorum; the others: NOT_FOUND
        "Subscription.meetingQuorum": Entry(
            "subscription($g: ID!) { meetingQuorum(meeting: $g) { attendanceClosed } }",
            row(OK, OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED),
            lambda w: {"g": _meeting(w)},
        ),
        # everyone may listen, and hears only their own new notices: nothing here, where no
        # notice is filed for them (tests/e2e/test_subscriptions.py: one is, and only its
        # recipient hears of it)
        "Subscription.notificationAdded": Entry(
            "subscription { notificationAdded { id } }",
            row(NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE),
        ),
        "Query.meeting": Entry(
            "query($id: ID!) { meeting(id: $id) { id } }",
            ALLIANCE_READ,
            lambda w: {"id": _meeting(w)},
        ),
        "Query.motion": Entry(
            "query($id: ID!) { motion(id: $id) { id } }",
            ALLIANCE_READ,
            lambda w: {"id": _motion(w)},
        ),
        "Query.seat": Entry(
            "query($id: ID!) { seat(id: $id) { id } }",
            ALLIANCE_READ,
            lambda w: {"id": _expert(w)},
        ),
        # a seat is its holder's to see (the contact person sits on the expert committee here)
        "Query.mySeats": Entry(
            "{ mySeats { id } }",
            row(NONE, NONE, NONE, NONE, OK, NONE, NONE, NONE),
            _my_seat,
        ),
        # the council's meetings are convened by the secretariat (AII Art.23), not its chair
        "Mutation.conveneMeeting": Entry(
            "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
            row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
            lambda w: {"i": _convening()},
        ),
        "Mutation.proposeMotion": Entry(
            "mutation($i: ProposeMotionInput!) { proposeMotion(input: $i) { id } }",
            STAFF_WRITE,
            lambda w: {"i": _motion_input()},
        ),
        "Mutation.recordAttendance": Entry(
            "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
            "entries: $e) { id } }",
            STAFF_WRITE,
            lambda w: {"g": _meeting(w), "e": []},
        ),
        "Mutation.closeAttendance": Entry(
            "mutation($g: ID!) { closeAttendance(meeting: $g) { id } }",
            STAFF_WRITE,
            lambda w: {"g": _meeting(w)},
        ),
        "Mutation.openVote": Entry(
            "mutation($motion: ID!, $meeting: ID!) { openVote(motion: $motion, "
            "meeting: $meeting) { id } }",
            STAFF_WRITE,
            _motion_at_meeting,
        ),
        "Mutation.closeVote": Entry(
            "mutation($s: ID!) { closeVote(stage: $s) { id } }",
            STAFF_WRITE,
            lambda w: {"s": _open_vote(w)},
        ),
        # only the seat's holder (or its proxy holder) votes: here the member's contact person
        "Mutation.castBallot": Entry(
            "mutation($stage: ID!, $seat: ID!) { castBallot(stage: $stage, seat: $seat, "
            "choice: YES) { receipt } }",
            row(REFUSED, REFUSED, REFUSED, REFUSED, OK, REFUSED, REFUSED, REFUSED),
            _ballot,
        ),
        # the organisation's contact person names its representative (AII Art.12), or the staff
        "Mutation.nameRepresentative": Entry(
            'mutation($s: ID!) { nameRepresentative(seat: $s, userId: "rep-1", name: "代表", '
            'reason: "矩阵") { id } }',
            row(OK, OK, OK, REFUSED, OK, REFUSED, REFUSED, REFUSED),
            lambda w: {"s": _council_seat(w)},
        ),
        "Mutation.appointToBody": Entry(
            "mutation($i: AppointInput!) { appointToBody(input: $i) { id } }",
            STAFF_WRITE,
            lambda w: {"i": _appointment(w)},
        ),
        "Mutation.vacateSeat": Entry(
            'mutation($s: ID!) { vacateSeat(seat: $s, reason: "任期届满") { id } }',
            STAFF_WRITE,
            lambda w: {"s": _expert(w)},
        ),
    }
)


# --- AITISA working groups (Art.4-7): another alliance's groups --------------------------------
# The groups are aitisa's (aii's charter has none): aii's callers are refused or see nothing,
# aitisa's secretariat (other_staff) acts; what needs the secretary-general, a group's leader
# or the chair's office is the operator's alone among these callers.

WG = "aitisa"


def _wg_members(w: World) -> list[dict[str, str]]:
    """Six aitisa members (organisation id, contact person), admitted once for the table."""
    if "wg_members" not in w.shared:
        found = []
        for i in range(6):
            sub = f"matrix-wg-{uuid.uuid4().hex[:6]}"
            contact = Caller(w.platform, sub, alliances={WG: ["contact_person"]})
            app = contact.data(SUBMIT, application(WG, f"矩阵推进组成员{i} {uuid.uuid4().hex[:4]}"))
            decided = approve(w.platform, WG, app["submitApplication"]["id"])
            org = w.caller("operator").data(
                "query($id: ID!) { membership(id: $id) { organization { id } } }",
                {"id": decided["membership"]["id"]},
            )["membership"]["organization"]["id"]
            found.append({"org": org, "contact": sub})
        w.shared["wg_members"] = found
    members: list[dict[str, str]] = w.shared["wg_members"]
    return members


def _wg_application(w: World) -> dict[str, Any]:
    members = _wg_members(w)[:5]
    return {
        "alliance": WG,
        "nameZh": f"矩阵推进组 {uuid.uuid4().hex[:6]}",
        "nameEn": "Matrix working group",
        "kind": "domain",
        "leadOrganization": members[0]["org"],
        "initiators": [
            {"organization": m["org"], "contactUserId": m["contact"], "contactName": "联络人"}
            for m in members
        ],
        "positioning": "定位",
        "field": "领域",
        "currentState": "现状",
        "necessity": "必要性",
        "modeOfOperation": "活动方式",
        "overlap": "无重叠",
    }


APPLY_WG = "mutation($i: WorkingGroupApplicationInput!) { applyForWorkingGroup(input: $i) { id } }"


def _wg_applied(w: World) -> str:
    """A new application, once governance has learnt of the six members."""
    import time

    deadline = time.monotonic() + 30
    while True:
        found = staff(w.platform, WG).execute(APPLY_WG, {"i": _wg_application(w)})
        if not found.get("errors"):
            return str(found["data"]["applyForWorkingGroup"]["id"])
        assert found["errors"][0]["extensions"]["code"] == "NOT_A_MEMBER", found
        assert time.monotonic() < deadline, found
        time.sleep(0.2)


def _wg_ready_application(w: World) -> dict[str, Any]:
    _wg_applied(w)  # governance knows the members by now
    return {"i": _wg_application(w)}


def _wg_chair_seats(w: World) -> list[dict[str, str]]:
    """The chair's office seats: aitisa's chairs (ours among them; another test may have
    added one), whose personal seats are the chair's office meeting (AITISA Art.4(3))."""
    import time

    if "wg_chair" not in w.shared:
        user = f"matrix-wg-chair-{uuid.uuid4().hex[:6]}"
        staff(w.platform, WG).data(
            "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
            {"i": {"alliance": WG, "userId": user, "name": "理事长", "role": "chair"}},
        )
        deadline = time.monotonic() + 30
        while True:
            bodies = staff(w.platform, WG).data(
                '{ alliance(slug: "aitisa") { bodies { kind seats { id holderUserId } } } }'
            )["alliance"]["bodies"]
            seats = next(b["seats"] for b in bodies if b["kind"] == "CHAIRS_OFFICE")
            if any(s["holderUserId"] == user for s in seats):
                break
            assert time.monotonic() < deadline, "the chair's seat did not appear"
            time.sleep(0.2)
        w.shared["wg_chair"] = user
    bodies = staff(w.platform, WG).data(
        '{ alliance(slug: "aitisa") { bodies { kind seats { id holderUserId } } } }'
    )["alliance"]["bodies"]
    found: list[dict[str, str]] = next(b["seats"] for b in bodies if b["kind"] == "CHAIRS_OFFICE")
    return found


def _wg_decided(w: World, approved: bool = True) -> str:
    """A group forwarded by the secretariat and decided by the chair's office meeting."""
    group = _wg_applied(w)
    clerk = staff(w.platform, WG)
    clerk.data(
        "mutation($g: ID!) { answerWorkingGroupApplication(group: $g, forward: true) { id } }",
        {"g": group},
    )
    motion = clerk.data(
        "query($id: ID!) { workingGroup(id: $id) { creationMotion { id } } }", {"id": group}
    )["workingGroup"]["creationMotion"]["id"]
    chairs = _wg_chair_seats(w)
    meeting = clerk.data(
        "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
        {"i": {**_convening([motion]), "alliance": WG, "body": "CHAIRS_OFFICE"}},
    )["conveneMeeting"]["id"]
    clerk.data(
        "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
        "entries: $e) { id } }",
        {"g": meeting, "e": [{"seat": s["id"], "status": "PRESENT"} for s in chairs]},
    )
    stage = clerk.data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": motion, "g": meeting},
    )["openVote"]["id"]
    for chair in chairs:
        Caller(w.platform, chair["holderUserId"], alliances={WG: ["chair"]}).data(
            "mutation($s: ID!, $t: ID!, $c: BallotChoice!) { castBallot(stage: $s, seat: $t, "
            "choice: $c) { receipt } }",
            {"s": stage, "t": chair["id"], "c": "YES" if approved else "NO"},
        )
    clerk.data("mutation($s: ID!) { closeVote(stage: $s) { id } }", {"s": stage})
    return group


def _wg_request(w: World) -> dict[str, Any]:
    group = _wg_decided(w)
    made = staff(w.platform, WG).data(
        "mutation($g: ID!, $o: ID!) { requestToJoinWorkingGroup(group: $g, organization: $o, "
        'representativeUserId: "rep", representativeName: "代表") { id } }',
        {"g": group, "o": _wg_members(w)[5]["org"]},
    )
    return {"r": made["requestToJoinWorkingGroup"]["id"]}


def _wg_seat(w: World) -> dict[str, Any]:
    group = _wg_decided(w)
    members = staff(w.platform, WG).data(
        "query($id: ID!) { workingGroup(id: $id) { members { id } } }", {"id": group}
    )["workingGroup"]["members"]
    return {"s": members[-1]["id"]}


def _wg_reported(w: World) -> dict[str, Any]:
    made = staff(w.platform, WG).data(
        'mutation($g: ID!) { reportWorkingGroupYear(group: $g, year: 2026, report: "报告") '
        "{ id } }",
        {"g": _wg_decided(w)},
    )
    return {"e": made["reportWorkingGroupYear"]["id"]}


def _wg_plenary(w: World, propose: str, field_name: str) -> dict[str, Any]:
    """A group's plenary passes a motion (three of its five members present and for): what a
    review by the secretariat follows (AITISA Art.5, 6)."""
    group = _wg_decided(w)
    clerk = staff(w.platform, WG)
    motion = clerk.data(propose, {"g": group})[field_name]["id"]
    meeting = clerk.data(
        "mutation($g: ID!, $i: WorkingGroupMeetingInput!) { conveneWorkingGroupMeeting("
        "group: $g, input: $i) { id } }",
        {
            "g": group,
            "i": {
                "title": "矩阵全体成员会议",
                "mode": "IN_PERSON",
                "startsAt": "2027-01-01T09:00:00+08:00",
                "place": "北京",
                "agenda": [motion],
            },
        },
    )["conveneWorkingGroupMeeting"]["id"]
    members = clerk.data(
        "query($id: ID!) { workingGroup(id: $id) { members { id holderUserId } } }", {"id": group}
    )["workingGroup"]["members"][:3]
    clerk.data(
        "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
        "entries: $e) { id } }",
        {"g": meeting, "e": [{"seat": m["id"], "status": "PRESENT"} for m in members]},
    )
    stage = clerk.data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": motion, "g": meeting},
    )["openVote"]["id"]
    for m in members:
        Caller(w.platform, m["holderUserId"], alliances={WG: ["contact_person"]}).data(
            "mutation($s: ID!, $t: ID!) { castBallot(stage: $s, seat: $t, choice: YES) "
            "{ receipt } }",
            {"s": stage, "t": m["id"]},
        )
    clerk.data("mutation($s: ID!) { closeVote(stage: $s) { id } }", {"s": stage})
    return {"g": group}


MOVE_WG = (
    'mutation($g: ID!) { moveWorkingGroupDissolution(group: $g, ground: "inactive", '
    'reasons: "未开展必要工作") { id } }'
)
NOTIFY_WG = "mutation($g: ID!) { notifyWorkingGroupDissolution(group: $g) { id } }"


def _wg_moved(w: World) -> dict[str, Any]:
    group = _wg_decided(w)
    operator(w.platform).data(MOVE_WG, {"g": group})
    return {"g": group}


def _wg_notified(w: World) -> dict[str, Any]:
    moved = _wg_moved(w)
    operator(w.platform).data(NOTIFY_WG, moved)
    return moved


AITISA_STAFF = row(OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, OK, REFUSED)
OPERATOR_ONLY = row(OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED)
MATRIX.update(
    {
        "Query.workingGroup": Entry(
            "query($id: ID!) { workingGroup(id: $id) { id } }",
            row(OK, NONE, NONE, NONE, NONE, NONE, OK, NONE),
            lambda w: {"id": _wg_applied(w)},
        ),
        # an initiator's contact files it, or the secretariat (AITISA Art.4(1))
        "Mutation.applyForWorkingGroup": Entry(APPLY_WG, AITISA_STAFF, _wg_ready_application),
        # the secretariat answers in writing (Art.4(2)); an officer does not
        "Mutation.answerWorkingGroupApplication": Entry(
            "mutation($g: ID!) { answerWorkingGroupApplication(group: $g, forward: false, "
            'reasons: "重叠") { id } }',
            AITISA_STAFF,
            lambda w: {"g": _wg_applied(w)},
        ),
        "Mutation.notifyWorkingGroupRejection": Entry(
            'mutation($g: ID!) { notifyWorkingGroupRejection(group: $g, reasons: "已涵盖") '
            "{ id } }",
            AITISA_STAFF,
            lambda w: {"g": _wg_decided(w, approved=False)},
        ),
        # the group leader convenes (Art.8(2)); the secretariat may for it
        "Mutation.conveneWorkingGroupMeeting": Entry(
            "mutation($g: ID!, $i: WorkingGroupMeetingInput!) { conveneWorkingGroupMeeting("
            "group: $g, input: $i) { id } }",
            AITISA_STAFF,
            lambda w: {
                "g": _wg_decided(w),
                "i": {
                    "title": "矩阵工作会议",
                    "mode": "IN_PERSON",
                    "startsAt": "2027-01-01T09:00:00+08:00",
                    "place": "北京",
                },
            },
        ),
        "Mutation.proposeWorkingGroupMotion": Entry(
            "mutation($g: ID!) { proposeWorkingGroupMotion(group: $g, "
            'matter: ORDINARY_RESOLUTION, title: "年度计划") { id } }',
            AITISA_STAFF,
            lambda w: {"g": _wg_decided(w)},
        ),
        # the organisation's contact applies for it, or the secretariat (Art.7(1))
        "Mutation.requestToJoinWorkingGroup": Entry(
            "mutation($g: ID!, $o: ID!) { requestToJoinWorkingGroup(group: $g, organization: $o, "
            'representativeUserId: "rep", representativeName: "代表") { id } }',
            AITISA_STAFF,
            lambda w: {"g": _wg_decided(w), "o": _wg_members(w)[5]["org"]},
        ),
        # the group leader admits (Art.7(2)): not the secretariat (no leader here)
        "Mutation.decideWorkingGroupRequest": Entry(
            "mutation($r: ID!) { decideWorkingGroupRequest(request: $r, admit: true) { id } }",
            OPERATOR_ONLY,
            _wg_request,
        ),
        # recommended by the lead organisation (Art.7(3)), recorded by it or the secretariat
        "Mutation.fillWorkingGroupPost": Entry(
            "mutation($g: ID!, $o: ID!) { fillWorkingGroupPost(group: $g, organization: $o, "
            'userId: "leader", name: "组长", post: GROUP_CO_LEADER) { id } }',
            AITISA_STAFF,
            lambda w: {"g": _wg_decided(w), "o": _wg_members(w)[1]["org"]},
        ),
        # the organisation leaves for itself (Art.9(3)), or the secretariat records it
        "Mutation.leaveWorkingGroup": Entry(
            "mutation($s: ID!) { leaveWorkingGroup(seat: $s) { id } }", AITISA_STAFF, _wg_seat
        ),
        # the plenary applies (Art.5): a motion put by the leader or the secretariat
        "Mutation.proposeWorkingGroupRename": Entry(
            'mutation($g: ID!) { proposeWorkingGroupRename(group: $g, nameZh: "新名", '
            'nameEn: "New name") { id } }',
            AITISA_STAFF,
            lambda w: {"g": _wg_decided(w)},
        ),
        # the group draws up its rules (Art.14): a motion put by the leader or the secretariat
        "Mutation.proposeWorkingGroupRules": Entry(
            'mutation($g: ID!) { proposeWorkingGroupRules(group: $g, text: "细则") { id } }',
            AITISA_STAFF,
            lambda w: {"g": _wg_decided(w)},
        ),
        # the group reports its year through its leader, or the secretariat records it (Art.11)
        "Mutation.reportWorkingGroupYear": Entry(
            'mutation($g: ID!) { reportWorkingGroupYear(group: $g, year: 2026, report: "报告") '
            "{ id } }",
            AITISA_STAFF,
            lambda w: {"g": _wg_decided(w)},
        ),
        # the secretariat evaluates (Art.11); an officer does not
        "Mutation.evaluateWorkingGroup": Entry(
            "mutation($e: ID!) { evaluateWorkingGroup(evaluation: $e, result: COMMENDATION, "
            'findings: "成效显著") { id } }',
            AITISA_STAFF,
            _wg_reported,
        ),
        # the secretariat reviews the plenary's renaming (Art.5); an officer does not
        "Mutation.reviewWorkingGroupRename": Entry(
            "mutation($g: ID!) { reviewWorkingGroupRename(group: $g) { id } }",
            AITISA_STAFF,
            lambda w: _wg_plenary(
                w,
                'mutation($g: ID!) { proposeWorkingGroupRename(group: $g, nameZh: "新名", '
                'nameEn: "New") { id } }',
                "proposeWorkingGroupRename",
            ),
        ),
        # the secretariat reviews the members' application (at least 1/2 of all, Art.6)
        "Mutation.reviewWorkingGroupDissolution": Entry(
            "mutation($g: ID!) { reviewWorkingGroupDissolution(group: $g) { id } }",
            AITISA_STAFF,
            lambda w: _wg_plenary(
                w,
                "mutation($g: ID!) { proposeWorkingGroupMotion(group: $g, "
                'matter: WORKING_GROUP_DISSOLUTION, title: "撤销") { id } }',
                "proposeWorkingGroupMotion",
            ),
        ),
        # the secretary-general's (Art.6): no caller here holds the role but the operator
        "Mutation.moveWorkingGroupDissolution": Entry(
            MOVE_WG, OPERATOR_ONLY, lambda w: {"g": _wg_decided(w)}
        ),
        "Mutation.notifyWorkingGroupDissolution": Entry(NOTIFY_WG, OPERATOR_ONLY, _wg_moved),
        # the group objects through its leader (Art.6): none of these callers leads it
        "Mutation.objectToWorkingGroupDissolution": Entry(
            'mutation($g: ID!) { objectToWorkingGroupDissolution(group: $g, objection: "异议") '
            "{ id } }",
            OPERATOR_ONLY,
            _wg_notified,
        ),
    }
)


ANNOUNCEMENT = {
    "alliance": "aii",
    "titleZh": "矩阵公告",
    "titleEn": "Matrix announcement",
    "bodyZh": "权限矩阵测试。",
    "bodyEn": "A permission matrix test.",
}
REGISTER_WEBHOOK = (
    'mutation { registerWebhookEndpoint(alliance: "aii", url: "http://127.0.0.1:9/matrix") '
    "{ endpoint { id } } }"
)
REMOVE_WEBHOOK = 'mutation($id: ID!) { removeWebhookEndpoint(alliance: "aii", id: $id) { id } }'


def _webhook(w: World) -> str:
    made = staff(w.platform, "aii").data(REGISTER_WEBHOOK)
    return str(made["registerWebhookEndpoint"]["endpoint"]["id"])


def _removed_webhook(w: World) -> str:
    endpoint = _webhook(w)
    staff(w.platform, "aii").data(REMOVE_WEBHOOK, {"id": endpoint})
    return endpoint


def _announced_to_a_webhook(w: World) -> str:
    """An announcement while an endpoint is registered: a webhook delivery in the log."""
    endpoint = _webhook(w)
    clerk = staff(w.platform, "aii")
    clerk.data(
        "mutation($i: AnnouncementInput!) { announce(input: $i) { id } }", {"i": ANNOUNCEMENT}
    )
    clerk.data(REMOVE_WEBHOOK, {"id": endpoint})
    return endpoint


def _assigned_role(w: World) -> str:
    made = staff(w.platform, "aii").data(
        "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
        {
            "i": {
                "alliance": "aii",
                "userId": f"r-{uuid.uuid4().hex[:6]}",
                "name": "矩阵",
                "role": "director",
            }
        },
    )
    return str(made["assignRole"]["id"])


def _new_alliance(w: World) -> str:
    slug = f"m{uuid.uuid4().hex[:8]}"
    operator(w.platform).data(
        CREATE, {"i": {"slug": slug, "nameZh": "矩阵联盟", "template": "aii"}}
    )
    return slug


def _withdrawal(w: World) -> str:
    membership = w.member()
    made = w.caller("contact").data(
        "mutation($m: ID!) { requestWithdrawal(membershipId: $m) { id } }", {"m": membership}
    )
    return str(made["requestWithdrawal"]["id"])


# --- Finance: aii's books. Who keeps them is the charter's ``finance.managers``: aii's
# configuration names the secretariat (by default: the charter has no finance chapter, its
# secretariat runs the daily work, Art.26; China-ASEAN Art.27 the same), so the operator and
# the secretariat write (``finance.access.keeper_of``); an officer (a chair) reads the books
# (``reader_of``) and decides budgets and accounts by vote in governance, but does not post.
# Directors (council seats) approve by vote in governance; they neither read nor keep the books.
KEEPERS = row(OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED)
READERS = row(OK, OK, OK, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED)
FINANCE_TIERS = ("ordinary", "director", "vice_chair", "chair")
OPEN_YEAR = 'mutation($y: Int!) { openFiscalYear(alliance: "aii", fiscalYear: $y) { year } }'
CLOSE_YEAR = 'mutation($y: Int!) { closeFiscalYear(alliance: "aii", fiscalYear: $y) { year } }'
INCOME = "mutation($i: IncomeInput!) { recordIncome(input: $i) { id } }"
PROPOSE_AUDITOR = (
    "mutation($a: String!, $y: Int!, $f: String!) { proposeAuditor(alliance: $a, "
    "fiscalYear: $y, firmName: $f) { id } }"
)


def _open_year(w: World) -> int:
    """A fiscal year of aii's books no other case uses, opened."""
    year = next(FISCAL_YEARS)
    staff(w.platform, "aii").data(OPEN_YEAR, {"y": year})
    return year


def _closed_year(w: World) -> int:
    year = _open_year(w)
    staff(w.platform, "aii").data(CLOSE_YEAR, {"y": year})
    return year


def _books_year(w: World) -> int:
    """One open year that the postings of the table go into."""
    if "books_year" not in w.shared:
        w.shared["books_year"] = _open_year(w)
    return int(w.shared["books_year"])


def _income(w: World) -> dict[str, Any]:
    year = _books_year(w)
    return {
        "alliance": "aii",
        "source": "CONSULTING",
        "amount": "1000.00",
        "date": f"{year}-03-15",
        "payer": "矩阵咨询客户",
        "memo": "矩阵咨询收入",
        "idempotencyKey": f"matrix-{uuid.uuid4().hex}",
    }


def _entry(w: World) -> str:
    made = staff(w.platform, "aii").data(INCOME, {"i": _income(w)})
    return str(made["recordIncome"]["id"])


def _transfer_fund(w: World) -> str:
    """A second unrestricted fund of aii, for transfers into it."""
    if "fund" not in w.shared:
        code = f"m-{uuid.uuid4().hex[:8]}"
        staff(w.platform, "aii").data(
            "mutation($i: CreateFundInput!) { createFund(input: $i) { id } }",
            {"i": _fund_input(code)},
        )
        w.shared["fund"] = code
    return str(w.shared["fund"])


def _fund_input(code: str) -> dict[str, Any]:
    return {
        "alliance": "aii",
        "code": code,
        "nameZh": "矩阵基金",
        "nameEn": "Matrix fund",
        "source": "GENERAL",
    }


def _fees(w: World, year: int) -> None:
    for tier in FINANCE_TIERS:
        staff(w.platform, "aii").data(
            'mutation($y: Int!, $t: String!) { setMembershipFee(alliance: "aii", '
            'fiscalYear: $y, tier: $t, amount: "5000", decidedBy: "理事会决议") { tier } }',
            {"y": year, "t": tier},
        )


ISSUE = (
    'mutation($y: Int!, $d: Date!) { issueAnnualInvoices(alliance: "aii", fiscalYear: $y, '
    "issuedOn: $d) { id } }"
)


def _invoiceable_year(w: World) -> dict[str, Any]:
    """A fresh open year with fees for every tier, once finance knows aii has active members
    (the table's: finance learns of them from membership's events)."""
    import time

    if "invoiced" not in w.shared:
        w.shared_member()
        deadline = time.monotonic() + 30
        while not w.shared.get("invoiced"):
            probe = _fresh_fees(w)
            w.shared["invoiced"] = bool(
                staff(w.platform, "aii").data(ISSUE, probe)["issueAnnualInvoices"]
            )
            assert w.shared["invoiced"] or time.monotonic() < deadline, "finance knows no member"
            time.sleep(0.2)
    return _fresh_fees(w)


def _fresh_fees(w: World) -> dict[str, Any]:
    year = _open_year(w)
    _fees(w, year)
    return {"y": year, "d": f"{year}-01-10"}


def _invoices(w: World) -> dict[str, Any]:
    """A fresh year's invoices of aii's members, issued on 10 January."""
    year = _invoiceable_year(w)
    made = staff(w.platform, "aii").data(ISSUE, year)["issueAnnualInvoices"]
    assert made, "aii has active members to invoice"
    return {"i": made[0]["id"], "y": year["y"]}


def _payment(w: World) -> dict[str, Any]:
    made = _invoices(w)
    return {"i": made["i"], "d": f"{made['y']}-02-01"}


def _budget_draft(w: World) -> str:
    made = staff(w.platform, "aii").data(
        'mutation($y: Int!) { createBudget(alliance: "aii", fiscalYear: $y) { id } }',
        {"y": next(FISCAL_YEARS)},
    )
    return str(made["createBudget"]["id"])


SET_LINE = (
    'mutation($b: ID!) { setBudgetLine(budgetId: $b, account: "510101", amount: "1000") { id } }'
)


def _budget_with_a_line(w: World) -> str:
    budget = _budget_draft(w)
    staff(w.platform, "aii").data(SET_LINE, {"b": budget})
    return budget


def _wg_budget_submitted(w: World) -> dict[str, Any]:
    """A working group's budget, submitted for the secretariat's preliminary review (AITISA
    Art.12(1)): of one approved group, a new fiscal year each (this year or later)."""
    import time

    if "wg_budget_group" not in w.shared:
        w.shared["wg_budget_group"] = _wg_decided(w)
    group = w.shared["wg_budget_group"]
    clerk = staff(w.platform, WG)
    year = next(FISCAL_YEARS)
    deadline = time.monotonic() + 30
    while True:  # finance learns of the approved group from governance's event
        body = clerk.execute(
            'mutation($y: Int!, $g: ID!) { createBudget(alliance: "aitisa", fiscalYear: $y, '
            "workingGroupId: $g) { id } }",
            {"y": year, "g": group},
        )
        if not body.get("errors"):
            break
        assert time.monotonic() < deadline, body
        time.sleep(0.2)
    budget = body["data"]["createBudget"]["id"]
    clerk.data(SET_LINE, {"b": budget})
    clerk.data("mutation($b: ID!) { submitBudget(budgetId: $b) { id } }", {"b": budget})
    return {"b": budget}


def _auditing_alliance(w: World) -> str:
    """A China-ASEAN alliance of its own (its auditor motions do not mix with
    ``_audited_year``'s), once finance has its charter: the operator's first proposal for a
    year no case uses is accepted."""
    import time

    if "auditing" not in w.shared:
        slug = f"m{uuid.uuid4().hex[:8]}"
        operator(w.platform).data(
            CREATE, {"i": {"slug": slug, "nameZh": "矩阵审计联盟", "template": "china-asean"}}
        )
        deadline = time.monotonic() + 60
        probe = {"a": slug, "y": next(FISCAL_YEARS), "f": "矩阵探测事务所"}
        while operator(w.platform).execute(PROPOSE_AUDITOR, probe).get("errors"):
            assert time.monotonic() < deadline, "finance never received the charter"
            time.sleep(0.2)
        w.shared["auditing"] = slug
    return str(w.shared["auditing"])


def _audited_year(w: World) -> dict[str, Any]:
    """A closed year of a China-ASEAN alliance whose accounting firm its council has confirmed
    (Art.27). Not aii's: aii's charter provides no audit (NO_AUDIT_IN_CHARTER)."""
    import time

    if "china_asean" not in w.shared:
        w.shared["china_asean"] = ChinaAsean(w.platform, directors=3)
        w.shared["auditor_motions"] = set()
    ca: ChinaAsean = w.shared["china_asean"]
    year = next(FISCAL_YEARS)
    for verb in ("openFiscalYear", "closeFiscalYear"):
        ca.clerk.data(
            f"mutation($a: String!, $y: Int!) {{ {verb}(alliance: $a, fiscalYear: $y) "
            "{ year } }",
            {"a": ca.slug, "y": year},
        )
    ca.clerk.data(
        "mutation($a: String!, $y: Int!) { proposeAuditor(alliance: $a, fiscalYear: $y, "
        'firmName: "矩阵会计师事务所") { id } }',
        {"a": ca.slug, "y": year},
    )
    motion = ca.pending_motion(w.shared["auditor_motions"], "AUDITOR_CONFIRMATION")
    w.shared["auditor_motions"].add(motion)
    assert ca.council_vote(motion, yes=3, title="确认审计机构")["passed"]
    deadline = time.monotonic() + 60
    while True:  # finance learns of the council's decision from governance's event
        found = ca.clerk.data(
            "query($a: String!, $y: Int!) { books(alliance: $a) { auditors(fiscalYear: $y) "
            "{ status } } }",
            {"a": ca.slug, "y": year},
        )["books"]["auditors"]
        if found and found[0]["status"] == "confirmed":
            return {"a": ca.slug, "y": year}
        assert time.monotonic() < deadline, found
        time.sleep(0.2)


MATRIX.update(
    {
        "Query.books": Entry(
            '{ books(alliance: "aii") { alliance fiscalYears { year } } }', READERS
        ),
        # every alliance side by side: the platform operator's alone
        "Query.financeOverview": Entry("{ financeOverview { alliance } }", OPERATOR_ONLY),
        "Mutation.openFiscalYear": Entry(OPEN_YEAR, KEEPERS, lambda w: {"y": next(FISCAL_YEARS)}),
        "Mutation.closeFiscalYear": Entry(CLOSE_YEAR, KEEPERS, lambda w: {"y": _open_year(w)}),
        "Mutation.createFund": Entry(
            "mutation($i: CreateFundInput!) { createFund(input: $i) { id } }",
            KEEPERS,
            lambda w: {"i": _fund_input(f"m-{uuid.uuid4().hex[:8]}")},
        ),
        "Mutation.postEntry": Entry(
            "mutation($i: PostEntryInput!) { postEntry(input: $i) { id } }",
            KEEPERS,
            lambda w: {
                "i": {
                    "alliance": "aii",
                    "date": f"{_books_year(w)}-04-01",
                    "memo": "矩阵手工凭证",
                    "lines": [
                        {"account": "1002", "side": "DEBIT", "amount": "10.00"},
                        {"account": "440101", "side": "CREDIT", "amount": "10.00"},
                    ],
                }
            },
        ),
        "Mutation.reverseEntry": Entry(
            'mutation($e: ID!, $d: Date!) { reverseEntry(alliance: "aii", entryId: $e, '
            'date: $d, memo: "冲销") { id } }',
            KEEPERS,
            lambda w: {"e": _entry(w), "d": f"{_books_year(w)}-05-01"},
        ),
        "Mutation.recordIncome": Entry(INCOME, KEEPERS, lambda w: {"i": _income(w)}),
        "Mutation.recordExpense": Entry(
            "mutation($i: ExpenseInput!) { recordExpense(input: $i) { id } }",
            KEEPERS,
            lambda w: {
                "i": {
                    "alliance": "aii",
                    "use": "ACTIVITIES",
                    "amount": "100.00",
                    "date": f"{_books_year(w)}-06-01",
                    "payee": "矩阵会务公司",
                    "memo": "矩阵会务",
                }
            },
        ),
        "Mutation.transferBetweenFunds": Entry(
            "mutation($i: TransferInput!) { transferBetweenFunds(input: $i) { id } }",
            KEEPERS,
            lambda w: {
                "i": {
                    "alliance": "aii",
                    "fromFund": "general",
                    "toFund": _transfer_fund(w),
                    "amount": "1.00",
                    "date": f"{_books_year(w)}-07-01",
                    "memo": "矩阵划转",
                }
            },
        ),
        "Mutation.setMembershipFee": Entry(
            'mutation($y: Int!) { setMembershipFee(alliance: "aii", fiscalYear: $y, '
            'tier: "director", amount: "5000", decidedBy: "理事会决议") { tier } }',
            KEEPERS,
            lambda w: {"y": next(FISCAL_YEARS)},
        ),
        "Mutation.issueAnnualInvoices": Entry(ISSUE, KEEPERS, _invoiceable_year),
        "Mutation.recordPayment": Entry(
            'mutation($i: ID!, $d: Date!) { recordPayment(alliance: "aii", invoiceId: $i, '
            'amount: "100", paidOn: $d) { id } }',
            KEEPERS,
            _payment,
        ),
        # a fresh year's invoices, due 30 days after 10 January, are overdue on 1 December
        "Mutation.flagOverdueInvoices": Entry(
            'mutation($d: Date!) { flagOverdueInvoices(alliance: "aii", asOf: $d) { id } }',
            KEEPERS,
            lambda w: {"d": f"{_invoices(w)['y']}-12-01"},
        ),
        # the secretariat draws up the budget (AII default, China-ASEAN Art.27); see KEEPERS.
        "Mutation.setBudgetLine": Entry(SET_LINE, KEEPERS, lambda w: {"b": _budget_draft(w)}),
        "Mutation.submitBudget": Entry(
            "mutation($b: ID!) { submitBudget(budgetId: $b) { id } }",
            KEEPERS,
            lambda w: {"b": _budget_with_a_line(w)},
        ),
        # the secretariat's preliminary review of a working group's budget (AITISA Art.12(1)):
        # aitisa's secretariat, not an officer; aii's callers do not see aitisa's budgets
        "Mutation.reviewWorkingGroupBudget": Entry(
            "mutation($b: ID!) { reviewWorkingGroupBudget(budgetId: $b, forward: true) { id } }",
            AITISA_STAFF,
            _wg_budget_submitted,
        ),
        # 决算 of a closed year, for the council (China-ASEAN Art.27; AII's default)
        "Mutation.submitFinalAccounts": Entry(
            'mutation($y: Int!) { submitFinalAccounts(alliance: "aii", fiscalYear: $y) { id } }',
            KEEPERS,
            lambda w: {"y": _closed_year(w)},
        ),
        # in an alliance whose charter provides an audit (China-ASEAN Art.27), of which these
        # callers' only keeper is the operator; aii's charter provides none, and there the
        # secretariat's proposal is refused (NO_AUDIT_IN_CHARTER):
        # services/finance/tests/test_charter_rules.py
        "Mutation.proposeAuditor": Entry(
            PROPOSE_AUDITOR,
            OPERATOR_ONLY,
            lambda w: {
                "a": _auditing_alliance(w),
                "y": next(FISCAL_YEARS),
                "f": f"矩阵事务所{uuid.uuid4().hex[:6]}",
            },
        ),
        # by the firm the council confirmed, of a closed year (China-ASEAN Art.27), recorded by
        # the alliance's book keepers. In aii no firm can be confirmed (no body votes on it),
        # so this row runs in a China-ASEAN alliance, where of these callers only the operator
        # keeps the books; its secretariat's OK is tests/e2e/test_finance_chain.py's
        # test_the_audit_is_by_the_firm_the_council_confirms_and_locks_the_year.
        "Mutation.recordAuditReport": Entry(
            "mutation($a: String!, $y: Int!) { recordAuditReport(alliance: $a, fiscalYear: $y, "
            'opinion: UNQUALIFIED, reference: "矩阵审字第1号", summary: "公允") { id } }',
            OPERATOR_ONLY,
            _audited_year,
        ),
    }
)


def root_fields() -> list[str]:
    sdl = (GATEWAY_DIR / "supergraph.graphql").read_text()
    api = build_schema(sdl, assume_valid=True, assume_valid_sdl=True)
    out = []
    for root in (api.query_type, api.mutation_type, api.subscription_type):
        for name in root.fields if root else {}:
            if not name.startswith("_"):
                out.append(f"{root.name}.{name}")  # type: ignore[union-attr]
    return out


def test_every_root_field_has_an_entry() -> None:
    missing = sorted(set(root_fields()) - set(MATRIX))
    assert not missing, f"add these to MATRIX in {__file__}: {missing}"
    stale = sorted(set(MATRIX) - set(root_fields()))
    assert not stale, f"MATRIX names fields the supergraph does not have: {stale}"
    for coordinate, entry in MATRIX.items():
        assert set(entry.expected) == set(CALLERS), coordinate


@pytest.fixture(scope="module")
def world(platform: Platform) -> World:
    ensure_alliances(platform, ("aii", "aitisa"))
    world = World(platform)
    # The other contact person is one: of another organisation, with an application of its own
    # (so "mine" lists show it its own, and never the first organisation's).
    other = world.caller("other_contact")
    other.data(SUBMIT, application("aii", "另一家矩阵公司"))
    # its acknowledgement reaches its inbox from membership's event, a moment later
    inbox = "{ myNotifications(first: 1) { totalCount } }"
    until(lambda: other.data(inbox)["myNotifications"]["totalCount"])
    return world


def outcome(body: dict[str, Any], field_name: str, expected: str = OK) -> str:
    errors = body.get("errors") or []
    if expected == ABSENT:
        codes = {(e.get("extensions") or {}).get("code") for e in errors}
        value = (body.get("data") or {}).get(field_name)
        typed = bool(errors) and None not in codes and "INTERNAL_SERVER_ERROR" not in codes
        return ABSENT if typed or value in (None, []) else OK
    if errors:
        codes = {(e.get("extensions") or {}).get("code") for e in errors}
        assert codes <= PERMISSION_CODES, f"not a permission refusal: {errors}"
        return REFUSED
    value = (body.get("data") or {}).get(field_name)
    if value is None or value == []:
        return NONE
    if isinstance(value, dict) and (value.get("totalCount") == 0 or value.get("allowed") is False):
        return NONE
    return OK


SUBSCRIPTION_WAIT = 3.0
"""Seconds a subscription of the matrix is given to answer (its first result, or a refusal);
one that says nothing in that time is answered with nothing: NONE."""


def run(caller: Caller, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A query or mutation over HTTP; a subscription over SSE, to its first result."""
    if not document.lstrip().startswith("subscription"):
        return caller.execute(document, variables)
    with caller.subscribe(document, variables) as stream:
        try:
            kind, payload = stream.event(timeout=SUBSCRIPTION_WAIT)
        except queue.Empty:
            return {"data": None}
        assert kind == "next", (kind, payload)
        result: dict[str, Any] = payload
        return result


@pytest.mark.parametrize("coordinate", sorted(MATRIX))
def test_permission_matrix(world: World, coordinate: str) -> None:
    entry = MATRIX[coordinate]
    field_name = coordinate.split(".", 1)[1]
    got = {}
    # A case expected to succeed gets a fresh object to act on; those expected to be refused
    # share one (a refusal changes nothing; if one is not refused, the table says so).
    shared: dict[str, Any] | None = None
    for kind in CALLERS:
        if entry.expected[kind] == OK or shared is None:
            made = {k: v for k, v in entry.setup(world).items() if k != "_"}
            if entry.expected[kind] != OK:
                shared = made
        variables = made if entry.expected[kind] == OK else shared
        body = run(world.caller(kind), entry.document, variables)
        got[kind] = outcome(body, field_name, entry.expected[kind])
    assert got == entry.expected, coordinate

"""Governance decides, end to end through the gateway, for the seed charters (issue #8): an AII
admission voted by the standing council on the application membership forwarded, council and
assembly resolutions at the boundaries of AII Art.19 and Art.23, a charter amendment through
both of its stages (Art.27) that membership then holds as the charter in force, a China–ASEAN
withdrawal approved by the council (Art.21.3), and an AII director demoted after missing three
council meetings held on the platform (Art.13). Real services, real events between them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from devkit.local.platform import Platform
from tests.e2e.client import (
    CREATE,
    DECIDE,
    FORWARD,
    SUBMIT,
    Caller,
    application,
    decision,
    operator,
    staff,
    until,
)

pytestmark = pytest.mark.e2e

RESULT = (
    "result { entitled present attending yes no abstain quorate passed outcome rule "
    "explanationZh explanationEn }"
)
MEMBERSHIP = """query($id: ID!) { membership(id: $id) { id tier status
  timeline { change fromValue toValue actor reason rule } } }"""


class Alliance:
    """A new alliance on a seed charter, as its secretariat and members see it."""

    def __init__(self, platform: Platform, template: str, prefix: str) -> None:
        self.platform, self.template = platform, template
        self.slug = f"{prefix}{uuid.uuid4().hex[:8]}"
        operator(platform).data(
            CREATE,
            {"i": {"slug": self.slug, "nameZh": f"表决测试联盟 {self.slug}", "template": template}},
        )
        self.clerk = staff(platform, self.slug)
        self.convener = self.clerk
        self.members: list[dict[str, str]] = []

    def person(self, user: str) -> Caller:
        return Caller(self.platform, user, alliances={self.slug: ["contact_person"]})

    def apply(self, tier: str = "DIRECTOR") -> dict[str, str]:
        """A new organisation applies; the secretariat forwards the application."""
        contact = f"{self.slug}-c{uuid.uuid4().hex[:6]}"
        form = application(self.template, f"表决测试单位 {uuid.uuid4().hex[:6]}", tier=tier)
        form["i"]["alliance"] = self.slug
        made = self.person(contact).data(SUBMIT, form)["submitApplication"]["id"]
        self.clerk.data(FORWARD, {"id": made})
        return {"application": made, "contact": contact}

    def admit(self, count: int, body: str) -> None:
        """Members admitted by decisions recorded from paper meetings (recordDecision)."""
        for _ in range(count):
            applied = self.apply()
            decided = self.clerk.data(DECIDE, {"id": applied["application"], "d": decision(body)})
            member = decided["recordDecision"]["membership"]["id"]
            self.members.append({**applied, "membership": member})

    def officers(self, roles: list[str]) -> None:
        for i, role in enumerate(roles):
            self.clerk.data(
                "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
                {
                    "i": {
                        "alliance": self.slug,
                        "userId": f"{self.slug}-{role}-{i}",
                        "name": f"{role} {i}",
                        "role": role,
                    }
                },
            )

    def seats(self, body: str, count: int) -> list[dict[str, str]]:
        """The body's seats once governance has heard of all ``count`` of them."""

        def found() -> list[dict[str, str]] | None:
            bodies = self.clerk.data(
                "query($s: String!) { alliance(slug: $s) { bodies { kind seats { id "
                "holderUserId organizationId active } } } }",
                {"s": self.slug},
            )["alliance"]["bodies"]
            seats = [
                s
                for b in bodies
                if b["kind"] == body
                for s in b["seats"]
                if s["active"] and s["holderUserId"]
            ]
            return seats if len(seats) == count else None

        seats: list[dict[str, str]] = until(found)
        return seats

    def propose(self, body: str, matter: str, title: str, **extra: Any) -> dict[str, Any]:
        motion: dict[str, Any] = self.clerk.data(
            "mutation($i: ProposeMotionInput!) { proposeMotion(input: $i) { id status "
            "stages { id body status } } }",
            {"i": {"alliance": self.slug, "body": body, "matter": matter, "title": title, **extra}},
        )["proposeMotion"]
        return motion

    def pending(self, matter: str, application_id: str) -> str:
        """The motion governance made itself from the forwarded application."""

        def found() -> str | None:
            edges = self.clerk.data(
                "query($s: String!, $m: MatterKind!) { alliance(slug: $s) { motions(first: 50, "
                "matter: $m) { edges { node { id matterId status } } } } }",
                {"s": self.slug, "m": matter},
            )["alliance"]["motions"]["edges"]
            mine = [e["node"]["id"] for e in edges if e["node"]["matterId"] == application_id]
            return mine[0] if mine else None

        motion: str = until(found)
        return motion

    def convene(self, body: str, agenda: list[str], starts_at: str) -> str:
        meeting: str = self.convener.data(
            "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
            {
                "i": {
                    "alliance": self.slug,
                    "body": body,
                    "title": f"{body} {uuid.uuid4().hex[:6]}",
                    "mode": "IN_PERSON",
                    "startsAt": starts_at,
                    "place": "北京",
                    "agenda": agenda,
                }
            },
        )["conveneMeeting"]["id"]
        return meeting

    def attend(self, meeting: str, seats: list[dict[str, str]], present: int) -> dict[str, Any]:
        quorum: dict[str, Any] = self.clerk.data(
            "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
            "entries: $e) { quorum { present seats quorate needed rule } } }",
            {
                "g": meeting,
                "e": [
                    {"seat": s["id"], "status": "PRESENT" if i < present else "ABSENT"}
                    for i, s in enumerate(seats)
                ],
            },
        )["recordAttendance"]["quorum"]
        return quorum

    def vote(
        self,
        motion: str,
        body: str,
        seats: list[dict[str, str]],
        present: int,
        yes: int,
        starts_at: str = "2026-11-20T09:00:00+08:00",
    ) -> dict[str, Any]:
        """A meeting of ``body`` on the motion: the first ``present`` seats attend, the first
        ``yes`` of them vote yes and the rest of those present no; the closed result."""
        meeting = self.convene(body, [motion], starts_at)
        self.attend(meeting, seats, present)
        stage = self.clerk.data(
            "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id ruleSource } }",
            {"m": motion, "g": meeting},
        )["openVote"]
        for i, seat in enumerate(seats[:present]):
            self.person(seat["holderUserId"]).data(
                "mutation($s: ID!, $t: ID!, $c: BallotChoice!) { castBallot(stage: $s, "
                "seat: $t, choice: $c) { receipt } }",
                {"s": stage["id"], "t": seat["id"], "c": "YES" if i < yes else "NO"},
            )
        closed: dict[str, Any] = self.clerk.data(
            f"mutation($s: ID!) {{ closeVote(stage: $s) {{ status ruleSource {RESULT} }} }}",
            {"s": stage["id"]},
        )["closeVote"]
        assert closed["status"] == "CLOSED" and closed["ruleSource"] == stage["ruleSource"]
        return closed["result"]

    def membership(self, membership_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.clerk.data(MEMBERSHIP, {"id": membership_id})["membership"]
        return found


def numbers(result: dict[str, Any]) -> tuple[int, int, int, int]:
    return result["entitled"], result["present"], result["yes"], result["no"]


@pytest.fixture(scope="module")
def aii(platform: Platform) -> Alliance:
    """An AII alliance of nine director members: nine council seats, nine assembly seats."""
    alliance = Alliance(platform, "aii", "gv")
    alliance.admit(9, "STANDING_COUNCIL")
    alliance.seats("COUNCIL", 9)
    alliance.seats("GENERAL_ASSEMBLY", 9)
    return alliance


def test_an_aii_admission_is_decided_by_the_standing_councils_vote_and_the_timeline_cites_it(
    platform: Platform,
) -> None:
    """AII Art.11: the secretariat reviews the application and reports it to the standing
    council (the chair, vice-chairs and secretary-general, Art.24), which approves it."""
    alliance = Alliance(platform, "aii", "ga")
    alliance.officers(["chair", "vice_chair", "vice_chair", "secretary_general", "secretariat"])
    standing = alliance.seats("STANDING_COUNCIL", 4)
    applied = alliance.apply(tier="ORDINARY")
    motion = alliance.pending("ADMISSION", applied["application"])
    stages = alliance.clerk.data(
        "query($id: ID!) { motion(id: $id) { status stages { body status } } }", {"id": motion}
    )["motion"]
    assert stages == {
        "status": "PENDING",
        "stages": [{"body": "STANDING_COUNCIL", "status": "PENDING"}],
    }

    # 3 of 4 attend (2/3 or more), 2 of the 3 vote yes (2/3 or more of those present).
    result = alliance.vote(motion, "STANDING_COUNCIL", standing, present=3, yes=2)
    assert numbers(result) == (4, 3, 2, 1)
    assert result["quorate"] and result["passed"] and result["outcome"] == "PASSED"
    assert result["rule"] == "default"  # the charter is silent: the council's Art.23 is used
    assert "3" in result["explanationEn"] and "4" in result["explanationEn"]

    def admitted() -> dict[str, Any] | None:
        found: dict[str, Any] = alliance.clerk.data(
            "query($id: ID!) { application(id: $id) { status decisionReference { body meeting "
            "minutes } membership { id status tier } } }",
            {"id": applied["application"]},
        )["application"]
        return found if found["status"] == "APPROVED" else None

    decided = until(admitted)
    assert decided["decisionReference"]["body"] == "STANDING_COUNCIL"
    assert motion in decided["decisionReference"]["minutes"]
    member = decided["membership"]
    assert (member["status"], member["tier"]) == ("ACTIVE", "ORDINARY")
    [joined] = [e for e in alliance.membership(member["id"])["timeline"] if e["change"] == "status"]
    assert joined["toValue"] == "active" and joined["actor"] == "governance"
    assert joined["rule"] == "AII Art.11(3)"
    assert motion in joined["reason"] and "standing_council" in joined["reason"]

    # The secretariat is told of the council's decision on the application it reported.
    desk = Caller(
        platform, f"{alliance.slug}-secretariat-4", alliances={alliance.slug: ["secretariat"]}
    )

    def told() -> dict[str, Any] | None:
        edges = desk.data(
            "{ myNotifications(first: 50) { edges { node { kind subjectId body } } } }"
        )["myNotifications"]["edges"]
        return next(
            (
                e["node"]
                for e in edges
                if e["node"]["kind"] == "application_decided"
                and e["node"]["subjectId"] == applied["application"]
            ),
            None,
        )

    assert until(told)["body"]


def test_an_aii_council_resolution_passes_with_exactly_two_thirds_present_and_two_thirds_yes(
    aii: Alliance,
) -> None:
    """AII Art.23: 理事会须有 2/3 以上理事出席方能召开，其决议须经到会理事 2/3 以上表决通过
    (以上 includes the number itself): 6 of 9 attend; 4 of the 6 pass it, 3 do not."""
    council = aii.seats("COUNCIL", 9)
    passing = aii.propose("COUNCIL", "ORDINARY_RESOLUTION", "年度工作报告")["id"]
    result = aii.vote(passing, "COUNCIL", council, present=6, yes=4)
    assert numbers(result) == (9, 6, 4, 2)
    assert result["quorate"] and result["passed"] and result["outcome"] == "PASSED"
    assert result["rule"] == "AII Art.23" and "AII Art.23" in result["explanationZh"]
    assert "6 of 9 present" in result["explanationEn"]

    failing = aii.propose("COUNCIL", "ORDINARY_RESOLUTION", "年度工作计划")["id"]
    result = aii.vote(failing, "COUNCIL", council, present=6, yes=3)
    assert numbers(result) == (9, 6, 3, 3)
    assert result["quorate"] and not result["passed"] and result["outcome"] == "FAILED"
    assert result["rule"] == "AII Art.23"
    motion = aii.clerk.data(
        "query($id: ID!) { motion(id: $id) { status outcome } }", {"id": failing}
    )["motion"]
    assert motion["outcome"] == "FAILED"


def test_an_aii_assembly_resolution_passes_with_exactly_half_of_those_present_voting_yes(
    aii: Alliance,
) -> None:
    """AII Art.19: 2/3 以上的会员出席; 决议须经到会会员半数以上表决通过 (half included):
    6 of 9 members attend; 3 of the 6 pass it, 2 do not."""
    assembly = aii.seats("GENERAL_ASSEMBLY", 9)
    passing = aii.propose("GENERAL_ASSEMBLY", "ORDINARY_RESOLUTION", "联盟发展规划")["id"]
    result = aii.vote(passing, "GENERAL_ASSEMBLY", assembly, present=6, yes=3)
    assert numbers(result) == (9, 6, 3, 3)
    assert result["quorate"] and result["passed"] and result["outcome"] == "PASSED"
    assert result["rule"] == "AII Art.19" and "AII Art.19" in result["explanationZh"]

    failing = aii.propose("GENERAL_ASSEMBLY", "ORDINARY_RESOLUTION", "工作方针")["id"]
    result = aii.vote(failing, "GENERAL_ASSEMBLY", assembly, present=6, yes=2)
    assert numbers(result) == (9, 6, 2, 4)
    assert result["quorate"] and not result["passed"] and result["rule"] == "AII Art.19"


def test_an_aii_charter_amendment_needs_two_thirds_of_all_directors_then_the_assembly(
    aii: Alliance,
) -> None:
    """AII Art.27: 须经理事会表决，三分之二以上成员通过 (of all nine: 6), then the assembly
    (Art.19, Art.30); membership then holds the amended charter, citing the motion."""
    council = aii.seats("COUNCIL", 9)
    assembly = aii.seats("GENERAL_ASSEMBLY", 9)
    changes = [{"path": "name.en", "new": "Alliance of Industrial Internet (AII) 2026"}]

    failing = aii.propose("COUNCIL", "CHARTER_AMENDMENT", "修改章程（一）", changes=changes)
    assert [s["body"] for s in failing["stages"]] == ["COUNCIL", "GENERAL_ASSEMBLY"]
    # 7 of 9 attend; 5 yes is 5/7 of those present but less than 2/3 of all nine.
    result = aii.vote(failing["id"], "COUNCIL", council, present=7, yes=5)
    assert numbers(result) == (9, 7, 5, 2)
    assert result["quorate"] and not result["passed"] and result["outcome"] == "FAILED"
    assert result["rule"] == "AII Art.23; AII Art.27" and "all 9 seats" in result["explanationEn"]

    motion = aii.propose("COUNCIL", "CHARTER_AMENDMENT", "修改章程（二）", changes=changes)["id"]
    result = aii.vote(motion, "COUNCIL", council, present=7, yes=6)
    assert numbers(result) == (9, 7, 6, 1)
    assert result["passed"] and result["rule"] == "AII Art.23; AII Art.27"
    state = aii.clerk.data(
        "query($id: ID!) { motion(id: $id) { status stages { body status } } }", {"id": motion}
    )["motion"]
    assert state == {
        "status": "PENDING",
        "stages": [
            {"body": "COUNCIL", "status": "CLOSED"},
            {"body": "GENERAL_ASSEMBLY", "status": "PENDING"},
        ],
    }
    result = aii.vote(motion, "GENERAL_ASSEMBLY", assembly, present=6, yes=3)
    assert numbers(result) == (9, 6, 3, 3)
    assert result["passed"] and result["rule"] == "AII Art.19; AII Art.30"

    def amended() -> dict[str, Any] | None:
        found: dict[str, Any] = aii.clerk.data(
            "query($s: String!) { alliance(slug: $s) { charterVersion charter { version reason "
            "motionId adoptedBy document } charterVersions { version motionId } } }",
            {"s": aii.slug},
        )["alliance"]
        # (the fields resolve concurrently, each in its own read: wait until all show it)
        seen = [found["charterVersion"], found["charter"]["version"], len(found["charterVersions"])]
        return found if seen == [2, 2, 2] else None

    found = until(amended)
    assert found["charter"]["document"]["name"]["en"] == changes[0]["new"]
    assert found["charter"]["motionId"] == motion and found["charter"]["adoptedBy"] == "governance"
    assert motion in found["charter"]["reason"] and "AII Art.19" in found["charter"]["reason"]
    assert [v["motionId"] for v in found["charterVersions"]] == [None, motion]


def test_a_china_asean_withdrawal_is_approved_by_a_council_vote(platform: Platform) -> None:
    """China–ASEAN Art.21.3: 联盟成员提出书面申请，经联盟理事会批准后退出联盟. The council is
    convened by the secretary-general (Art.23.2(3))."""
    alliance = Alliance(platform, "china-asean", "gw")
    alliance.convener = Caller(
        platform, f"{alliance.slug}-sg", alliances={alliance.slug: ["secretary_general"]}
    )
    alliance.admit(3, "COUNCIL")
    council = alliance.seats("COUNCIL", 3)
    leaver = alliance.members[2]
    asked = alliance.person(leaver["contact"]).data(
        'mutation($m: ID!) { requestWithdrawal(membershipId: $m, reason: "业务调整") '
        "{ id status } }",
        {"m": leaver["membership"]},
    )["requestWithdrawal"]
    assert asked["status"] == "FORWARDED"
    motion = alliance.pending("WITHDRAWAL", asked["id"])
    result = alliance.vote(motion, "COUNCIL", council, present=3, yes=2)
    assert numbers(result) == (3, 3, 2, 1)
    assert result["quorate"] and result["passed"] and result["outcome"] == "PASSED"
    assert result["rule"] == "default"  # Art.21.3 names the council but no majority

    def withdrawn() -> dict[str, Any] | None:
        found = alliance.membership(leaver["membership"])
        return found if found["status"] == "WITHDRAWN" else None

    last = until(withdrawn)["timeline"][-1]
    assert (last["change"], last["toValue"], last["actor"]) == ("status", "withdrawn", "governance")
    assert last["rule"] == "China-ASEAN Art.21.3"
    assert motion in last["reason"] and "council" in last["reason"]


def test_an_aii_director_that_missed_three_council_meetings_held_on_the_platform_is_demoted(
    platform: Platform,
) -> None:
    """AII Art.13: 如连续三次不参加者，视为自动降级. Three council meetings convened and their
    attendance closed on the platform; membership counts them from
    ``governance.attendance.recorded`` and the director becomes an ordinary member."""
    alliance = Alliance(platform, "aii", "gd")
    alliance.admit(3, "STANDING_COUNCIL")
    council = alliance.seats("COUNCIL", 3)
    absent = next(m for m in alliance.members if m["contact"] == council[2]["holderUserId"])
    meetings = []
    for month in (3, 6, 9):
        meeting = alliance.convene("COUNCIL", [], f"2026-{month:02d}-10T09:00:00+08:00")
        quorum = alliance.attend(meeting, council, present=2)
        assert (quorum["present"], quorum["seats"], quorum["quorate"]) == (2, 3, True)
        alliance.clerk.data(
            "mutation($g: ID!) { closeAttendance(meeting: $g) { attendanceClosed } }",
            {"g": meeting},
        )
        meetings.append(meeting)

    def demoted() -> dict[str, Any] | None:
        found = alliance.membership(absent["membership"])
        return found if found["tier"] == "ORDINARY" else None

    last = until(demoted)["timeline"][-1]
    assert (last["change"], last["fromValue"], last["toValue"]) == ("tier", "director", "ordinary")
    assert last["rule"] == "AII Art.13" and all(m in last["reason"] for m in meetings)
    for m in alliance.members:
        if m is not absent:
            assert alliance.membership(m["membership"])["tier"] == "DIRECTOR"

    # Governance moves the seat when it consumes membership's tier change, a moment after
    # membership shows the demotion: wait for it rather than read it once.
    def unseated() -> dict[str, Any] | None:
        seat = alliance.clerk.data(
            "query($id: ID!) { seat(id: $id) { consecutiveAbsences active } }",
            {"id": council[2]["id"]},
        )["seat"]
        return seat if not seat["active"] else None

    assert until(unseated) == {"consecutiveAbsences": 3, "active": False}
    # The demoted member no longer sits on the council.
    assert {s["id"] for s in alliance.seats("COUNCIL", 2)} == {s["id"] for s in council[:2]}

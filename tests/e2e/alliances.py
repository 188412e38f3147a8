"""The alliances of the end-to-end tests, as their people see them through the gateway: an
AITISA alliance with its members, officers and chair's office (working groups, AITISA Art.4-12),
and a China–ASEAN alliance with its council (budgets, final accounts and the audit, Art.27).
Shared by the test modules; nothing here asserts a charter rule itself."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from devkit.local.platform import Platform
from tests.e2e.client import (
    DECIDE,
    FORWARD,
    SUBMIT,
    Caller,
    application,
    create_alliance,
    decision,
    operator,
    staff,
    until,
)

YEAR = datetime.now(UTC).year + 1
"""The fiscal year the China–ASEAN budget tests draft (next year's)."""


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def open_at_meeting(
    convener: Caller,
    clerk: Caller,
    *,
    slug: str,
    body: str,
    title: str,
    motion: str,
    seats: list[dict[str, str]],
    starts_at: str,
    place: str,
) -> str:
    """A meeting of ``body`` convened in person with ``motion`` on its agenda, every seat in
    ``seats`` recorded present, and the motion's vote opened at it: the stage's id."""
    meeting = convener.data(
        "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
        {
            "i": {
                "alliance": slug,
                "body": body,
                "title": title,
                "mode": "IN_PERSON",
                "startsAt": starts_at,
                "place": place,
                "agenda": [motion],
            }
        },
    )["conveneMeeting"]["id"]
    clerk.data(
        "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
        "entries: $e) { id } }",
        {"g": meeting, "e": [{"seat": s["id"], "status": "PRESENT"} for s in seats]},
    )
    stage: str = clerk.data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": motion, "g": meeting},
    )["openVote"]["id"]
    return stage


def cast(platform: Platform, slug: str, seat: dict[str, str], stage: str, choice: str) -> None:
    """The seat's holder casts ``choice`` (YES, NO, ABSTAIN) on ``stage``."""
    Caller(platform, seat["holderUserId"], alliances={slug: ["contact_person"]}).data(
        "mutation($s: ID!, $t: ID!, $c: BallotChoice!) { castBallot(stage: $s, seat: $t, "
        "choice: $c) { receipt } }",
        {"s": stage, "t": seat["id"], "c": choice},
    )


def close(clerk: Caller, stage: str) -> dict[str, Any]:
    """The vote closed: its stored result."""
    result: dict[str, Any] = clerk.data(
        "mutation($s: ID!) { closeVote(stage: $s) { result { passed rule present entitled "
        "yes } } }",
        {"s": stage},
    )["closeVote"]["result"]
    return result


class Alliance:
    """A new alliance on the AITISA template, as its people see it through the gateway."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.slug = f"wg{uuid.uuid4().hex[:8]}"
        create_alliance(
            operator(platform),
            {"slug": self.slug, "nameZh": "推进组测试联盟", "template": "aitisa"},
        )
        self.clerk = staff(platform, self.slug)
        self.members: list[dict[str, str]] = []
        tag = uuid.uuid4().hex[:6]
        self.chair = f"wg-e2e-chair-{tag}"
        self.sg = f"wg-e2e-sg-{tag}"

    def contact(self, member: dict[str, str]) -> Caller:
        return Caller(self.platform, member["contact"], alliances={self.slug: ["contact_person"]})

    def admit(self, count: int) -> None:
        for i in range(count):
            sub = f"wg-e2e-{uuid.uuid4().hex[:6]}"
            contact = Caller(self.platform, sub, alliances={self.slug: ["contact_person"]})
            name = f"推进组端到端成员{i} {uuid.uuid4().hex[:4]}"
            form = application("aitisa", name)
            form["i"]["alliance"] = self.slug
            made = contact.data(SUBMIT, form)["submitApplication"]["id"]
            self.clerk.data(FORWARD, {"id": made})
            membership = self.clerk.data(DECIDE, {"id": made, "d": decision("COUNCIL")})[
                "recordDecision"
            ]["membership"]["id"]
            org = operator(self.platform).data(
                "query($id: ID!) { membership(id: $id) { organization { id } } }",
                {"id": membership},
            )["membership"]["organization"]["id"]
            self.members.append({"org": org, "contact": sub, "name": name})

    def officers(self) -> None:
        for user, role in ((self.chair, "chair"), (self.sg, "secretary_general")):
            self.clerk.data(
                "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
                {"i": {"alliance": self.slug, "userId": user, "name": role, "role": role}},
            )

    def chair_seats(self) -> list[dict[str, str]]:
        """The chair's office seats (ours among them: other tests may have added chairs)."""

        def seats() -> list[dict[str, str]] | None:
            bodies = self.clerk.data(
                "query($s: String!) { alliance(slug: $s) { bodies { kind seats { id "
                "holderUserId } } } }",
                {"s": self.slug},
            )["alliance"]["bodies"]
            found = next(b["seats"] for b in bodies if b["kind"] == "CHAIRS_OFFICE")
            return found if any(s["holderUserId"] == self.chair for s in found) else None

        found: list[dict[str, str]] = until(seats)
        return found

    def apply(
        self, members: list[dict[str, str]], by: Caller | None = None, **extra: Any
    ) -> dict[str, Any]:
        """The answer to ``members``' application for a working group, once governance has heard
        of every admission: it learns of them from membership's events, a moment after
        ``admit``, so a ``NOT_A_MEMBER`` for members admitted here means "not yet"."""

        def answered() -> dict[str, Any] | None:
            made = self._apply(members, by, **extra)
            return None if codes(made) == ["NOT_A_MEMBER"] else made

        answer: dict[str, Any] = until(answered)
        return answer

    def _apply(
        self, members: list[dict[str, str]], by: Caller | None, **extra: Any
    ) -> dict[str, Any]:
        return (by or self.contact(members[0])).execute(
            "mutation($i: WorkingGroupApplicationInput!) { applyForWorkingGroup(input: $i) "
            "{ id status filedOn } }",
            {
                "i": {
                    "alliance": self.slug,
                    "nameZh": f"智能语音推进组 {uuid.uuid4().hex[:4]}",
                    "nameEn": "Speech working group",
                    "kind": "domain",
                    "leadOrganization": members[0]["org"],
                    "initiators": [
                        {
                            "organization": m["org"],
                            "contactUserId": m["contact"],
                            "contactName": "联络人",
                        }
                        for m in members
                    ],
                    "positioning": "语音交互标准",
                    "field": "智能语音",
                    "currentState": "快速发展",
                    "necessity": "需要统一标准",
                    "modeOfOperation": "研讨会",
                    "overlap": "无",
                    **extra,
                }
            },
        )

    def group(self, group_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.clerk.data(
            "query($id: ID!) { workingGroup(id: $id) { id status nameZh filedOn "
            "deadlines { deadline rule startOn dueOn provisional } "
            "dissolutionDeadlines { deadline dueOn } "
            "creationMotion { id } dissolutionMotion { id } "
            "members { id organizationId holderUserId role } } }",
            {"id": group_id},
        )["workingGroup"]
        return found

    def chairs_office(self, motion: str, yes: bool = True) -> None:
        seats = self.chair_seats()
        stage = open_at_meeting(
            self.clerk,
            self.clerk,
            slug=self.slug,
            body="CHAIRS_OFFICE",
            title=f"理事长办公会 {uuid.uuid4().hex[:4]}",
            motion=motion,
            seats=seats,
            starts_at="2026-11-20T09:00:00+08:00",
            place="北京",
        )
        for seat in seats:
            cast(self.platform, self.slug, seat, stage, "YES" if yes else "NO")
        close(self.clerk, stage)

    def ballot(self, user: str, stage: str, seat: str, yes: bool = True) -> None:
        """``user`` casts for ``seat`` (its holder, or the holder of its written proxy)."""
        cast(
            self.platform,
            self.slug,
            {"id": seat, "holderUserId": user},
            stage,
            "YES" if yes else "NO",
        )

    def applied(self, members: list[dict[str, str]]) -> dict[str, Any]:
        """``members``' application for a working group, accepted."""
        made = self.apply(members)
        assert not codes(made), made
        return made

    def found(self, members: list[dict[str, str]]) -> str:
        group_id: str = self.applied(members)["data"]["applyForWorkingGroup"]["id"]
        self.clerk.data(
            "mutation($g: ID!) { answerWorkingGroupApplication(group: $g, forward: true) { id } }",
            {"g": group_id},
        )
        self.chairs_office(self.group(group_id)["creationMotion"]["id"])
        return group_id

    def meeting(self, group_id: str, leader: Caller, agenda: list[str], day: int) -> str:
        made: str = leader.data(
            "mutation($g: ID!, $i: WorkingGroupMeetingInput!) { conveneWorkingGroupMeeting("
            "group: $g, input: $i) { id } }",
            {
                "g": group_id,
                "i": {
                    "title": f"工作会议 {uuid.uuid4().hex[:4]}",
                    "mode": "IN_PERSON",
                    "startsAt": (
                        datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=day)
                    ).isoformat(),
                    "place": "北京",
                    "agenda": agenda,
                },
            },
        )["conveneWorkingGroupMeeting"]["id"]
        return made

    def attend(self, meeting: str, entries: list[dict[str, Any]], close: bool = False) -> None:
        self.clerk.data(
            "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
            "entries: $e) { id } }",
            {"g": meeting, "e": entries},
        )
        if close:
            self.clerk.data(
                "mutation($g: ID!) { closeAttendance(meeting: $g) { id } }", {"g": meeting}
            )


def notices(platform: Platform, user: str, event_type: str) -> list[dict[str, Any]]:
    found = Caller(platform, user).data(
        "{ myNotifications(first: 50) { edges { node { title body eventType } } } }"
    )["myNotifications"]["edges"]
    return [e["node"] for e in found if e["node"]["eventType"] == event_type]


class ChinaAsean:
    def __init__(self, platform: Platform, directors: int) -> None:
        self.platform = platform
        self.slug = f"ca{uuid.uuid4().hex[:8]}"
        create_alliance(
            operator(platform),
            {"slug": self.slug, "nameZh": "中国—东盟测试联盟", "template": "china-asean"},
        )
        self.clerk = staff(platform, self.slug)
        self.sg = Caller(platform, f"{self.slug}-sg", alliances={self.slug: ["secretary_general"]})
        for i in range(directors):
            sub = f"{self.slug}-d{i}"
            contact = Caller(platform, sub, alliances={self.slug: ["contact_person"]})
            form = application("china-asean", f"东盟理事单位{i} {uuid.uuid4().hex[:4]}")
            form["i"]["alliance"] = self.slug
            made = contact.data(SUBMIT, form)["submitApplication"]["id"]
            self.clerk.data(FORWARD, {"id": made})
            self.clerk.data(DECIDE, {"id": made, "d": decision("COUNCIL")})
        self.seats: list[dict[str, str]] = until(lambda: self._council(directors))

    def _council(self, count: int) -> list[dict[str, str]] | None:
        bodies = self.clerk.data(
            "query($s: String!) { alliance(slug: $s) { bodies { kind seats { id holderUserId } "
            "} } }",
            {"s": self.slug},
        )["alliance"]["bodies"]
        seats: list[dict[str, str]] = next(
            (b["seats"] for b in bodies if b["kind"] == "COUNCIL"), []
        )
        return seats if len(seats) == count and all(s["holderUserId"] for s in seats) else None

    def budget(self, year: int = YEAR) -> str:
        budget: str = self.clerk.data(
            "mutation($a: String!, $y: Int!) { createBudget(alliance: $a, fiscalYear: $y) { id } }",
            {"a": self.slug, "y": year},
        )["createBudget"]["id"]
        for account, amount in (("510101", "120000"), ("520101", "30000")):
            self.clerk.data(
                "mutation($b: ID!, $a: String!, $m: Decimal!) { setBudgetLine(budgetId: $b, "
                "account: $a, amount: $m) { id } }",
                {"b": budget, "a": account, "m": amount},
            )
        submitted = self.clerk.data(
            "mutation($b: ID!) { submitBudget(budgetId: $b) { status } }", {"b": budget}
        )
        assert submitted["submitBudget"]["status"] == "SUBMITTED"
        return budget

    def officers(self) -> None:
        """The secretary-general's office recorded in membership (so notices reach them)."""
        self.clerk.data(
            "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
            {
                "i": {
                    "alliance": self.slug,
                    "userId": self.sg.sub,
                    "name": "秘书长",
                    "role": "secretary_general",
                }
            },
        )

    def pending_motion(self, seen: set[str], matter: str = "BUDGET_APPROVAL") -> str:
        """The newest motion of ``matter`` that is not in ``seen`` (governance makes it from
        finance's ``finance.matter.submitted``)."""

        def found() -> str | None:
            data = self.clerk.data(
                "query($s: String!, $m: MatterKind!) { alliance(slug: $s) { motions(first: 20, "
                "matter: $m) { edges { node { id status } } } } }",
                {"s": self.slug, "m": matter},
            )
            fresh = [
                e["node"]["id"]
                for e in data["alliance"]["motions"]["edges"]
                if e["node"]["id"] not in seen
            ]
            return fresh[0] if fresh else None

        motion: str = until(found)
        return motion

    def council_vote(
        self, motion: str, yes: int, title: str = f"{YEAR}年度预算审议"
    ) -> dict[str, Any]:
        stage = self.open_council_vote(motion, f"{title} {uuid.uuid4().hex[:4]}")
        for i, seat in enumerate(self.seats):
            cast(self.platform, self.slug, seat, stage, "YES" if i < yes else "NO")
        return close(self.clerk, stage)

    def open_council_vote(self, motion: str, title: str) -> str:
        """The council meets (convened by the secretary-general), all present; the vote opens."""
        return open_at_meeting(
            self.sg,
            self.clerk,
            slug=self.slug,
            body="COUNCIL",
            title=title,
            motion=motion,
            seats=self.seats,
            starts_at=f"{YEAR - 1}-12-20T09:00:00+07:00",
            place="南宁",
        )

"""AITISA working groups (推进组管理办法): founding (Art.4), members and leaders (Art.7, 9),
meetings, resolutions and absences (Art.7(6), 10), dissolution (Art.6)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from devkit.local.provision import ServiceDatabase
from devkit.testing.subgraph import SubgraphClient, claims_for
from services.governance.tests.support import World, codes, outbox_events, person

GROUP_FIELDS = (
    "id status nameZh filedOn answeredOn answerReasons decidedOn rejectionReasons belowMinimum "
    "minimumMembers meetingsHeld meetingsRequired dissolutionRoute dissolutionReviewedOn "
    "dissolutionNotifiedOn objectedOn dissolvedOn initiators { organizationName lead "
    "contactUserId } members { id organizationId organizationName holderUserId role active } "
    "creationMotion { id status } dissolutionMotion { id status stages { body status } } "
    "deadlines { deadline rule startOn n unit dueOn provisional } "
    "dissolutionDeadlines { deadline rule startOn dueOn }"
)


def sg(slug: str) -> dict[str, Any]:
    return claims_for(f"{slug}-sg", alliances={slug: ["secretary_general"]})


async def aitisa(governance: SubgraphClient, nats_url: str, members: int) -> World:
    world = World(governance, nats_url, f"aitisa-{uuid.uuid4().hex[:8]}", "aitisa")
    await world.adopt()
    # Director members: their council seats show that governance has the roster.
    await world.admit({f"会员{i}": "director" for i in range(1, members + 1)})
    await world.officer(f"{world.slug}-chair", "chair")
    await world.seats("COUNCIL", members)
    await world.seats("CHAIRS_OFFICE", 1)
    return world


def application(world: World, names: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "alliance": world.slug,
        "nameZh": extra.pop("nameZh", f"智能语音推进组{uuid.uuid4().hex[:4]}"),
        "nameEn": "Speech working group",
        "kind": "domain",
        "leadOrganization": str(world.orgs[names[0]]),
        "initiators": [
            {
                "organization": str(world.orgs[n]),
                "contactUserId": f"{n}-contact",
                "contactName": f"{n}联络人",
            }
            for n in names
        ],
        "positioning": "语音交互技术标准",
        "field": "智能语音",
        "currentState": "产业快速发展",
        "necessity": "需要统一标准",
        "modeOfOperation": "研讨会与标准起草",
        "overlap": "与现有推进组无重叠",
        **extra,
    }


async def apply(world: World, names: list[str], **extra: Any) -> dict[str, Any]:
    return await world.raw(
        "mutation($i: WorkingGroupApplicationInput!) { applyForWorkingGroup(input: $i) "
        "{ id status filedOn } }",
        {"i": application(world, names, **extra)},
        claims=person(f"{names[0]}-contact", world.slug),
    )


async def group(world: World, group_id: str) -> dict[str, Any]:
    data = await world.q(
        f"query($id: ID!) {{ workingGroup(id: $id) {{ {GROUP_FIELDS} }} }}", {"id": group_id}
    )
    found: dict[str, Any] = data["workingGroup"]
    return found


async def answer(
    world: World, group_id: str, forward: bool, reasons: str | None = None
) -> dict[str, Any]:
    return await world.raw(
        "mutation($g: ID!, $f: Boolean!, $r: String) { answerWorkingGroupApplication("
        "group: $g, forward: $f, reasons: $r) { id status } }",
        {"g": group_id, "f": forward, "r": reasons},
    )


async def chairs_office_decides(world: World, motion_id: str, yes: bool) -> dict[str, Any]:
    [chair] = await world.seats("CHAIRS_OFFICE", 1)
    meeting = await world.convene("CHAIRS_OFFICE", agenda=[motion_id])
    assert not (await world.attend(meeting, [{"seat": chair["id"], "status": "PRESENT"}])).get(
        "errors"
    )
    opened = await world.open_vote(motion_id, meeting)
    assert not opened.get("errors"), opened
    stage = opened["data"]["openVote"]["id"]
    assert not (await world.cast(stage, chair, "yes" if yes else "no")).get("errors")
    return await world.close(stage)


async def founded(world: World, names: list[str]) -> str:
    """A group applied for by ``names``, forwarded and approved."""
    applied = await apply(world, names)
    assert not applied.get("errors"), applied
    group_id = applied["data"]["applyForWorkingGroup"]["id"]
    assert not (await answer(world, group_id, True)).get("errors")
    motion = (await group(world, group_id))["creationMotion"]["id"]
    await chairs_office_decides(world, motion, yes=True)
    return str(group_id)


async def fill_post(
    world: World, group_id: str, org: str, user: str, post: str = "GROUP_LEADER"
) -> dict[str, Any]:
    return await world.raw(
        "mutation($g: ID!, $o: ID!, $u: String!, $p: WorkingGroupPost!) { "
        "fillWorkingGroupPost(group: $g, organization: $o, userId: $u, name: $u, post: $p) "
        "{ id role holderUserId } }",
        {"g": group_id, "o": str(world.orgs[org]), "u": user, "p": post},
    )


async def group_meeting(
    world: World, group_id: str, agenda: list[str] | None = None, starts: int = 0, **kw: Any
) -> dict[str, Any]:
    starts_at = datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=starts)
    return await world.raw(
        "mutation($g: ID!, $i: WorkingGroupMeetingInput!) { conveneWorkingGroupMeeting("
        "group: $g, input: $i) { id convenedAs } }",
        {
            "g": group_id,
            "i": {
                "title": f"工作会议 {uuid.uuid4().hex[:4]}",
                "mode": "IN_PERSON",
                "startsAt": starts_at.isoformat(),
                "place": "北京",
                "agenda": agenda or [],
            },
        },
        **kw,
    )


async def propose(world: World, group_id: str, matter: str, **kw: Any) -> dict[str, Any]:
    return await world.raw(
        "mutation($g: ID!, $m: MatterKind!) { proposeWorkingGroupMotion(group: $g, matter: $m, "
        'title: "议案") { id status stages { id body } } }',
        {"g": group_id, "m": matter},
        **kw,
    )


async def hold(world: World, meeting: str, entries: list[dict[str, Any]]) -> None:
    recorded = await world.attend(meeting, entries)
    assert not recorded.get("errors"), recorded
    closed = await world.raw(
        "mutation($m: ID!) { closeAttendance(meeting: $m) { id } }", {"m": meeting}
    )
    assert not closed.get("errors"), closed


NAMES = [f"会员{i}" for i in range(1, 7)]


# --------------------------------------------------------------------------- founding (Art.4)


async def test_five_member_organisations_may_apply_jointly_to_found_a_group_and_four_may_not(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    four = await apply(world, NAMES[:4])
    assert codes(four) == ["TOO_FEW_INITIATORS"]
    assert "AITISA Art.4(1)" in four["errors"][0]["message"]
    assert not (
        await world.q(
            "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { "
            "workingGroups { id } } } }",
            {"a": [{"__typename": "Alliance", "id": str(world.id)}]},
        )
    )["_entities"][0]["workingGroups"]
    five = await apply(world, NAMES[:5])
    assert not five.get("errors"), five
    found = await group(world, five["data"]["applyForWorkingGroup"]["id"])
    assert found["status"] == "APPLIED"
    assert [i["lead"] for i in found["initiators"]] == [True, False, False, False, False]
    assert found["initiators"][0]["organizationName"] == "会员1"
    [due] = found["deadlines"]
    assert (due["deadline"], due["rule"], due["n"]) == ("creation_answer", "AITISA Art.4(2)", 10)
    assert due["startOn"] == found["filedOn"] and due["dueOn"] > due["startOn"]


async def test_an_application_is_filed_by_an_initiators_contact_with_a_complete_report(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    outsider = await world.raw(
        "mutation($i: WorkingGroupApplicationInput!) { applyForWorkingGroup(input: $i) { id } }",
        {"i": application(world, NAMES[:5])},
        claims=person("会员6-contact", world.slug),
    )
    assert codes(outsider) == ["FORBIDDEN"]
    assert codes(await apply(world, NAMES[:5], necessity=" ")) == ["REPORT_INCOMPLETE"]
    unknown = application(world, NAMES[:5])
    unknown["initiators"][4]["organization"] = str(uuid.uuid4())
    refused = await world.raw(
        "mutation($i: WorkingGroupApplicationInput!) { applyForWorkingGroup(input: $i) { id } }",
        {"i": unknown},
    )
    assert codes(refused) == ["NOT_A_MEMBER"]


async def test_the_secretariat_declines_an_application_only_with_its_reasons_told_the_initiators(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = (await apply(world, NAMES[:5]))["data"]["applyForWorkingGroup"]["id"]
    assert codes(await answer(world, group_id, False)) == ["REASONS_REQUIRED"]
    assert (await group(world, group_id))["status"] == "APPLIED"
    chair = claims_for(f"{world.slug}-chair", alliances={world.slug: ["chair"]})
    by_chair = await world.raw(
        "mutation($g: ID!) { answerWorkingGroupApplication(group: $g, forward: true) { id } }",
        {"g": group_id},
        claims=chair,
    )
    assert codes(by_chair) == ["FORBIDDEN"]
    declined = await answer(world, group_id, False, "与现有推进组业务重叠")
    assert declined["data"]["answerWorkingGroupApplication"]["status"] == "DECLINED"
    assert codes(await answer(world, group_id, True)) == ["ALREADY_ANSWERED"]
    events = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.application_answered"
        )
        if e["groupId"] == group_id
    ]
    assert len(events) == 1 and events[0]["forwarded"] is False
    assert events[0]["reasons"] == "与现有推进组业务重叠"
    assert sorted(events[0]["recipients"]) == sorted(f"{n}-contact" for n in NAMES[:5])


async def test_only_an_approved_group_holds_meetings_or_takes_motions(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = (await apply(world, NAMES[:5]))["data"]["applyForWorkingGroup"]["id"]
    assert codes(await group_meeting(world, group_id)) == ["GROUP_NOT_APPROVED"]
    assert codes(await propose(world, group_id, "ORDINARY_RESOLUTION")) == ["GROUP_NOT_APPROVED"]
    generic = await world.raw(
        "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
        {
            "i": {
                "alliance": world.slug,
                "body": "WORKING_GROUP",
                "title": "会议",
                "mode": "IN_PERSON",
                "startsAt": "2026-03-01T09:00:00+08:00",
                "place": "北京",
            }
        },
    )
    assert codes(generic) == ["GROUP_MEETING"]


async def test_the_chairs_office_approval_makes_the_applying_organisations_its_first_members(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:5])
    found = await group(world, group_id)
    assert found["status"] == "APPROVED" and found["creationMotion"]["status"] == "PASSED"
    assert sorted(m["organizationName"] for m in found["members"]) == sorted(NAMES[:5])
    assert found["belowMinimum"] is False and found["minimumMembers"] == 5
    assert found["meetingsRequired"] == 2


async def test_a_rejections_result_and_reasons_are_sent_to_the_initiators(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = (await apply(world, NAMES[:5]))["data"]["applyForWorkingGroup"]["id"]
    await answer(world, group_id, True)
    motion = (await group(world, group_id))["creationMotion"]["id"]
    await chairs_office_decides(world, motion, yes=False)
    assert (await group(world, group_id))["status"] == "REJECTED"
    assert codes(await group_meeting(world, group_id)) == ["GROUP_NOT_APPROVED"]
    notified = await world.raw(
        'mutation($g: ID!) { notifyWorkingGroupRejection(group: $g, reasons: "领域已有覆盖") '
        "{ rejectionReasons rejectionNotifiedOn } }",
        {"g": group_id},
    )
    assert notified["data"]["notifyWorkingGroupRejection"]["rejectionReasons"] == "领域已有覆盖"
    events = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.rejection_notified"
        )
        if e["groupId"] == group_id
    ]
    assert [e["reasons"] for e in events] == ["领域已有覆盖"]
    notice = next(
        d
        for d in (await group(world, group_id))["deadlines"]
        if d["deadline"] == "rejection_notice"
    )
    assert notice["rule"] == "AITISA Art.4(3)"
    assert sorted(events[0]["recipients"]) == sorted(f"{n}-contact" for n in NAMES[:5])


# --------------------------------------------------------------------------- leaders (Art.7)


async def test_a_group_has_one_leader_and_an_organisation_holds_one_post_in_a_group(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:5])
    led = await fill_post(world, group_id, "会员1", "leader-a")
    assert led["data"]["fillWorkingGroupPost"]["role"] == "group_leader"
    assert codes(await fill_post(world, group_id, "会员2", "leader-b")) == ["LEADER_POST_FILLED"]
    again = await fill_post(world, group_id, "会员1", "co-a", "GROUP_CO_LEADER")
    assert codes(again) == ["ORGANISATION_HOLDS_POST"]
    assert "AITISA Art.7(5)" in again["errors"][0]["message"]
    for org, user in (("会员2", "co-b"), ("会员3", "co-c")):
        filled = await fill_post(world, group_id, org, user, "GROUP_CO_LEADER")
        assert not filled.get("errors"), filled
    assert codes(await fill_post(world, group_id, "会员6", "x")) == ["NOT_A_GROUP_MEMBER"]
    roles = sorted(m["role"] or "" for m in (await group(world, group_id))["members"])
    assert roles == ["", "", "group_co_leader", "group_co_leader", "group_leader"]


async def test_a_person_leads_at_most_one_working_group_of_the_alliance(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    first = await founded(world, NAMES[:5])
    second = await founded(world, NAMES[1:6])
    assert not (await fill_post(world, first, "会员1", "expert")).get("errors")
    refused = await fill_post(world, second, "会员2", "expert")
    assert codes(refused) == ["LEADS_ANOTHER_GROUP"]
    assert "AITISA Art.7(4)" in refused["errors"][0]["message"]
    co = await fill_post(world, second, "会员2", "expert", "GROUP_CO_LEADER")
    assert not co.get("errors"), co  # co-leader posts are not limited


async def test_the_leader_admits_a_member_and_members_leave_freely_a_small_group_is_flagged(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:5])
    await fill_post(world, group_id, "会员1", "会员1-contact")
    request = await world.raw(
        "mutation($g: ID!, $o: ID!) { requestToJoinWorkingGroup(group: $g, organization: $o, "
        'representativeUserId: "rep6", representativeName: "代表六") { id status } }',
        {"g": group_id, "o": str(world.orgs["会员6"])},
        claims=person("会员6-contact", world.slug),
    )
    assert not request.get("errors"), request
    request_id = request["data"]["requestToJoinWorkingGroup"]["id"]
    decide = "mutation($r: ID!) { decideWorkingGroupRequest(request: $r, admit: true) { status } }"
    by_other = await world.raw(
        decide, {"r": request_id}, claims=person("会员2-contact", world.slug)
    )
    assert codes(by_other) == ["FORBIDDEN"]
    admitted = await world.raw(
        decide, {"r": request_id}, claims=person("会员1-contact", world.slug)
    )
    assert admitted["data"]["decideWorkingGroupRequest"]["status"] == "admitted"
    members = (await group(world, group_id))["members"]
    assert len(members) == 6
    leaving = "mutation($s: ID!) { leaveWorkingGroup(seat: $s) { active } }"
    for name in ("会员6", "会员5"):
        seat = next(m for m in members if m["organizationName"] == name)
        left = await world.raw(
            leaving, {"s": seat["id"]}, claims=person(f"{name}-contact", world.slug)
        )
        assert left["data"]["leaveWorkingGroup"]["active"] is False
    found = await group(world, group_id)
    assert len(found["members"]) == 4 and found["belowMinimum"] is True
    events = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.member_left"
        )
        if e["groupId"] == group_id
    ]
    assert [(e["reason"], e["members"], e["belowMinimum"]) for e in events] == [
        ("freely", 5, False),
        ("freely", 4, True),
    ]


# --------------------------------------------------------------------------- meetings (Art.10)


async def group_vote(
    world: World, group_id: str, *, present: int, proxies: int, yes: int, matter: str
) -> dict[str, Any]:
    members = (await group(world, group_id))["members"]
    motion = (await propose(world, group_id, matter))["data"]["proposeWorkingGroupMotion"]
    convened = await group_meeting(world, group_id, agenda=[motion["id"]])
    assert not convened.get("errors"), convened
    meeting = convened["data"]["conveneWorkingGroupMeeting"]["id"]
    entries = []
    for i, seat in enumerate(members):
        if i < present:
            entries.append({"seat": seat["id"], "status": "PRESENT"})
        elif i < present + proxies:
            entries.append(
                {
                    "seat": seat["id"],
                    "status": "PROXY",
                    "proxyHolder": members[0]["id"],
                    "proxyDocument": "书面委托书",
                }
            )
    assert not (await world.attend(meeting, entries)).get("errors")
    opened = await world.open_vote(motion["id"], meeting)
    assert not opened.get("errors"), opened
    stage = opened["data"]["openVote"]
    for i in range(present + proxies):
        seat = members[i]
        holder = members[0]["holderUserId"] if i >= present else seat["holderUserId"]
        cast = await world.cast(stage["id"], seat, "yes" if i < yes else "no", holder)
        assert not cast.get("errors"), cast
    result = await world.close(stage["id"])
    result["motion"] = motion["id"]
    result["ruleSource"] = stage["ruleSource"]
    return result


async def test_a_group_resolution_needs_half_its_members_present_proxies_counted_and_two_thirds(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:6])
    exact = await group_vote(
        world, group_id, present=2, proxies=1, yes=2, matter="ORDINARY_RESOLUTION"
    )
    assert exact["ruleSource"] == "AITISA Art.10(1)"
    result = exact["result"]
    assert (result["entitled"], result["attending"], result["yes"]) == (6, 3, 2)
    assert result["quorate"] and result["passed"]
    short = await group_vote(
        world, group_id, present=2, proxies=1, yes=1, matter="ORDINARY_RESOLUTION"
    )
    assert short["result"]["quorate"] and not short["result"]["passed"]
    thin = await group_vote(
        world, group_id, present=2, proxies=0, yes=2, matter="ORDINARY_RESOLUTION"
    )
    assert thin["result"]["outcome"] == "NOT_QUORATE"


async def test_after_two_absences_the_leader_is_told_and_after_three_the_member_has_left(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:6])
    await fill_post(world, group_id, "会员1", "会员1-contact")
    members = (await group(world, group_id))["members"]
    absent = next(m for m in members if m["organizationName"] == "会员6")
    others = [{"seat": m["id"], "status": "PRESENT"} for m in members if m is not absent]

    async def reminders() -> list[dict[str, Any]]:
        return [
            e
            for e in await outbox_events(
                governance_db.migration_dsn, "governance.working_group.absence_reminder"
            )
            if e["groupId"] == group_id
        ]

    for n in (1, 2):
        meeting = (await group_meeting(world, group_id, starts=n))["data"]
        await hold(world, meeting["conveneWorkingGroupMeeting"]["id"], others)
    sent = await reminders()
    assert [(e["organizationName"], e["absences"], e["recipients"]) for e in sent] == [
        ("会员6", 2, ["会员1-contact"])
    ]
    assert sent[0]["rule"] == "AITISA Art.7(6)"
    assert len((await group(world, group_id))["members"]) == 6
    meeting = (await group_meeting(world, group_id, starts=3))["data"]
    await hold(world, meeting["conveneWorkingGroupMeeting"]["id"], others)
    found = await group(world, group_id)
    assert "会员6" not in [m["organizationName"] for m in found["members"]]
    assert found["meetingsHeld"] == 3  # this year's, against the two Art.10(1) asks
    left = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.member_left"
        )
        if e["groupId"] == group_id
    ]
    assert [(e["reason"], e["absences"]) for e in left] == [("absences", 3)]
    assert sorted(left[0]["recipients"]) == sorted(m["holderUserId"] for m in members)
    assert len(await reminders()) == 1


# --------------------------------------------------------------------------- dissolution (Art.6)


async def test_members_dissolve_a_group_with_half_of_all_its_members_not_of_those_present(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:6])
    fewer = await group_vote(
        world, group_id, present=3, proxies=0, yes=2, matter="WORKING_GROUP_DISSOLUTION"
    )
    assert not fewer["result"]["passed"]  # 2 of 3 present, but 2 of 6 members
    half = await group_vote(
        world, group_id, present=4, proxies=0, yes=3, matter="WORKING_GROUP_DISSOLUTION"
    )
    assert half["result"]["passed"] and half["ruleSource"] == "AITISA Art.6"
    motion = half["motion"]
    meeting = await world.convene("CHAIRS_OFFICE", agenda=[motion])
    assert codes(await world.open_vote(motion, meeting)) == ["NOT_REVIEWED"]
    reviewed = await world.raw(
        'mutation($g: ID!) { reviewWorkingGroupDissolution(group: $g, reasons: "需求已涵盖") '
        "{ dissolutionReviewedOn } }",
        {"g": group_id},
    )
    assert reviewed["data"]["reviewWorkingGroupDissolution"]["dissolutionReviewedOn"]
    await chairs_office_decides(world, motion, yes=True)
    found = await group(world, group_id)
    assert found["status"] == "DISSOLVED" and found["members"] == []
    assert codes(await group_meeting(world, group_id)) == ["GROUP_NOT_APPROVED"]


async def secretary_general_moves(world: World, group_id: str, days_ago: int) -> dict[str, Any]:
    """The motion and its written notice, made ``days_ago`` and recorded today."""
    on = (datetime.now(UTC).date() - timedelta(days=days_ago)).isoformat()
    moved = await world.raw(
        "mutation($g: ID!, $d: Date!) { moveWorkingGroupDissolution(group: $g, "
        'ground: "inactive", reasons: "未开展必要工作", movedOn: $d) { dissolutionRoute } }',
        {"g": group_id, "d": on},
        claims=sg(world.slug),
    )
    assert moved["data"]["moveWorkingGroupDissolution"]["dissolutionRoute"] == "secretary_general"
    # The group's window: 10 days from the notice, its day not counted (Civil Code Art.201).
    return await world.raw(
        "mutation($g: ID!, $d: Date!) { notifyWorkingGroupDissolution(group: $g, notifiedOn: $d) "
        "{ dissolutionNotifiedOn } }",
        {"g": group_id, "d": on},
        claims=sg(world.slug),
    )


OBJECT = (
    'mutation($g: ID!) { objectToWorkingGroupDissolution(group: $g, objection: "已开展工作") '
    "{ objectedOn } }"
)


async def test_the_group_may_object_within_ten_days_of_the_notice_and_not_after_its_window(
    governance: SubgraphClient, nats_url: str
) -> None:
    """AITISA Art.6: 在接到书面通知 10 日内可向理事长办公会提出异议. Told 10 days ago, the group's
    window runs today (its last day, or later where the tenth day is a rest day: Civil Code
    Art.203); told 25 days ago, it is over whatever the holidays. The exact boundary (open on
    the last day, closed the day after) is test_deadlines' with fixed dates: with the real
    clock, "the day after the last day" does not exist on a Sunday."""
    world = await aitisa(governance, nats_url, 6)
    await world.officer(f"{world.slug}-sg", "secretary_general")
    on_time = await founded(world, NAMES[:5])
    late = await founded(world, NAMES[1:6])
    await fill_post(world, on_time, "会员1", "会员1-contact")
    await fill_post(world, late, "会员2", "会员2-contact")
    assert codes(
        await world.raw(
            'mutation($g: ID!) { moveWorkingGroupDissolution(group: $g, ground: "inactive", '
            'reasons: "x") { id } }',
            {"g": on_time},
        )
    ) == ["FORBIDDEN"]
    bad_ground = await world.raw(
        'mutation($g: ID!) { moveWorkingGroupDissolution(group: $g, ground: "no_demand", '
        'reasons: "x") { id } }',
        {"g": on_time},
        claims=sg(world.slug),
    )
    assert codes(bad_ground) == ["BAD_GROUND"]
    assert not (await secretary_general_moves(world, on_time, 10)).get("errors")
    assert not (await secretary_general_moves(world, late, 25)).get("errors")
    objected = await world.raw(OBJECT, {"g": on_time}, claims=person("会员1-contact", world.slug))
    assert not objected.get("errors"), objected
    windows = {
        g: next(
            d
            for d in (await group(world, g))["dissolutionDeadlines"]
            if d["deadline"] == "dissolution_objection"
        )
        for g in (on_time, late)
    }
    today = datetime.now(UTC).date()
    assert windows[on_time]["dueOn"] >= today.isoformat()  # the last day, or later: still open
    assert windows[late]["dueOn"] < today.isoformat()
    refused = await world.raw(OBJECT, {"g": late}, claims=person("会员2-contact", world.slug))
    assert codes(refused) == ["WINDOW_CLOSED"]
    assert (await group(world, late))["objectedOn"] is None
    # The chair's office hears the objection, then decides; the late group's window is over.
    for group_id in (on_time, late):
        motion = (await group(world, group_id))["dissolutionMotion"]["id"]
        await chairs_office_decides(world, motion, yes=group_id == late)
    assert (await group(world, on_time))["status"] == "APPROVED"
    assert (await group(world, late))["status"] == "DISSOLVED"


async def test_the_chairs_office_decides_only_after_the_notice_and_the_objection_window(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:5])
    await world.raw(
        'mutation($g: ID!) { moveWorkingGroupDissolution(group: $g, ground: "too_few_members", '
        'reasons: "成员不足") { id } }',
        {"g": group_id},
        claims=sg(world.slug),
    )
    motion = (await group(world, group_id))["dissolutionMotion"]["id"]
    meeting = await world.convene("CHAIRS_OFFICE", agenda=[motion])
    assert codes(await world.open_vote(motion, meeting)) == ["NOTICE_NOT_GIVEN"]
    await world.raw(
        "mutation($g: ID!) { notifyWorkingGroupDissolution(group: $g) { id } }",
        {"g": group_id},
        claims=sg(world.slug),
    )
    assert codes(await world.open_vote(motion, meeting)) == ["OBJECTION_WINDOW_OPEN"]


# --------------------------------------------------------------------------- renaming (Art.5)


async def test_the_plenary_applies_to_rename_the_secretariat_reviews_the_chairs_office_approves(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:6])
    former = (await group(world, group_id))["nameZh"]
    proposed = await world.raw(
        'mutation($g: ID!) { proposeWorkingGroupRename(group: $g, nameZh: "智能语音与对话推进组", '
        'nameEn: "Speech and dialogue working group") { id stages { body } } }',
        {"g": group_id},
    )
    motion = proposed["data"]["proposeWorkingGroupRename"]
    assert [s["body"] for s in motion["stages"]] == ["WORKING_GROUP", "CHAIRS_OFFICE"]
    review = "mutation($g: ID!) { reviewWorkingGroupRename(group: $g) { renameReviewedOn } }"
    assert codes(await world.raw(review, {"g": group_id})) == ["NO_RENAME"]
    await plenary_passes(world, group_id, motion)
    office = await world.convene("CHAIRS_OFFICE", agenda=[motion["id"]])
    assert codes(await world.open_vote(motion["id"], office)) == ["NOT_REVIEWED"]
    assert not (await world.raw(review, {"g": group_id})).get("errors")
    await chairs_office_decides(world, motion["id"], yes=True)
    assert (await group(world, group_id))["nameZh"] == "智能语音与对话推进组"
    renamed = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.renamed"
        )
        if e["groupId"] == group_id
    ]
    assert [(e["formerNameZh"], e["rule"]) for e in renamed] == [(former, "AITISA Art.5")]


MOTION = "query($id: ID!) { motion(id: $id) { status declinedReasons stages { status } } }"


async def test_the_secretariat_may_decline_a_renaming_at_review_only_with_reasons_told_the_group(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:6])
    former = (await group(world, group_id))["nameZh"]
    rename = (
        'mutation($g: ID!) { proposeWorkingGroupRename(group: $g, nameZh: "语音推进组", '
        'nameEn: "Voice working group") { id } }'
    )
    motion = (await world.raw(rename, {"g": group_id}))["data"]["proposeWorkingGroupRename"]
    await plenary_passes(world, group_id, motion)
    decline = (
        "mutation($g: ID!, $r: String!) { reviewWorkingGroupRename(group: $g, forward: false, "
        "reasons: $r) { nameZh renameReviewedOn } }"
    )
    assert codes(await world.raw(decline, {"g": group_id, "r": "  "})) == ["REASONS_REQUIRED"]
    clerk_only = await world.raw(decline, {"g": group_id, "r": "重名"}, claims=sg(world.slug))
    assert codes(clerk_only) == ["FORBIDDEN"]
    declined = await world.raw(decline, {"g": group_id, "r": "新名称与现有推进组重叠"})
    assert declined["data"]["reviewWorkingGroupRename"] == {
        "nameZh": former,
        "renameReviewedOn": None,
    }
    ended = (await world.raw(MOTION, {"id": motion["id"]}))["data"]["motion"]
    assert ended == {
        "status": "DECLINED",
        "declinedReasons": "新名称与现有推进组重叠",
        "stages": [{"status": "CLOSED"}, {"status": "SKIPPED"}],
    }
    # The chair's office cannot take it up; a second review has nothing to review.
    office = await world.convene("CHAIRS_OFFICE", agenda=[])
    assert codes(await world.open_vote(motion["id"], office)) == ["MOTION_DECIDED"]
    assert codes(await world.raw(decline, {"g": group_id, "r": "再次"})) == ["NO_RENAME"]
    told = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.review_declined"
        )
        if e["groupId"] == group_id
    ]
    assert [(e["matter"], e["reasons"], e["rule"], len(e["recipients"])) for e in told] == [
        ("working_group_rename", "新名称与现有推进组重叠", "AITISA Art.5", 6)
    ]
    # The plenary may apply again.
    again = await world.raw(rename, {"g": group_id})
    assert again["data"]["proposeWorkingGroupRename"]["id"] != motion["id"]


async def test_the_secretariat_may_decline_the_members_dissolution_and_the_group_goes_on(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:6])
    half = await group_vote(
        world, group_id, present=4, proxies=0, yes=3, matter="WORKING_GROUP_DISSOLUTION"
    )
    assert half["result"]["passed"]
    decline = (
        "mutation($g: ID!, $r: String!) { reviewWorkingGroupDissolution(group: $g, "
        "forward: false, reasons: $r) { status dissolutionRoute dissolutionReviewedOn } }"
    )
    assert codes(await world.raw(decline, {"g": group_id, "r": ""})) == ["REASONS_REQUIRED"]
    declined = await world.raw(decline, {"g": group_id, "r": "推进组仍有在研项目"})
    assert declined["data"]["reviewWorkingGroupDissolution"] == {
        "status": "APPROVED",
        "dissolutionRoute": None,
        "dissolutionReviewedOn": None,
    }
    ended = (await world.raw(MOTION, {"id": half["motion"]}))["data"]["motion"]
    assert (ended["status"], ended["stages"][-1]["status"]) == ("DECLINED", "SKIPPED")
    assert codes(await world.raw(decline, {"g": group_id, "r": "再次"})) == ["NO_DISSOLUTION"]
    told = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.review_declined"
        )
        if e["groupId"] == group_id
    ]
    assert [(e["matter"], e["rule"]) for e in told] == [
        ("working_group_dissolution", "AITISA Art.6")
    ]
    assert not (await group_meeting(world, group_id)).get("errors")  # it goes on meeting


async def plenary_passes(world: World, group_id: str, motion: dict[str, Any]) -> None:
    """Four of the group's six members present, all for."""
    members = (await group(world, group_id))["members"]
    meeting = (await group_meeting(world, group_id, agenda=[motion["id"]]))["data"]
    meeting_id = meeting["conveneWorkingGroupMeeting"]["id"]
    await world.attend(meeting_id, [{"seat": m["id"], "status": "PRESENT"} for m in members[:4]])
    stage = (await world.open_vote(motion["id"], meeting_id))["data"]["openVote"]
    for seat in members[:4]:
        await world.cast(stage["id"], seat, "yes")
    assert (await world.close(stage["id"]))["result"]["passed"]


# ------------------------------------------------------------------- activity rules (Art.14)


async def test_a_groups_own_activity_rules_apply_only_once_the_chairs_office_approves_them(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:6])
    made = await world.raw(
        'mutation($g: ID!) { proposeWorkingGroupRules(group: $g, text: "每季度召开一次会议") '
        "{ id stages { body } } }",
        {"g": group_id},
    )
    motion = made["data"]["proposeWorkingGroupRules"]
    assert [s["body"] for s in motion["stages"]] == ["WORKING_GROUP", "CHAIRS_OFFICE"]
    await plenary_passes(world, group_id, motion)
    adopted = await world.q(
        "query($id: ID!) { workingGroup(id: $id) { rules proposedRules } }", {"id": group_id}
    )
    assert adopted["workingGroup"] == {"rules": None, "proposedRules": "每季度召开一次会议"}
    await chairs_office_decides(world, motion["id"], yes=True)
    approved = await world.q(
        "query($id: ID!) { workingGroup(id: $id) { rules rulesApprovedOn } }", {"id": group_id}
    )
    assert approved["workingGroup"]["rules"] == "每季度召开一次会议"


# --------------------------------------------------------------------------- evaluation (Art.11)


async def test_the_secretariat_evaluates_a_reported_year_and_a_warning_needs_corrective_actions(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:5])
    report = (
        "mutation($g: ID!) { reportWorkingGroupYear(group: $g, year: 2026, "
        'report: "召开工作会议两次，发布技术报告") { id status } }'
    )
    reported = await world.raw(report, {"g": group_id})
    evaluation = reported["data"]["reportWorkingGroupYear"]["id"]
    assert codes(await world.raw(report, {"g": group_id})) == ["ALREADY_REPORTED"]
    evaluate = (
        "mutation($e: ID!, $a: String) { evaluateWorkingGroup(evaluation: $e, result: WARNING, "
        'findings: "活动不足", correctiveActions: $a) { status motionId } }'
    )
    assert codes(await world.raw(evaluate, {"e": evaluation, "a": None})) == [
        "CORRECTIVE_ACTIONS_REQUIRED"
    ]
    evaluated = await world.raw(evaluate, {"e": evaluation, "a": "每年至少召开两次工作会议"})
    motion = evaluated["data"]["evaluateWorkingGroup"]["motionId"]
    await chairs_office_decides(world, motion, yes=True)
    found = await world.q(
        "query($id: ID!) { workingGroup(id: $id) { evaluations { year status result "
        "correctiveActions approvedOn } } }",
        {"id": group_id},
    )
    [year] = found["workingGroup"]["evaluations"]
    assert (year["year"], year["status"], year["result"]) == (2026, "approved", "WARNING")
    published = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.evaluated"
        )
        if e["groupId"] == group_id
    ]
    assert [(e["result"], e["correctiveActions"], e["rule"]) for e in published] == [
        ("warning", "每年至少召开两次工作会议", "AITISA Art.11")
    ]


# --------------------------------------------------------------------------- the year (Art.10)


async def test_a_year_with_fewer_than_two_working_meetings_is_noted_once_to_the_leader(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    from governance import working_groups
    from servicekit.db import Database
    from servicekit.tenancy import TenantScope

    world = await aitisa(governance, nats_url, 6)
    group_id = await founded(world, NAMES[:5])
    await fill_post(world, group_id, "会员1", "会员1-contact")
    this_year = datetime.now(UTC).year
    await hold_on(world, group_id, datetime(this_year + 1, 3, 1, 9, tzinfo=UTC))
    database = Database(governance_db.app_url)
    try:
        for _ in range(2):  # the worker runs again: noted once
            async with database.transaction(TenantScope.everything()) as session:
                await working_groups.note_missed_meetings(session, date(this_year + 2, 1, 5))
    finally:
        await database.dispose()
    noted = [
        e
        for e in await outbox_events(
            governance_db.migration_dsn, "governance.working_group.meetings_missed"
        )
        if e["groupId"] == group_id
    ]
    assert [(e["year"], e["held"], e["minimum"], e["rule"]) for e in noted] == [
        (this_year + 1, 1, 2, "AITISA Art.10(1)")
    ]
    assert noted[0]["recipients"] == ["会员1-contact"]


async def hold_on(world: World, group_id: str, starts_at: datetime) -> None:
    members = (await group(world, group_id))["members"]
    made = await world.raw(
        "mutation($g: ID!, $i: WorkingGroupMeetingInput!) { conveneWorkingGroupMeeting("
        "group: $g, input: $i) { id } }",
        {
            "g": group_id,
            "i": {
                "title": "年度工作会议",
                "mode": "IN_PERSON",
                "startsAt": starts_at.isoformat(),
                "place": "北京",
            },
        },
    )
    meeting = made["data"]["conveneWorkingGroupMeeting"]["id"]
    await hold(world, meeting, [{"seat": m["id"], "status": "PRESENT"} for m in members])

"""AITISA working groups end to end, through the gateway (推进组管理办法): a group founded by 5
member organisations (4 refused), the secretariat's answer due on the alliance's calendar,
approved by the chair's office meeting, a resolution at its boundary, a member reminded after
two absences and gone after three (the notices reach the people), renamed, and dissolved both
ways, the objection window included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devkit.local.platform import Platform
from tests.e2e.alliances import Alliance, codes, notices
from tests.e2e.client import (
    Caller,
    until,
)


@pytest.fixture(scope="module")
def aitisa(platform: Platform) -> Alliance:
    alliance = Alliance(platform)
    alliance.admit(6)
    alliance.officers()
    alliance.chair_seats()
    return alliance


def test_a_group_founded_by_five_works_loses_an_absent_member_and_is_renamed(
    aitisa: Alliance,
) -> None:
    five, sixth = aitisa.members[:5], aitisa.members[5]
    assert codes(aitisa.apply(aitisa.members[:4])) == ["TOO_FEW_INITIATORS"]
    group_id = aitisa.found(five)
    group = aitisa.group(group_id)
    assert group["status"] == "APPROVED"
    [answer] = group["deadlines"]
    assert (answer["deadline"], answer["rule"]) == ("creation_answer", "AITISA Art.4(2)")
    assert answer["startOn"] == group["filedOn"] and answer["dueOn"] > answer["startOn"]

    lead = aitisa.contact(five[0])
    lead.data(
        "mutation($g: ID!, $o: ID!, $u: String!) { fillWorkingGroupPost(group: $g, "
        'organization: $o, userId: $u, name: "组长", post: GROUP_LEADER) { id } }',
        {"g": group_id, "o": five[0]["org"], "u": five[0]["contact"]},
    )
    request = aitisa.contact(sixth).data(
        "mutation($g: ID!, $o: ID!, $u: String!) { requestToJoinWorkingGroup(group: $g, "
        'organization: $o, representativeUserId: $u, representativeName: "代表") { id } }',
        {"g": group_id, "o": sixth["org"], "u": sixth["contact"]},
    )["requestToJoinWorkingGroup"]["id"]
    lead.data(
        "mutation($r: ID!) { decideWorkingGroupRequest(request: $r, admit: true) { status } }",
        {"r": request},
    )
    members = aitisa.group(group_id)["members"]
    assert len(members) == 6

    # A resolution at its boundary: 3 of 6 attending (one by written proxy), 2 of 3 for.
    motion = lead.data(
        "mutation($g: ID!) { proposeWorkingGroupMotion(group: $g, matter: ORDINARY_RESOLUTION, "
        'title: "年度工作计划") { id } }',
        {"g": group_id},
    )["proposeWorkingGroupMotion"]["id"]
    meeting = aitisa.meeting(group_id, lead, [motion], day=0)
    aitisa.attend(
        meeting,
        [
            {"seat": members[0]["id"], "status": "PRESENT"},
            {"seat": members[1]["id"], "status": "PRESENT"},
            {
                "seat": members[2]["id"],
                "status": "PROXY",
                "proxyHolder": members[0]["id"],
                "proxyDocument": "书面委托书",
            },
        ],
    )
    stage = aitisa.clerk.data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id ruleSource } }",
        {"m": motion, "g": meeting},
    )["openVote"]
    assert stage["ruleSource"] == "AITISA Art.10(1)"
    aitisa.ballot(members[0]["holderUserId"], stage["id"], members[0]["id"])
    aitisa.ballot(members[1]["holderUserId"], stage["id"], members[1]["id"])
    aitisa.ballot(members[0]["holderUserId"], stage["id"], members[2]["id"], yes=False)
    result = aitisa.clerk.data(
        "mutation($s: ID!) { closeVote(stage: $s) { result { attending yes passed } } }",
        {"s": stage["id"]},
    )["closeVote"]["result"]
    assert result == {"attending": 3, "yes": 2, "passed": True}

    # The sixth member misses three meetings in a row (the first meeting counts as one).
    present = [{"seat": m["id"], "status": "PRESENT"} for m in members[:5]]
    aitisa.attend(meeting, [], close=True)
    aitisa.attend(aitisa.meeting(group_id, lead, [], day=1), present, close=True)
    reminder = "governance.working_group.absence_reminder"
    reminders = until(lambda: notices(aitisa.platform, five[0]["contact"], reminder))
    assert "AITISA Art.7(6)" in reminders[0]["body"]
    aitisa.attend(aitisa.meeting(group_id, lead, [], day=2), present, close=True)
    assert sixth["org"] not in [m["organizationId"] for m in aitisa.group(group_id)["members"]]
    told = until(
        lambda: notices(aitisa.platform, sixth["contact"], "governance.working_group.member_left")
    )
    assert "AITISA Art.7(6)" in told[0]["body"]

    # Renamed: the plenary applies, the secretariat reviews, the chair's office approves.
    rename = lead.data(
        'mutation($g: ID!) { proposeWorkingGroupRename(group: $g, nameZh: "智能语音与对话推进组", '
        'nameEn: "Speech and dialogue working group") { id } }',
        {"g": group_id},
    )["proposeWorkingGroupRename"]["id"]
    plenary = aitisa.meeting(group_id, lead, [rename], day=3)
    members = aitisa.group(group_id)["members"]
    aitisa.attend(plenary, [{"seat": m["id"], "status": "PRESENT"} for m in members])
    vote = aitisa.clerk.data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": rename, "g": plenary},
    )["openVote"]["id"]
    for m in members:
        aitisa.ballot(m["holderUserId"], vote, m["id"])
    aitisa.clerk.data("mutation($s: ID!) { closeVote(stage: $s) { id } }", {"s": vote})
    aitisa.clerk.data(
        "mutation($g: ID!) { reviewWorkingGroupRename(group: $g) { id } }", {"g": group_id}
    )
    aitisa.chairs_office(rename)
    assert aitisa.group(group_id)["nameZh"] == "智能语音与对话推进组"

    # A second renaming the secretariat's review declines, with its reasons told the group.
    again = lead.data(
        'mutation($g: ID!) { proposeWorkingGroupRename(group: $g, nameZh: "对话推进组", '
        'nameEn: "Dialogue working group") { id } }',
        {"g": group_id},
    )["proposeWorkingGroupRename"]["id"]
    plenary = aitisa.meeting(group_id, lead, [again], day=5)
    aitisa.attend(plenary, [{"seat": m["id"], "status": "PRESENT"} for m in members])
    vote = aitisa.clerk.data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": again, "g": plenary},
    )["openVote"]["id"]
    for m in members:
        aitisa.ballot(m["holderUserId"], vote, m["id"])
    aitisa.clerk.data("mutation($s: ID!) { closeVote(stage: $s) { id } }", {"s": vote})
    declined = aitisa.clerk.data(
        "mutation($g: ID!) { reviewWorkingGroupRename(group: $g, forward: false, "
        'reasons: "名称范围过窄") { nameZh } }',
        {"g": group_id},
    )["reviewWorkingGroupRename"]
    assert declined == {"nameZh": "智能语音与对话推进组"}
    told = until(
        lambda: notices(
            aitisa.platform, five[1]["contact"], "governance.working_group.review_declined"
        )
    )
    assert "名称范围过窄" in told[0]["body"] and "AITISA Art.5" in told[0]["body"]

    # Its own activity rules: its meeting adopts them, the chair's office approves (Art.14).
    rules = lead.data(
        'mutation($g: ID!) { proposeWorkingGroupRules(group: $g, text: "每季度召开工作会议") '
        "{ id } }",
        {"g": group_id},
    )["proposeWorkingGroupRules"]["id"]
    plenary = aitisa.meeting(group_id, lead, [rules], day=6)
    aitisa.attend(plenary, [{"seat": m["id"], "status": "PRESENT"} for m in members])
    vote = aitisa.clerk.data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": rules, "g": plenary},
    )["openVote"]["id"]
    for m in members:
        aitisa.ballot(m["holderUserId"], vote, m["id"])
    aitisa.clerk.data("mutation($s: ID!) { closeVote(stage: $s) { id } }", {"s": vote})
    aitisa.chairs_office(rules)
    approved = "governance.working_group.rules_approved"
    told = until(lambda: notices(aitisa.platform, five[1]["contact"], approved))
    assert "AITISA Art.14" in told[0]["body"]

    # Its year reported, evaluated by the secretariat, approved by the chair's office (Art.11).
    reported = lead.data(
        "mutation($g: ID!, $y: Int!) { reportWorkingGroupYear(group: $g, year: $y, "
        'report: "完成两项标准草案") { id } }',
        {"g": group_id, "y": datetime.now(UTC).year},
    )["reportWorkingGroupYear"]["id"]
    evaluation = aitisa.clerk.data(
        "mutation($e: ID!) { evaluateWorkingGroup(evaluation: $e, result: COMMENDATION, "
        'findings: "成果突出") { motionId } }',
        {"e": reported},
    )["evaluateWorkingGroup"]["motionId"]
    aitisa.chairs_office(evaluation)
    evaluated = "governance.working_group.evaluated"
    told = until(lambda: notices(aitisa.platform, five[1]["contact"], evaluated))
    assert "AITISA Art.11" in told[0]["body"]

    # Dissolved by its members: at least 1/2 of all five, then review, then the chair's office.
    dissolve = lead.data(
        "mutation($g: ID!) { proposeWorkingGroupMotion(group: $g, "
        'matter: WORKING_GROUP_DISSOLUTION, title: "申请撤销") { id } }',
        {"g": group_id},
    )["proposeWorkingGroupMotion"]["id"]
    sitting = aitisa.meeting(group_id, lead, [dissolve], day=4)
    aitisa.attend(sitting, [{"seat": m["id"], "status": "PRESENT"} for m in members[:3]])
    vote = aitisa.clerk.data(
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": dissolve, "g": sitting},
    )["openVote"]["id"]
    for m in members[:3]:
        aitisa.ballot(m["holderUserId"], vote, m["id"])
    closed = aitisa.clerk.data(
        "mutation($s: ID!) { closeVote(stage: $s) { result { passed rule } } }", {"s": vote}
    )["closeVote"]["result"]
    assert closed == {"passed": True, "rule": "AITISA Art.6"}  # 3 of all 5 members
    aitisa.clerk.data(
        "mutation($g: ID!) { reviewWorkingGroupDissolution(group: $g) { id } }", {"g": group_id}
    )
    aitisa.chairs_office(dissolve)
    assert aitisa.group(group_id)["status"] == "DISSOLVED"


def test_the_answer_to_an_application_received_before_national_day_counts_the_make_up_day(
    aitisa: Alliance,
) -> None:
    """AITISA Art.4(2): the secretariat answers within 10 working days of receipt. Received on
    Wednesday 30 September 2026, the National Day holiday (1-7 October) is not counted and the
    make-up working day, Saturday 10 October, is: due on Tuesday 20 October (21 without it)."""
    received = "2026-09-30"
    refused = aitisa.apply(aitisa.members[:5], receivedOn=received)  # a contact may not backdate
    assert codes(refused) == ["FORBIDDEN"]
    future = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    stale = (datetime.now(UTC).date() - timedelta(days=400)).isoformat()
    for wrong in (future, stale):
        assert codes(aitisa.apply(aitisa.members[:5], aitisa.clerk, receivedOn=wrong)) == [
            "BAD_RECEIPT_DATE"
        ]
    filed = aitisa.apply(aitisa.members[:5], aitisa.clerk, receivedOn=received)
    assert not filed.get("errors"), filed
    group = aitisa.group(filed["data"]["applyForWorkingGroup"]["id"])
    assert group["filedOn"] == received
    [answer] = group["deadlines"]
    assert answer == {
        "deadline": "creation_answer",
        "rule": "AITISA Art.4(2)",
        "startOn": received,
        "dueOn": "2026-10-20",
        "provisional": False,
    }


def test_the_secretary_generals_motion_leaves_the_group_ten_days_to_object(
    aitisa: Alliance,
) -> None:
    sg = Caller(aitisa.platform, aitisa.sg, alliances={aitisa.slug: ["secretary_general"]})
    groups = {}
    # Told 10 days ago: the window runs today (its last day, or later where the tenth day is a
    # rest day, Civil Code Art.203); told 25 days ago: over, whatever the holidays.
    for days_ago, members in ((10, aitisa.members[:5]), (25, aitisa.members[1:6])):
        group_id = aitisa.found(members)
        leader = aitisa.contact(members[0])
        aitisa.clerk.data(
            "mutation($g: ID!, $o: ID!, $u: String!) { fillWorkingGroupPost(group: $g, "
            'organization: $o, userId: $u, name: "组长", post: GROUP_LEADER) { id } }',
            {"g": group_id, "o": members[0]["org"], "u": members[0]["contact"]},
        )
        on = (datetime.now(UTC).date() - timedelta(days=days_ago)).isoformat()
        sg.data(
            "mutation($g: ID!, $d: Date!) { moveWorkingGroupDissolution(group: $g, "
            'ground: "inactive", reasons: "未开展必要工作", movedOn: $d) { id } }',
            {"g": group_id, "d": on},
        )
        sg.data(
            "mutation($g: ID!, $d: Date!) { notifyWorkingGroupDissolution(group: $g, "
            "notifiedOn: $d) { id } }",
            {"g": group_id, "d": on},
        )
        groups[days_ago] = (group_id, leader)
    objection = (
        'mutation($g: ID!) { objectToWorkingGroupDissolution(group: $g, objection: "已开展工作") '
        "{ objectedOn } }"
    )
    on_time, late = groups[10], groups[25]
    assert not on_time[1].execute(objection, {"g": on_time[0]}).get("errors")
    assert codes(late[1].execute(objection, {"g": late[0]})) == ["WINDOW_CLOSED"]
    told = until(
        lambda: notices(
            aitisa.platform,
            aitisa.members[1]["contact"],
            "governance.working_group.dissolution_notified",
        )
    )
    assert any("10" in n["body"] for n in told)
    aitisa.chairs_office(aitisa.group(late[0])["dissolutionMotion"]["id"])
    assert aitisa.group(late[0])["status"] == "DISSOLVED"

"""AII council and assembly votes on the platform: the charter's rules at their boundaries."""

from __future__ import annotations

import uuid

from devkit.testing.subgraph import SubgraphClient, running, statements_of
from governance.app import create_app
from services.governance.tests.support import World, codes, staff

DIRECTORS = {f"理事单位{i}": "director" for i in range(1, 10)}


async def aii(governance: SubgraphClient, nats_url: str, members: dict[str, str]) -> World:
    world = World(governance, nats_url, f"aii-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    await world.admit(members)
    return world


async def council_vote(world: World, present: int, yes: int, no: int = 0) -> dict:
    seats = await world.seats("COUNCIL", 9)
    motion = await world.propose("COUNCIL", "ORDINARY_RESOLUTION", "年度工作报告")
    motion_id = motion["data"]["proposeMotion"]["id"]
    meeting = await world.convene("COUNCIL", agenda=[motion_id])
    attended = await world.attend(
        meeting,
        [
            {"seat": s["id"], "status": "PRESENT" if i < present else "ABSENT"}
            for i, s in enumerate(seats)
        ],
    )
    assert not attended.get("errors"), attended
    stage = (await world.open_vote(motion_id, meeting))["data"]["openVote"]
    assert stage["ruleSource"] == "AII Art.23"
    for i in range(yes):
        assert not (await world.cast(stage["id"], seats[i], "yes")).get("errors")
    for i in range(yes, yes + no):
        assert not (await world.cast(stage["id"], seats[i], "no")).get("errors")
    return await world.close(stage["id"])


async def test_a_council_resolution_with_exactly_two_thirds_present_and_two_thirds_yes_passes(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)
    closed = await council_vote(world, present=6, yes=4, no=2)
    result = closed["result"]
    assert (result["entitled"], result["present"], result["yes"]) == (9, 6, 4)
    assert result["quorate"] and result["passed"] and result["outcome"] == "PASSED"
    assert result["rule"] == "AII Art.23"
    assert "AII Art.23" in result["explanationZh"] and "6 of 9 present" in result["explanationEn"]
    assert len(closed["ballotListHash"]) == 64


async def test_one_yes_vote_less_than_two_thirds_of_those_present_fails(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)
    result = (await council_vote(world, present=6, yes=3, no=3))["result"]
    assert result["quorate"] and not result["passed"] and result["outcome"] == "FAILED"


async def test_a_council_with_one_director_less_than_two_thirds_present_is_not_quorate(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)
    result = (await council_vote(world, present=5, yes=5))["result"]
    assert result["outcome"] == "NOT_QUORATE"
    assert (result["entitled"], result["present"], result["yes"]) == (9, 5, 5)
    assert not result["quorate"] and not result["passed"]


async def test_an_assembly_resolution_passes_with_exactly_half_of_those_present_voting_yes(
    governance: SubgraphClient, nats_url: str
) -> None:
    members = {f"会员{i}": "ordinary" for i in range(1, 10)}
    world = await aii(governance, nats_url, members)
    seats = await world.seats("GENERAL_ASSEMBLY", 9)
    for yes, passed in ((3, True), (2, False)):
        motion = (await world.propose("GENERAL_ASSEMBLY", "ORDINARY_RESOLUTION"))["data"]
        motion_id = motion["proposeMotion"]["id"]
        meeting = await world.convene("GENERAL_ASSEMBLY", agenda=[motion_id])
        await world.attend(
            meeting,
            [
                {"seat": s["id"], "status": "PRESENT" if i < 6 else "ABSENT"}
                for i, s in enumerate(seats)
            ],
        )
        stage = (await world.open_vote(motion_id, meeting))["data"]["openVote"]
        for i in range(6):
            await world.cast(stage["id"], seats[i], "yes" if i < yes else "no")
        result = (await world.close(stage["id"]))["result"]
        assert (result["present"], result["yes"], result["passed"]) == (6, yes, passed)
        assert result["rule"] == "AII Art.19"


async def test_closing_twice_returns_the_same_stored_result(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)
    seats = await world.seats("COUNCIL", 9)
    motion_id = (await world.propose("COUNCIL", "ORDINARY_RESOLUTION"))["data"]["proposeMotion"][
        "id"
    ]
    meeting = await world.convene("COUNCIL", agenda=[motion_id])
    await world.attend(meeting, [{"seat": s["id"], "status": "PRESENT"} for s in seats])
    stage = (await world.open_vote(motion_id, meeting))["data"]["openVote"]
    for s in seats[:7]:
        await world.cast(stage["id"], s, "yes")
    first = await world.close(stage["id"])
    late = await world.cast(stage["id"], seats[8], "no")
    assert codes(late) == ["VOTE_CLOSED"]
    assert await world.close(stage["id"]) == first


async def test_ballots_refused_with_typed_errors_and_nothing_changes(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)
    seats = await world.seats("COUNCIL", 9)
    motion_id = (await world.propose("COUNCIL", "ORDINARY_RESOLUTION"))["data"]["proposeMotion"][
        "id"
    ]
    meeting = await world.convene("COUNCIL", agenda=[motion_id])
    await world.attend(
        meeting,
        [
            {"seat": s["id"], "status": "PRESENT" if i < 8 else "ABSENT"}
            for i, s in enumerate(seats)
        ],
    )
    stage_row = await world.q(
        "query($id: ID!) { motion(id: $id) { stages { id } } }", {"id": motion_id}
    )
    pending_stage = stage_row["motion"]["stages"][0]["id"]
    assert codes(await world.cast(pending_stage, seats[0], "yes")) == ["VOTE_NOT_OPEN"]
    stage = (await world.open_vote(motion_id, meeting))["data"]["openVote"]
    assert codes(await world.cast(stage["id"], seats[0], "yes", user="someone-else")) == [
        "FORBIDDEN"
    ]
    assert codes(await world.cast(stage["id"], seats[8], "yes")) == ["NOT_PRESENT"]
    assert not (await world.cast(stage["id"], seats[0], "yes")).get("errors")
    assert codes(await world.cast(stage["id"], seats[0], "no")) == ["ALREADY_VOTED"]
    # AII admits no written proxies (Art.19, Art.23).
    refused = await world.attend(
        meeting,
        [
            {
                "seat": seats[8]["id"],
                "status": "PROXY",
                "proxyHolder": seats[0]["id"],
                "proxyDocument": "委托书",
            }
        ],
    )
    assert codes(refused) == ["PROXY_NOT_ALLOWED"]
    turnout = await world.q(
        "query($id: ID!) { motion(id: $id) { stages { turnout { ballots yes no } } } }",
        {"id": motion_id},
    )
    assert turnout["motion"]["stages"][0]["turnout"] == {"ballots": 1, "yes": 1, "no": 0}


async def test_a_body_may_not_vote_on_a_matter_outside_its_powers(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, {})
    # AII Art.24: the standing council exercises only Art.22 (1), (5), (8), (9), (10).
    refused = await world.propose(
        "STANDING_COUNCIL", "CHARTER_AMENDMENT", changes=[{"path": "name.en", "new": "X"}]
    )
    assert codes(refused) == ["NOT_IN_POWERS"]
    assert codes(await world.propose("STANDING_COUNCIL", "TIER_CHANGE")) == ["NOT_FORWARDED"]
    assert codes(await world.propose("GENERAL_ASSEMBLY", "EXPULSION")) == ["NOT_FORWARDED"]
    assert codes(await world.propose("EXPERT_COMMITTEE", "ORDINARY_RESOLUTION")) == [
        "NOT_IN_POWERS"
    ]
    motions = await world.q(
        "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { motions { "
        "totalCount } } } }",
        {"a": [{"__typename": "Alliance", "id": str(world.id)}]},
    )
    assert motions["_entities"][0]["motions"]["totalCount"] == 0


async def test_a_convened_meeting_calls_the_holders_of_the_bodys_seats(
    governance: SubgraphClient, nats_url: str
) -> None:
    """The meeting notice reaches the people who sit on the body (notifications files it from
    ``governance.meeting.convened``: its ``attendees``)."""
    import json

    import nats

    from servicekit.events.envelope import STREAM, subject_for

    world = await aii(governance, nats_url, DIRECTORS)
    seats = await world.seats("COUNCIL", 9)
    meeting = await world.convene("COUNCIL")
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            subject_for("governance.meeting.convened"),
            durable=f"t-{uuid.uuid4().hex[:8]}",
            stream=STREAM,
        )
        found = None
        for _ in range(30):  # (the relay publishes asynchronously)
            try:
                messages = await sub.fetch(100, timeout=1)
            except nats.errors.TimeoutError:
                continue
            for msg in messages:
                data = json.loads(msg.data)["data"]
                if data["meetingId"] == meeting:
                    found = data
            if found is not None:
                break
        assert found is not None, "the meeting's event was not published"
    finally:
        await nc.close()
    assert found["attendees"] == sorted(s["holderUserId"] for s in seats)
    assert len(found["attendees"]) == 9


async def test_closing_a_vote_costs_the_same_sql_statements_for_three_seats_as_for_nine(
    governance: SubgraphClient, nats_url: str
) -> None:
    """The close snapshots the entitled seats, presence and proxies and counts the ballots in
    set-wise statements: a constant, not one per seat or ballot (``make bench NAME=ballots``
    shows the same count at 2,000 seats)."""
    counts: dict[int, int] = {}
    quiet = governance.app.state.settings.model_copy(update={"run_workers": False})
    async with running(lambda: create_app(quiet)) as closer:
        for size in (3, 9):
            world = await aii(
                governance, nats_url, {f"理事单位{i}": "director" for i in range(1, size + 1)}
            )
            seats = await world.seats("COUNCIL", size)
            motion = (await world.propose("COUNCIL", "ORDINARY_RESOLUTION"))["data"][
                "proposeMotion"
            ]["id"]
            meeting = await world.convene("COUNCIL", agenda=[motion])
            await world.attend(meeting, [{"seat": s["id"], "status": "PRESENT"} for s in seats])
            stage = (await world.open_vote(motion, meeting))["data"]["openVote"]["id"]
            for s in seats:
                assert not (await world.cast(stage, s, "yes")).get("errors")
            with statements_of(closer.app) as statements:
                closed = await closer.data(
                    "mutation($s: ID!) { closeVote(stage: $s) { result { entitled yes passed } } }",
                    {"s": stage},
                    claims=staff(world.slug),
                )
            assert closed["closeVote"]["result"] == {"entitled": size, "yes": size, "passed": True}
            counts[size] = len(statements)
    assert counts[3] == counts[9] > 0, counts

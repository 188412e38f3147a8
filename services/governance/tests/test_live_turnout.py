"""``voteTurnout``: a vote's turnout followed live, ballot by ballot once each is committed, its
result at close; a secret vote shows only how many ballots; nobody follows another alliance's
vote."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from devkit.local.provision import ServiceDatabase
from devkit.testing.live import LiveSubscription, Served, served, subscription
from devkit.testing.subgraph import TEST_SECRET, SubgraphClient
from governance.app import create_app
from governance.settings import Settings
from services.governance.tests.support import World, staff

TURNOUT = """subscription($s: ID!) { voteTurnout(stage: $s) { stageId status
  turnout { ballots yes no abstain } result { yes no abstain passed outcome rule } } }"""
DIRECTORS = {f"理事单位{i}": "director" for i in range(1, 10)}


@pytest.fixture(scope="module")
async def live(governance_db: ServiceDatabase, nats_url: str) -> AsyncIterator[Served]:
    settings = Settings(
        database_url=governance_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        relay_idle_interval=0.05,
    )
    async with served(lambda: create_app(settings)) as app:
        yield app


async def open_council_vote(
    live: Served, nats_url: str, *, secret: bool = False
) -> tuple[World, str, list[dict[str, Any]]]:
    world = World(SubgraphClient(live.app), nats_url, f"aii-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    await world.admit(DIRECTORS)
    seats = await world.seats("COUNCIL", 9)
    motion = (await world.propose("COUNCIL", "ORDINARY_RESOLUTION", "年度工作报告"))["data"]
    motion_id = motion["proposeMotion"]["id"]
    meeting = await world.convene("COUNCIL", agenda=[motion_id])
    attended = await world.attend(meeting, [{"seat": s["id"], "status": "PRESENT"} for s in seats])
    assert not attended.get("errors"), attended
    stage = (await world.open_vote(motion_id, meeting, secret=secret))["data"]["openVote"]
    return world, stage["id"], seats


async def turnout(live: LiveSubscription) -> dict[str, Any]:
    result = await live.next()
    assert not result.get("errors"), result
    found: dict[str, Any] = result["data"]["voteTurnout"]
    return found


async def test_a_named_votes_turnout_is_followed_ballot_by_ballot_until_its_result(
    live: Served, nats_url: str
) -> None:
    world, stage, seats = await open_council_vote(live, nats_url)
    async with (
        subscription(live, TURNOUT, {"s": stage}, claims=staff(world.slug)) as following,
        subscription(live, TURNOUT, {"s": stage}, claims=staff(world.slug)) as also,
    ):
        # Two followers of one vote on one replica: one poller counts for both.
        assert live.app.state.live.poller_count == 1
        assert (await turnout(also))["turnout"]["ballots"] == 0
        now = await turnout(following)
        assert (now["stageId"], now["status"]) == (stage, "OPEN")
        assert now["turnout"] == {"ballots": 0, "yes": 0, "no": 0, "abstain": 0}
        assert now["result"] is None
        assert not (await world.cast(stage, seats[0], "yes")).get("errors")
        assert (await turnout(following))["turnout"] == {
            "ballots": 1,
            "yes": 1,
            "no": 0,
            "abstain": 0,
        }
        assert not (await world.cast(stage, seats[1], "no")).get("errors")
        assert (await turnout(following))["turnout"] == {
            "ballots": 2,
            "yes": 1,
            "no": 1,
            "abstain": 0,
        }
        # A refused second ballot of the same seat changes nothing and tells nobody.
        assert (await world.cast(stage, seats[0], "no")).get("errors")
        await following.nothing_within(0.5)
        await world.close(stage)
        closed = await turnout(following)
        assert closed["status"] == "CLOSED"
        assert closed["result"]["rule"] == "AII Art.23"
        assert (closed["result"]["yes"], closed["result"]["no"]) == (1, 1)
        assert (await following.message())["type"] == "complete"
        assert (await turnout(also))["turnout"]["ballots"] == 1  # the other one saw it too


async def test_a_secret_votes_turnout_shows_how_many_ballots_and_not_how_they_went(
    live: Served, nats_url: str
) -> None:
    world, stage, seats = await open_council_vote(live, nats_url, secret=True)
    async with subscription(live, TURNOUT, {"s": stage}, claims=staff(world.slug)) as following:
        assert (await turnout(following))["turnout"]["ballots"] == 0
        for seat in seats[:3]:
            assert not (await world.cast(stage, seat, "yes")).get("errors")
        seen = 0
        while seen < 3:
            now = await turnout(following)
            assert (now["turnout"]["yes"], now["turnout"]["no"]) == (None, None)
            assert now["turnout"]["abstain"] is None
            seen = now["turnout"]["ballots"]
        assert seen == 3


async def test_another_alliances_vote_and_a_malformed_id_are_refused_with_a_typed_error(
    live: Served, nats_url: str
) -> None:
    world, stage, _ = await open_council_vote(live, nats_url)
    outsider = staff(f"other-{uuid.uuid4().hex[:6]}")
    for claims, variables, code in (
        (outsider, {"s": stage}, "NOT_FOUND"),
        (staff(world.slug), {"s": str(uuid.uuid4())}, "NOT_FOUND"),
        (staff(world.slug), {"s": "not-an-id"}, "BAD_USER_INPUT"),
    ):
        async with subscription(live, TURNOUT, variables, claims=claims) as refused:
            result = await refused.next()
            assert result["data"] is None
            assert [e["extensions"]["code"] for e in result["errors"]] == [code], result


QUORUM = """subscription($g: ID!) { meetingQuorum(meeting: $g) { meetingId attendanceClosed
  quorum { seats present proxies quorate needed rule } } }"""


async def quorum(live: LiveSubscription) -> dict[str, Any]:
    result = await live.next()
    assert not result.get("errors"), result
    found: dict[str, Any] = result["data"]["meetingQuorum"]
    return found


async def test_a_meetings_quorum_is_followed_as_attendance_is_recorded_until_it_closes(
    live: Served, nats_url: str
) -> None:
    """AII Art.23: the council is quorate with two thirds of its directors present (6 of 9)."""
    world = World(SubgraphClient(live.app), nats_url, f"aii-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    await world.admit(DIRECTORS)
    seats = await world.seats("COUNCIL", 9)
    meeting = await world.convene("COUNCIL", agenda=[])
    async with subscription(live, QUORUM, {"g": meeting}, claims=staff(world.slug)) as following:
        now = await quorum(following)
        assert (now["meetingId"], now["attendanceClosed"]) == (meeting, False)
        assert now["quorum"] == {
            "seats": 9,
            "present": 0,
            "proxies": 0,
            "quorate": False,
            "needed": 6,
            "rule": "AII Art.23",
        }
        present = [{"seat": s["id"], "status": "PRESENT"} for s in seats[:5]]
        assert not (await world.attend(meeting, present)).get("errors")
        while (now := await quorum(following))["quorum"]["present"] < 5:
            pass
        assert not now["quorum"]["quorate"]
        assert not (
            await world.attend(meeting, [{"seat": seats[5]["id"], "status": "PRESENT"}])
        ).get("errors")
        while (now := await quorum(following))["quorum"]["present"] < 6:
            pass
        assert now["quorum"]["quorate"]
        # Recorded again as absent: the quorum follows it back down.
        absent = [{"seat": seats[5]["id"], "status": "ABSENT"}]
        assert not (await world.attend(meeting, absent)).get("errors")
        assert (await quorum(following))["quorum"]["quorate"] is False
        closed = await world.raw(
            "mutation($g: ID!) { closeAttendance(meeting: $g) { id } }", {"g": meeting}
        )
        assert not closed.get("errors"), closed
        last = await quorum(following)
        assert last["attendanceClosed"] and last["quorum"]["present"] == 5
        assert (await following.message())["type"] == "complete"


async def test_another_alliances_meeting_cannot_be_followed(live: Served, nats_url: str) -> None:
    world = World(SubgraphClient(live.app), nats_url, f"aii-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    meeting = await world.convene("COUNCIL", agenda=[])
    outsider = staff(f"other-{uuid.uuid4().hex[:6]}")
    for claims, variables, code in (
        (outsider, {"g": meeting}, "NOT_FOUND"),
        (staff(world.slug), {"g": "not-an-id"}, "BAD_USER_INPUT"),
    ):
        async with subscription(live, QUORUM, variables, claims=claims) as refused:
            result = await refused.next()
            assert result["data"] is None
            assert [e["extensions"]["code"] for e in result["errors"]] == [code], result

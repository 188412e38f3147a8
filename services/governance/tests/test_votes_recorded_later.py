"""A vote taken at a meeting in person and recorded by the secretariat later is decided on the
day it was taken (``closeVote(votedOn:)``): the motion, the stage and the figures say so. The
day is never in the future, never before the meeting began, at most a year back, and never for
a vote by correspondence (its deadline closes it); a bad one changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from devkit.testing.subgraph import SubgraphClient
from services.governance.tests.support import World, codes
from services.governance.tests.test_council_votes import DIRECTORS, aii
from services.governance.tests.test_figures import FIGURES

TODAY = datetime.now(UTC).date()
CLOSE = """mutation($s: ID!, $d: Date) { closeVote(stage: $s, votedOn: $d) { status closedAt
  openedAt result { passed } } }"""
MOTION = "query($id: ID!) { motion(id: $id) { status decidedAt stages { status closedAt } } }"


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


async def open_vote_at(world: World, held_on: date, *, mode: str = "IN_PERSON") -> tuple[str, str]:
    """A council meeting of ``held_on`` with everyone present and all voting yes: its motion
    and its open vote."""
    seats = await world.seats("COUNCIL", 9)
    motion = (await world.propose("COUNCIL", "ORDINARY_RESOLUTION", "年度工作报告"))["data"]
    motion_id = motion["proposeMotion"]["id"]
    meeting = await world.convene(
        "COUNCIL",
        mode=mode,
        agenda=[motion_id],
        starts_at=f"{held_on.isoformat()}T09:00:00+08:00",
        deadline=f"{(TODAY + timedelta(days=5)).isoformat()}T09:00:00+08:00"
        if mode == "CORRESPONDENCE"
        else None,
    )
    if mode == "IN_PERSON":
        await world.attend(meeting, [{"seat": s["id"], "status": "PRESENT"} for s in seats])
    stage = (await world.open_vote(motion_id, meeting))["data"]["openVote"]["id"]
    for s in seats:
        assert not (await world.cast(stage, s, "yes")).get("errors")
    return motion_id, stage


async def test_a_vote_recorded_later_is_decided_on_the_day_its_meeting_took_it(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)
    held = ago(60)
    motion, stage = await open_vote_at(world, held)
    closed: dict[str, Any] = await world.q(CLOSE, {"s": stage, "d": held.isoformat()})
    vote = closed["closeVote"]
    assert vote["status"] == "CLOSED" and vote["result"]["passed"]
    assert vote["closedAt"].startswith(held.isoformat())
    assert vote["openedAt"] <= vote["closedAt"]
    found = (await world.q(MOTION, {"id": motion}))["motion"]
    assert found["status"] == "PASSED" and found["decidedAt"].startswith(held.isoformat())

    month = held.replace(day=1).isoformat()
    figures = await world.q(
        FIGURES,
        {
            "r": [{"__typename": "Alliance", "id": str(world.id)}],
            "s": month,
            "u": TODAY.isoformat(),
        },
    )
    series = {p["period"]: p for p in figures["_entities"][0]["governanceFigures"]["series"]}
    assert (series[month]["motionsPassed"], series[month]["votesClosed"]) == (1, 1)
    assert series[month]["turnout"] == 1.0
    this_month = TODAY.replace(day=1).isoformat()
    if this_month != month:
        assert series[this_month]["votesClosed"] == 0


async def test_a_vote_day_in_the_future_before_the_meeting_or_over_a_year_back_changes_nothing(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)
    motion, stage = await open_vote_at(world, ago(30))
    for day in (ago(-1), ago(31)):
        refused = await world.raw(CLOSE, {"s": stage, "d": day.isoformat()})
        assert codes(refused) == ["BAD_VOTE_DATE"], (day, refused)
        assert refused["errors"][0]["extensions"]["field"] == "votedOn"
    found = (await world.q(MOTION, {"id": motion}))["motion"]
    assert found["status"] == "OPEN" and found["decidedAt"] is None
    assert [s["status"] for s in found["stages"]] == ["OPEN"]

    _, old = await open_vote_at(world, ago(400))
    assert codes(await world.raw(CLOSE, {"s": old, "d": ago(400).isoformat()})) == ["BAD_VOTE_DATE"]


async def test_a_vote_by_correspondence_is_not_recorded_with_a_day_of_its_own(
    governance: SubgraphClient, nats_url: str
) -> None:
    world = await aii(governance, nats_url, DIRECTORS)  # AII Art.23: council by correspondence
    _, stage = await open_vote_at(world, TODAY, mode="CORRESPONDENCE")
    refused = await world.raw(CLOSE, {"s": stage, "d": TODAY.isoformat()})
    assert codes(refused) == ["BAD_VOTE_DATE"]

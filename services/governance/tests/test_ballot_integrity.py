"""Ballot integrity: one ballot per seat per stage, ballots never changed, every ballot
acknowledged before a close counted and none after, deadlines closed by the service."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from devkit.local.provision import ServiceDatabase
from devkit.testing.events import eventually
from devkit.testing.subgraph import SubgraphClient
from services.governance.tests.support import World, codes

DIRECTORS = {f"理事单位{i}": "director" for i in range(1, 10)}


async def open_council_vote(
    governance: SubgraphClient,
    nats_url: str,
    *,
    mode: str = "IN_PERSON",
    deadline_in: float | None = None,
) -> tuple[World, list[dict[str, Any]], str]:
    world = World(governance, nats_url, f"aii-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    await world.admit(DIRECTORS)
    seats = await world.seats("COUNCIL", 9)
    motion_id = (await world.propose("COUNCIL", "ORDINARY_RESOLUTION"))["data"]["proposeMotion"][
        "id"
    ]
    now = datetime.now(UTC)
    deadline = None if deadline_in is None else (now + timedelta(seconds=deadline_in)).isoformat()
    starts = "2026-11-20T09:00:00+08:00" if deadline is None else now.isoformat()
    meeting = await world.convene(
        "COUNCIL", agenda=[motion_id], mode=mode, deadline=deadline, starts_at=starts
    )
    if mode == "IN_PERSON":
        await world.attend(meeting, [{"seat": s["id"], "status": "PRESENT"} for s in seats])
    opened = await world.open_vote(motion_id, meeting)
    assert not opened.get("errors"), opened
    return world, seats, opened["data"]["openVote"]["id"]


async def test_fifty_concurrent_casts_for_one_seat_leave_exactly_one_ballot(
    governance: SubgraphClient, nats_url: str
) -> None:
    world, seats, stage = await open_council_vote(governance, nats_url)
    results = await asyncio.gather(*(world.cast(stage, seats[0], "yes") for _ in range(50)))
    accepted = [r for r in results if not r.get("errors")]
    assert len(accepted) == 1
    assert {c for r in results for c in codes(r)} == {"ALREADY_VOTED"}
    closed = await world.close(stage)
    assert closed["result"]["yes"] == 1


async def test_casts_racing_a_close_agree_with_the_acknowledged_ballots(
    governance: SubgraphClient, nats_url: str
) -> None:
    rounds = 200
    world, seats, _ = await open_council_vote(governance, nats_url)
    motion_ids = []
    for _ in range(rounds):
        motion = await world.propose("COUNCIL", "ORDINARY_RESOLUTION")
        motion_ids.append(motion["data"]["proposeMotion"]["id"])
    meeting = await world.convene("COUNCIL", agenda=motion_ids)
    await world.attend(meeting, [{"seat": s["id"], "status": "PRESENT"} for s in seats])
    for motion_id in motion_ids:
        stage = (await world.open_vote(motion_id, meeting))["data"]["openVote"]["id"]
        casts = [asyncio.ensure_future(world.cast(stage, s, "yes")) for s in seats]
        await asyncio.sleep(0)
        closed = await world.close(stage)
        results = await asyncio.gather(*casts)
        acknowledged = sum(1 for r in results if not r.get("errors"))
        assert {c for r in results for c in codes(r)} <= {"VOTE_CLOSED"}
        assert closed["result"]["yes"] == acknowledged, (closed, results)


async def test_the_service_role_can_neither_update_nor_delete_a_ballot(
    governance: SubgraphClient, governance_db: ServiceDatabase, nats_url: str
) -> None:
    world, seats, stage = await open_council_vote(governance, nats_url)
    await world.cast(stage, seats[0], "no")
    for dsn in (governance_db.app_dsn, governance_db.migration_dsn):
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
            assert (
                await conn.fetchval(
                    "SELECT count(*) FROM ballots WHERE stage_id = $1", uuid.UUID(stage)
                )
                == 1
            )
            for statement in (
                "UPDATE ballots SET choice = 'yes' WHERE stage_id = $1",
                "DELETE FROM ballots WHERE stage_id = $1",
            ):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(statement, uuid.UUID(stage))
            assert (
                await conn.fetchval(
                    "SELECT choice FROM ballots WHERE stage_id = $1", uuid.UUID(stage)
                )
                == "no"
            )
        finally:
            await conn.close()


async def test_a_correspondence_vote_is_closed_at_its_deadline_by_the_service(
    governance: SubgraphClient, nats_url: str
) -> None:
    # AII Art.23: in special circumstances the council meets by correspondence.
    world, seats, stage = await open_council_vote(
        governance, nats_url, mode="CORRESPONDENCE", deadline_in=6
    )
    for s in seats[:7]:
        assert not (await world.cast(stage, s, "yes")).get("errors")

    async def closed() -> dict[str, Any] | None:
        data = await world.q("query($id: ID!) { seat(id: $id) { id } }", {"id": seats[0]["id"]})
        assert data["seat"]
        found = await world.q(
            "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { "
            "motions { edges { node { stages { status result { present yes passed } } } } } "
            "} } }",
            {"a": [{"__typename": "Alliance", "id": str(world.id)}]},
        )
        stages = found["_entities"][0]["motions"]["edges"][0]["node"]["stages"]
        return stages[0] if stages[0]["status"] == "CLOSED" else None

    found = await eventually(closed, within=15)
    assert found is not None
    # By correspondence, those who voted are those present: 7 of 9 ≥ 2/3, 7 yes ≥ 2/3 of 7.
    assert found["result"] == {"present": 7, "yes": 7, "passed": True}
    assert codes(await world.cast(stage, seats[8], "yes")) == ["VOTE_CLOSED"]

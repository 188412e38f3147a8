"""Multi-stage procedures and the hand-offs: charter amendment (AII Art.27), admission by the
standing council (AII Art.11, Art.24), withdrawal approved by the council (China–ASEAN
Art.21(3)), forwarded applications becoming motions once."""

from __future__ import annotations

import uuid
from typing import Any

from devkit.local.provision import ServiceDatabase
from devkit.testing.events import eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from services.governance.tests.support import World, codes, outbox_events

DIRECTORS = {f"理事单位{i}": "director" for i in range(1, 10)}


async def world_of(
    governance: SubgraphClient, nats_url: str, template: str, members: dict[str, str]
) -> World:
    world = World(governance, nats_url, f"{template}-{uuid.uuid4().hex[:8]}", template)
    await world.adopt()
    await world.admit(members)
    return world


async def vote(
    world: World, motion_id: str, body: str, seats: list[dict[str, Any]], present: int, yes: int
) -> dict[str, Any]:
    meeting = await world.convene(body, agenda=[motion_id])
    await world.attend(
        meeting,
        [
            {"seat": s["id"], "status": "PRESENT" if i < present else "ABSENT"}
            for i, s in enumerate(seats)
        ],
    )
    opened = await world.open_vote(motion_id, meeting)
    assert not opened.get("errors"), opened
    stage = opened["data"]["openVote"]["id"]
    for i in range(present):
        await world.cast(stage, seats[i], "yes" if i < yes else "no")
    return await world.close(stage)


async def test_an_aii_charter_amendment_needs_two_thirds_of_all_council_members_then_the_assembly(
    governance: SubgraphClient, governance_db: ServiceDatabase, nats_url: str
) -> None:
    world = await world_of(governance, nats_url, "aii", DIRECTORS)
    council = await world.seats("COUNCIL", 9)
    assembly = await world.seats("GENERAL_ASSEMBLY", 9)
    change = [{"path": "name.en", "new": "Alliance of Industrial Internet (AII)"}]

    failing = (await world.propose("COUNCIL", "CHARTER_AMENDMENT", "修改章程", change))["data"][
        "proposeMotion"
    ]
    assert [s["body"] for s in failing["stages"]] == ["COUNCIL", "GENERAL_ASSEMBLY"]
    # 7 of 9 attend; 5 yes is less than 2/3 of all nine (6): fails at the council.
    result = (await vote(world, failing["id"], "COUNCIL", council, present=7, yes=5))["result"]
    assert (result["quorate"], result["passed"], result["rule"]) == (
        True,
        False,
        "AII Art.23; AII Art.27",
    )
    assert "all 9 seats" in result["explanationEn"]

    motion = (await world.propose("COUNCIL", "CHARTER_AMENDMENT", "修改章程", change))["data"][
        "proposeMotion"
    ]
    # The assembly cannot vote before the council.
    early = await world.convene("GENERAL_ASSEMBLY", agenda=[])
    assert codes(await world.open_vote(motion["id"], early)) == ["STAGE_OUT_OF_ORDER"]
    passed = (await vote(world, motion["id"], "COUNCIL", council, present=7, yes=6))["result"]
    assert passed["passed"] and passed["yes"] == 6
    state = await world.q(
        "query($id: ID!) { motion(id: $id) { status stages { status } } }", {"id": motion["id"]}
    )
    assert state["motion"] == {
        "status": "PENDING",
        "stages": [{"status": "CLOSED"}, {"status": "PENDING"}],
    }
    final = (await vote(world, motion["id"], "GENERAL_ASSEMBLY", assembly, present=6, yes=3))[
        "result"
    ]
    assert final["passed"] and final["rule"] == "AII Art.19; AII Art.30"

    decided = {
        d["motionId"]: d
        for d in await outbox_events(governance_db.migration_dsn, "governance.motion.decided")
    }
    assert failing["id"] in decided, (failing["id"], list(decided))
    assert decided[failing["id"]]["passed"] is False and decided[failing["id"]]["changes"] == []
    assert decided[motion["id"]]["passed"] is True
    assert decided[motion["id"]]["body"] == "general_assembly"
    assert decided[motion["id"]]["changes"] == [
        {"path": "name.en", "old": None, "new": change[0]["new"]}
    ]


async def test_an_aii_admission_is_decided_by_a_standing_council_vote_on_the_forwarded_application(
    governance: SubgraphClient, governance_db: ServiceDatabase, nats_url: str
) -> None:
    world = await world_of(governance, nats_url, "aii", {})
    for user, role in (
        ("chair", "chair"),
        ("vc1", "vice_chair"),
        ("vc2", "vice_chair"),
        ("sg", "secretary_general"),
    ):
        await world.officer(user, role)
    standing = await world.seats("STANDING_COUNCIL", 4)
    forwarded, application = world.forwarded(
        "申请单位", "admission", ["standing_council", "council"], tier="ordinary"
    )
    await publish(nats_url, forwarded)
    # A redelivery (past JetStream's dedupe) makes no second motion.
    await publish(nats_url, forwarded, msg_id=str(uuid.uuid4()))

    async def pending() -> list[dict[str, Any]] | None:
        data = await world.q(
            "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { "
            "motions(matter: ADMISSION) { totalCount edges { node { id matterId status "
            "stages { body } } } } } } }",
            {"a": [{"__typename": "Alliance", "id": str(world.id)}]},
        )
        edges = data["_entities"][0]["motions"]["edges"]
        return edges or None

    edges = await eventually(pending)
    assert edges is not None and len(edges) == 1
    motion = edges[0]["node"]
    assert motion["matterId"] == str(application) and motion["stages"] == [
        {"body": "STANDING_COUNCIL"}
    ]
    result = (await vote(world, motion["id"], "STANDING_COUNCIL", standing, present=3, yes=2))[
        "result"
    ]
    assert result["passed"] and result["rule"] == "default"
    decisions = await outbox_events(governance_db.migration_dsn, "governance.application.decided")
    mine = [d for d in decisions if d["applicationId"] == str(application)]
    assert len(mine) == 1
    assert mine[0]["approved"] is True and mine[0]["motionId"] == motion["id"]
    assert mine[0]["body"] == "standing_council"
    again = await world.q(
        "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { "
        "motions(matter: ADMISSION) { totalCount } } } }",
        {"a": [{"__typename": "Alliance", "id": str(world.id)}]},
    )
    assert again["_entities"][0]["motions"]["totalCount"] == 1


async def test_a_china_asean_withdrawal_is_approved_by_a_council_vote(
    governance: SubgraphClient, governance_db: ServiceDatabase, nats_url: str
) -> None:
    members = {f"成员{i}": "director" for i in range(1, 7)}
    world = await world_of(governance, nats_url, "china-asean", members)
    # China–ASEAN Art.23.2(3): the secretary-general convenes the council.
    world.convener = claims_for("sg", alliances={world.slug: ["secretary_general"]})
    refused = await world.raw(
        "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
        {
            "i": {
                "alliance": world.slug,
                "body": "COUNCIL",
                "title": "理事会",
                "mode": "IN_PERSON",
                "startsAt": "2026-11-20T09:00:00+08:00",
                "place": "南宁",
            }
        },
    )
    assert codes(refused) == ["FORBIDDEN"]
    council = await world.seats("COUNCIL", 6)
    forwarded, application = world.forwarded("成员6", "withdrawal", ["council"])
    await publish(nats_url, forwarded)

    async def motion() -> str | None:
        data = await world.q(
            "query($a: [_Any!]!) { _entities(representations: $a) { ... on Alliance { "
            "motions(matter: WITHDRAWAL) { edges { node { id } } } } } }",
            {"a": [{"__typename": "Alliance", "id": str(world.id)}]},
        )
        edges = data["_entities"][0]["motions"]["edges"]
        return edges[0]["node"]["id"] if edges else None

    motion_id = await eventually(motion)
    assert motion_id is not None
    result = (await vote(world, motion_id, "COUNCIL", council, present=6, yes=5))["result"]
    assert result["passed"]
    decided = [
        d
        for d in await outbox_events(governance_db.migration_dsn, "governance.application.decided")
        if d["applicationId"] == str(application)
    ]
    assert decided[0]["approved"] is True and decided[0]["body"] == "council"

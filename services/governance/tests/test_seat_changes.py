"""Every change of a seat is kept with its date and reason, and published
(``governance.seat.changed``) in the order it was made: a member admitted at director tier
gets its assembly and council seats (AII Art.12), a demotion below the council's tier vacates
the council seat (AII Art.13) and keeps the assembly seat."""

from __future__ import annotations

import uuid

from devkit.local.provision import ServiceDatabase
from devkit.testing.events import eventually
from devkit.testing.subgraph import SubgraphClient
from services.governance.tests.support import World, outbox_events


async def test_each_seat_change_is_published_with_its_holder_and_order(
    governance: SubgraphClient, governance_db: ServiceDatabase, nats_url: str
) -> None:
    world = World(governance, nats_url, f"aii-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    await world.admit({"星海科技": "director"})
    (council_seat,) = await world.seats("COUNCIL", 1)
    await world.demote("星海科技", "director", "ordinary")

    async def published() -> list[dict[str, object]] | None:
        mine = [
            e
            for e in await outbox_events(governance_db.migration_dsn, "governance.seat.changed")
            if e["allianceId"] == str(world.id)
        ]
        return mine if len(mine) == 3 else None

    changes = await eventually(published, within=10)
    assert [(c["body"], c["change"], c["active"]) for c in changes] == [
        ("general_assembly", "opened", True),
        ("council", "opened", True),
        ("council", "vacated", False),
    ]
    assert changes[1]["seatId"] == changes[2]["seatId"] == council_seat["id"]
    assert {c["holderUserId"] for c in changes} == {"星海科技-contact"}
    positions = [int(str(c["position"])) for c in changes]
    assert positions == sorted(positions) and len(set(positions)) == 3

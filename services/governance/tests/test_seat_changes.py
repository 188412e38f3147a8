"""Every change of a seat is kept with its date and reason, and published
(``governance.seat.changed``) in the order it was made: a member admitted at director tier
gets its assembly and council seats (AII Art.12), a demotion below the council's tier vacates
the council seat (AII Art.13) and keeps the assembly seat."""

from __future__ import annotations

import uuid

from contracts.membership import MemberTierChanged, MemberWithdrawn
from devkit.local.provision import ServiceDatabase
from devkit.testing.events import eventually, handled, publish
from devkit.testing.subgraph import SubgraphClient
from services.governance.tests.support import World, envelope, outbox_events


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


async def test_a_member_event_that_arrives_after_a_later_one_changes_no_seat(
    governance: SubgraphClient, governance_db: ServiceDatabase, nats_url: str
) -> None:
    """A membership's events can be handled out of order (a retried event, two replicas): the
    seats follow the newest revision, whichever arrives last."""
    world = World(governance, nats_url, f"aii-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    name = "星海科技"
    await publish(nats_url, envelope(world.member_event(name, "director", revision=1)))
    await world.seats("COUNCIL", 1)
    withdrawn = envelope(
        world.member_event(name, "director", MemberWithdrawn, status="withdrawn", revision=3)
    )
    await publish(nats_url, withdrawn)
    await eventually(lambda: handled(governance_db.migration_dsn, "governance-roster", withdrawn))
    assert await world.seats_now("GENERAL_ASSEMBLY") == []  # (the seats in force: vacated)
    # The tier change made before the withdrawal reaches governance only now.
    late = envelope(
        world.member_event(name, "director", MemberTierChanged, from_tier="ordinary", revision=2)
    )
    await publish(nats_url, late)
    await eventually(lambda: handled(governance_db.migration_dsn, "governance-roster", late))
    for body in ("GENERAL_ASSEMBLY", "COUNCIL"):
        assert await world.seats_now(body) == []


async def test_a_late_withdrawal_of_a_membership_an_organisation_left_keeps_its_rejoined_seat(
    governance: SubgraphClient, governance_db: ServiceDatabase, nats_url: str
) -> None:
    """An organisation that left and was admitted again holds its seats by its new membership;
    the old membership's withdrawal heard only after the new admission vacates nothing."""
    world = World(governance, nats_url, f"aii-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    name = "星海科技"
    await publish(nats_url, envelope(world.member_event(name, "director", revision=1)))
    await world.seats("COUNCIL", 1)
    old = world.members[name]
    world.members[name] = uuid.uuid4()  # the new membership, same organisation
    await publish(nats_url, envelope(world.member_event(name, "director", revision=1)))
    late = envelope(
        world.member_event(
            name, "director", MemberWithdrawn, status="withdrawn", revision=2
        ).model_copy(update={"membership_id": old})
    )
    await publish(nats_url, late)
    await eventually(lambda: handled(governance_db.migration_dsn, "governance-roster", late))
    for body in ("GENERAL_ASSEMBLY", "COUNCIL"):
        seats = await world.seats(body, 1)
        assert [(s["active"], s["holderUserId"]) for s in seats] == [(True, f"{name}-contact")]

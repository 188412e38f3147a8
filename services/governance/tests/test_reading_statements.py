"""An alliance's meetings and motions cost the same SQL statements for one row as for fifty
(the page, its total and the nested lists through DataLoaders), and so do fifty Meeting and
Motion entities."""

from __future__ import annotations

import uuid

import asyncpg

from devkit.local.provision import ServiceDatabase
from devkit.testing.subgraph import (
    SubgraphClient,
    claims_for,
    entities_statements,
    running,
    statements_of,
)
from governance.app import create_app
from services.governance.tests.support import World

OPERATOR = claims_for("operator", operator=True)
MEETING = "id title mode startsAt agenda { id title } attendance { status } quorum { quorate }"
MOTION = "id title matter status stages { id }"


async def _fifty_of_each(
    governance: SubgraphClient, nats_url: str, db: ServiceDatabase
) -> tuple[uuid.UUID, list[str], list[str]]:
    """An alliance under AII's charter (adopted through its event) with fifty meetings of its
    council and fifty motions."""
    world = World(governance, nats_url, f"reading-{uuid.uuid4().hex[:8]}", "aii")
    await world.adopt()
    alliance = world.id
    conn = await asyncpg.connect(db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        meetings = await conn.fetch(
            """INSERT INTO meetings (id, alliance_id, body, title, mode, starts_at, place,
                                     agenda, convened_by, convened_as)
               SELECT gen_random_uuid(), $1, 'council', '理事会 ' || n, 'in_person',
                      now() - n * interval '1 day', '北京', '[]'::jsonb, 'sec',
                      'secretariat (AII Art.23)'
               FROM generate_series(1, 50) n RETURNING id""",
            alliance,
        )
        motions = await conn.fetch(
            """INSERT INTO motions (id, alliance_id, title, matter, changes, status, origin,
                                    proposed_by)
               SELECT gen_random_uuid(), $1, '议案 ' || n, 'ordinary_resolution', '[]'::jsonb,
                      'pending', 'test', 'sec'
               FROM generate_series(1, 50) n RETURNING id""",
            alliance,
        )
    finally:
        await conn.close()
    return alliance, [str(r["id"]) for r in meetings], [str(r["id"]) for r in motions]


async def _warm(client: SubgraphClient, meeting: str) -> None:
    """A first request parses the alliance's charter once per process (a version never
    changes): counted apart, so that the comparison is of the lists alone."""
    await client.data(
        "query($id: ID!) { meeting(id: $id) { quorum { quorate } } }",
        {"id": meeting},
        claims=OPERATOR,
    )


async def test_a_page_of_fifty_meetings_or_motions_costs_the_statements_of_one(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    alliance, meetings, _ = await _fifty_of_each(governance, nats_url, governance_db)
    quiet = governance.app.state.settings.model_copy(update={"run_workers": False})
    query = (
        "query($r: [_Any!]!, $n: Int!) { _entities(representations: $r) { ... on Alliance { "
        f"meetings(first: $n) {{ totalCount edges {{ node {{ {MEETING} }} }} }} "
        f"motions(first: $n) {{ totalCount edges {{ node {{ {MOTION} }} }} }} }} }} }}"
    )
    reps = [{"__typename": "Alliance", "id": str(alliance)}]
    async with running(lambda: create_app(quiet)) as client:
        await _warm(client, meetings[0])
        counts = []
        for n in (1, 50):
            with statements_of(client.app) as statements:
                data = await client.data(query, {"r": reps, "n": n}, claims=OPERATOR)
            found = data["_entities"][0]
            assert len(found["meetings"]["edges"]) == n and len(found["motions"]["edges"]) == n
            assert found["meetings"]["totalCount"] == 50 == found["motions"]["totalCount"]
            counts.append(len(statements))
    assert counts[0] == counts[1], counts


async def test_fifty_meetings_and_motions_as_entities_cost_the_statements_of_one(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    _, meetings, motions = await _fifty_of_each(governance, nats_url, governance_db)
    quiet = governance.app.state.settings.model_copy(update={"run_workers": False})
    async with running(lambda: create_app(quiet)) as client:
        await _warm(client, meetings[0])
        one, fifty = await entities_statements(
            client,
            f"... on Meeting {{ {MEETING} }} ... on Motion {{ {MOTION} }}",
            {"Meeting": meetings, "Motion": motions},
            claims=OPERATOR,
        )
    assert one == fifty, (one, fifty)


async def test_fifty_seats_as_entities_cost_the_statements_of_one(
    governance: SubgraphClient, nats_url: str, governance_db: ServiceDatabase
) -> None:
    alliance, _, _ = await _fifty_of_each(governance, nats_url, governance_db)
    conn = await asyncpg.connect(governance_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        rows = await conn.fetch(
            """INSERT INTO seats (id, alliance_id, body, holder_key, role, holder_user_id,
                                  holder_name, active, term_starts_on)
               SELECT gen_random_uuid(), $1, 'expert_committee', 'expert-' || n, 'member',
                      'expert-' || n, '专家 ' || n, true, DATE '2026-01-01'
               FROM generate_series(1, 50) n RETURNING id""",
            alliance,
        )
    finally:
        await conn.close()
    quiet = governance.app.state.settings.model_copy(update={"run_workers": False})
    async with running(lambda: create_app(quiet)) as client:
        one, fifty = await entities_statements(
            client,
            "... on Seat { id body holderName active changes { change } consecutiveAbsences }",
            {"Seat": [str(r["id"]) for r in rows]},
            claims=OPERATOR,
        )
    assert one == fifty, (one, fifty)

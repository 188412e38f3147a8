"""Fifty bodies (and fifty alliances' bodies) cost the statements of one: entities go through
DataLoaders."""

from __future__ import annotations

import asyncpg

from devkit.local.provision import ServiceDatabase
from devkit.testing.subgraph import (
    SubgraphClient,
    claims_for,
    entities_statements,
    running,
)
from governance.app import create_app

OPERATOR = claims_for("operator", operator=True)


async def test_fifty_entities_of_each_type_cost_the_statements_of_one(
    governance: SubgraphClient, governance_db: ServiceDatabase
) -> None:
    conn = await asyncpg.connect(governance_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        rows = await conn.fetch(
            """WITH a AS (
                 INSERT INTO alliances (id, slug, charter_version)
                 SELECT gen_random_uuid(), 'entities-' || n, 1 FROM generate_series(1, 50) n
                 RETURNING id)
               INSERT INTO bodies (id, alliance_id, kind, name_zh, name_en, source,
                                   charter_version)
               SELECT gen_random_uuid(), id, 'council', '理事会', 'council', 'Art.1', 1 FROM a
               RETURNING id, alliance_id"""
        )
    finally:
        await conn.close()
    quiet = governance.app.state.settings.model_copy(update={"run_workers": False})
    async with running(lambda: create_app(quiet)) as client:
        one, fifty = await entities_statements(
            client,
            "... on Body { kind name alliance { id } } ... on Alliance { bodies { kind } }",
            {
                "Body": [str(r["id"]) for r in rows],
                "Alliance": [str(r["alliance_id"]) for r in rows],
            },
            claims=OPERATOR,
        )
    assert one == fifty, (one, fifty)

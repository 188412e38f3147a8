"""Fifty budgets (and fifty alliances' budgets) cost the statements of one: entities go through
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
from finance.app import create_app

OPERATOR = claims_for("operator", operator=True)


async def test_fifty_entities_of_each_type_cost_the_statements_of_one(
    finance: SubgraphClient, finance_db: ServiceDatabase
) -> None:
    conn = await asyncpg.connect(finance_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        rows = await conn.fetch(
            """WITH a AS (
                 INSERT INTO alliances (id, slug)
                 SELECT gen_random_uuid(), 'entities-' || n FROM generate_series(1, 50) n
                 RETURNING id)
               INSERT INTO budgets (id, alliance_id, fiscal_year, currency, status, prepared_by)
               SELECT gen_random_uuid(), id, 2027, 'CNY', 'draft', 's' FROM a
               RETURNING id, alliance_id"""
        )
    finally:
        await conn.close()
    quiet = finance.app.state.settings.model_copy(update={"run_workers": False})
    async with running(lambda: create_app(quiet)) as client:
        one, fifty = await entities_statements(
            client,
            "... on Budget { fiscalYear status alliance { id } } "
            "... on Alliance { budgets { fiscalYear } }",
            {
                "Budget": [str(r["id"]) for r in rows],
                "Alliance": [str(r["alliance_id"]) for r in rows],
            },
            claims=OPERATOR,
        )
    assert one == fifty, (one, fifty)

"""Federation entities cost a constant number of SQL statements, however many the gateway asks
for: every ``resolve_reference`` (and every field below it) goes through a DataLoader."""

from __future__ import annotations

import asyncpg

from devkit.local.provision import ServiceDatabase
from devkit.testing.subgraph import (
    SubgraphClient,
    claims_for,
    entities_statements,
    running,
)
from membership.app import create_app
from membership.settings import Settings
from servicekit.tenancy import alliance_id

OPERATOR = claims_for("operator", operator=True)
SELECTION = """
  ... on Alliance { slug tiers { id } }
  ... on Organization { nameZh memberships { tier } }
  ... on Membership { tier rights { id } organization { nameZh } alliance { slug }
                      timeline { change } }
  ... on Application { status organization { nameZh } membership { tier } materials { material }
                       timeline { change } }"""


async def test_fifty_entities_of_each_type_cost_the_statements_of_one(
    membership: SubgraphClient, membership_settings: Settings, membership_db: ServiceDatabase
) -> None:
    await membership.data(
        "mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id } }",
        {"i": {"slug": "entities", "nameZh": "实体联盟", "nameEn": "Entities", "template": "aii"}},
        claims=OPERATOR,
    )
    alliance = alliance_id("entities")
    conn = await asyncpg.connect(membership_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        orgs = await conn.fetch(
            """INSERT INTO organizations (id, name_zh, name_en, kind, country, registration_number)
               SELECT gen_random_uuid(), '实体机构' || n, 'Entity ' || n, 'enterprise', 'SG',
                      'ENTITY-' || n FROM generate_series(1, 50) n RETURNING id"""
        )
        ids = [r["id"] for r in orgs]
        members = await conn.fetch(
            """INSERT INTO memberships (id, alliance_id, organization_id, sort_name, country, tier,
                                        status, contact_user_id, contact_name, contact_email)
               SELECT gen_random_uuid(), $1, o, 'x', 'SG', 'director', 'active', 'c', 'c',
                      'c@example.sg' FROM unnest($2::uuid[]) o RETURNING id""",
            alliance,
            ids,
        )
        applications = await conn.fetch(
            """INSERT INTO applications (id, alliance_id, organization_id, kind, tier, status,
                                         contact_user_id, contact_name, contact_email)
               SELECT gen_random_uuid(), $1, m.organization_id, 'tier_change', 'vice_chair',
                      'submitted', 'c', 'c', 'c@example.sg'
               FROM memberships m WHERE m.id = ANY($2::uuid[]) RETURNING id""",
            alliance,
            [r["id"] for r in members],
        )
        await conn.execute(
            "UPDATE applications a SET membership_id = m.id FROM memberships m "
            "WHERE a.organization_id = m.organization_id AND a.id = ANY($1::uuid[])",
            [r["id"] for r in applications],
        )
    finally:
        await conn.close()
    quiet = membership_settings.model_copy(update={"run_workers": False})
    async with running(lambda: create_app(quiet)) as client:
        one, fifty = await entities_statements(
            client,
            SELECTION,
            {
                "Alliance": [str(alliance)] * 50,
                "Organization": [str(i) for i in ids],
                "Membership": [str(r["id"]) for r in members],
                "Application": [str(r["id"]) for r in applications],
            },
            claims=OPERATOR,
        )
    assert one == fifty, (one, fifty)

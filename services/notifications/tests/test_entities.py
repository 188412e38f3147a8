"""Fifty notices (and fifty alliances) cost the statements of one: entities go through
DataLoaders. (An alliance's ``myNotifications`` is a page per alliance, not an entity lookup.)"""

from __future__ import annotations

import asyncpg

from devkit.local.provision import ServiceDatabase
from devkit.testing.subgraph import (
    SubgraphClient,
    claims_for,
    entities_statements,
    running,
    statements_of,
)
from notifications.app import create_app
from servicekit.tenancy import alliance_id


async def test_fifty_entities_of_each_type_cost_the_statements_of_one(
    notifications: SubgraphClient, notifications_db: ServiceDatabase
) -> None:
    conn = await asyncpg.connect(notifications_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        rows = await conn.fetch(
            """INSERT INTO notifications (id, alliance_id, recipient_id, event_id, event_type,
                                          subject_id, title_zh, title_en, body_zh, body_en)
               SELECT gen_random_uuid(), gen_random_uuid(), 'entities-reader',
                      gen_random_uuid(), 'membership.application.submitted', 'x', '标题',
                      'title', '正文', 'body' FROM generate_series(1, 50)
               RETURNING id, alliance_id"""
        )
    finally:
        await conn.close()
    quiet = notifications.app.state.settings.model_copy(update={"run_workers": False})
    async with running(lambda: create_app(quiet)) as client:
        one, fifty = await entities_statements(
            client,
            "... on Notification { title alliance { id } } ... on Alliance { id }",
            {
                "Notification": [str(r["id"]) for r in rows],
                "Alliance": [str(r["alliance_id"]) for r in rows],
            },
            claims=claims_for("entities-reader"),
        )
    assert one == fifty, (one, fifty)


async def test_a_person_s_notices_cost_the_same_statements_whatever_the_page_size(
    notifications: SubgraphClient, notifications_db: ServiceDatabase
) -> None:
    conn = await asyncpg.connect(notifications_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        await conn.execute(
            """INSERT INTO notifications (id, alliance_id, recipient_id, event_id, event_type,
                                          subject_id, title_zh, title_en, body_zh, body_en)
               SELECT gen_random_uuid(), gen_random_uuid(), 'paging-reader',
                      gen_random_uuid(), 'membership.application.submitted', 'x', '标题',
                      'title', '正文', 'body' FROM generate_series(1, 120)"""
        )
    finally:
        await conn.close()
    query = """query($n: Int!) { myNotifications(first: $n) { totalCount
      edges { cursor node { id kind title body readAt alliance { id } } }
      pageInfo { hasNextPage endCursor } } }"""
    quiet = notifications.app.state.settings.model_copy(update={"run_workers": False})
    counts = {}
    async with running(lambda: create_app(quiet)) as client:
        for size in (1, 100):
            with statements_of(client.app) as statements:
                page = (await client.data(query, {"n": size}, claims=claims_for("paging-reader")))[
                    "myNotifications"
                ]
            assert len(page["edges"]) == size and page["pageInfo"]["hasNextPage"]
            counts[size] = len(statements)
    assert counts[1] == counts[100], counts


async def test_a_delivery_log_page_costs_the_same_statements_whatever_its_length(
    notifications: SubgraphClient, notifications_db: ServiceDatabase
) -> None:
    """The secretariat's delivery log: each delivery with every attempt, a page of 1 or 100."""
    slug = "log-statements"
    conn = await asyncpg.connect(notifications_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        await conn.execute(
            """WITH d AS (
                 INSERT INTO deliveries (id, alliance_id, event_id, kind, channel, recipient,
                                         target, language, payload, status, attempts)
                 SELECT gen_random_uuid(), $1, gen_random_uuid(), 'application_submitted',
                        'email', 'someone', 'someone@example.org', 'zh', '{}'::jsonb,
                        'failed', 2
                 FROM generate_series(1, 120)
                 RETURNING id, alliance_id)
               INSERT INTO delivery_attempts (id, alliance_id, delivery_id, number, started_at,
                                              finished_at, ok, detail)
               SELECT gen_random_uuid(), d.alliance_id, d.id, n, now(), now(), false, 'refused'
               FROM d, generate_series(1, 2) AS n""",
            alliance_id(slug),
        )
    finally:
        await conn.close()
    query = """query($a: String!, $n: Int!) { deliveryLog(alliance: $a, first: $n) { totalCount
      edges { cursor node { id channel status attempts { number ok detail } } }
      pageInfo { hasNextPage } } }"""
    clerk = claims_for("log-clerk", alliances={slug: ["secretariat"]})
    quiet = notifications.app.state.settings.model_copy(update={"run_workers": False})
    counts = {}
    async with running(lambda: create_app(quiet)) as client:
        for size in (1, 100):
            with statements_of(client.app) as statements:
                page = (await client.data(query, {"a": slug, "n": size}, claims=clerk))[
                    "deliveryLog"
                ]
            assert len(page["edges"]) == size and page["pageInfo"]["hasNextPage"]
            assert all(len(e["node"]["attempts"]) == 2 for e in page["edges"])
            counts[size] = len(statements)
    assert counts[1] == counts[100], counts

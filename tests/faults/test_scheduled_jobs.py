"""Scheduled jobs with two worker processes of every service: each runs once.

Working-group applications open the secretariat's answer deadline (AITISA Art.4(2)); the
notifications service schedules its reminder and its overdue notice as jobs. The test brings
their time forward (``due_at`` set to now in the database: the clock, not the code) and
counts: every job run once, each of its notices filed once and mailed once."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg

from devkit.local.platform import Platform
from devkit.testing.handles import PostgresHandle
from tests.e2e.alliances import Alliance
from tests.faults.ledger import Ledger

GROUPS = 3


def _rows(postgres: PostgresHandle, database: str, sql: str, *args: object) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(postgres.dsn(database))
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def test_with_two_workers_every_scheduled_job_runs_once(
    replicated: Platform, postgres: PostgresHandle
) -> None:
    ledger = Ledger(f"scheduled jobs of {GROUPS} deadlines, two workers", replicated, postgres)
    alliance = Alliance(replicated)
    alliance.admit(5)
    alliance.officers()
    for n in range(2):  # the deadline's notices go to the secretariat
        alliance.clerk.data(
            "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
            {
                "i": {
                    "alliance": alliance.slug,
                    "userId": f"{alliance.slug}-clerk-{n}",
                    "name": f"秘书处 {n}",
                    "role": "secretariat",
                }
            },
        )
    for _ in range(GROUPS):
        alliance.applied(alliance.members[:5])
    alliance_id = uuid.UUID(
        alliance.clerk.data(
            "query($s: String!) { alliance(slug: $s) { id } }", {"s": alliance.slug}
        )["alliance"]["id"]
    )
    database = replicated.databases["notifications"].name
    deadline = time.monotonic() + 60
    jobs: list[asyncpg.Record] = []
    while time.monotonic() < deadline:
        jobs = _rows(
            postgres,
            database,
            "select id from jobs where alliance_id = $1 and not cancelled",
            alliance_id,
        )
        if len(jobs) >= 2 * GROUPS:  # a reminder and an overdue notice per deadline
            break
        time.sleep(1)
    assert len(jobs) >= 2 * GROUPS, jobs
    # (the notifications service must know the secretariat before the jobs run)
    deadline = time.monotonic() + 30
    while not _rows(
        postgres,
        database,
        "select 1 from staff_members where alliance_id = $1 and role = 'secretariat'",
        alliance_id,
    ):
        assert time.monotonic() < deadline, "notifications never heard of the secretariat"
        time.sleep(1)
    _rows(postgres, database, "update jobs set due_at = now() where alliance_id = $1", alliance_id)
    ids = [j["id"] for j in jobs]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        [pending] = _rows(
            postgres,
            database,
            "select count(*) as n from jobs where id = any($1) and done_at is null",
            ids,
        )
        if pending["n"] == 0:
            break
        time.sleep(1)
    assert pending["n"] == 0, "jobs left undone"
    notices = _rows(
        postgres,
        database,
        "select event_id, recipient_id, count(*) as n from notifications "
        "where event_id = any($1) group by 1, 2",
        ids,
    )
    ledger.figures.actions_done = GROUPS  # (the working-group applications; 5 admissions before)
    figures = ledger.settle()
    print(
        f"  jobs {len(ids)} made due, {len(ids)} run; notices filed {sum(n['n'] for n in notices)} "
        f"for {len({n['event_id'] for n in notices})} jobs, at most "
        f"{max((n['n'] for n in notices), default=0)} per job and person"
    )
    assert notices and all(n["n"] == 1 for n in notices)
    assert figures.lost == 0 and figures.doubled == 0

"""A consumer that fails an event until the cause is fixed: the event is parked (a dead letter)
with its error after its deliveries, the operator lists it with ``concord-parked``, fixes the
cause and replays it, and it is handled once."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import asyncpg

from devkit.local.platform import Platform
from devkit.testing.handles import PostgresHandle
from tests.faults.ledger import Ledger
from tests.faults.load import Load

BROKEN = 4
"""Actions while the notifications table refuses rows."""

BREAK = """
create table faults_switch (broken boolean not null);
insert into faults_switch values (true);
create function faults_refuse() returns trigger language plpgsql security definer as $$
begin
  if exists (select 1 from faults_switch where broken) then
    raise exception 'faults test: the notifications table refuses rows';
  end if;
  return new;
end $$;
create trigger faults_refuse before insert on notifications
  for each row execute function faults_refuse();
"""
FIX = """
drop trigger faults_refuse on notifications;
drop function faults_refuse();
drop table faults_switch;
"""


def _sql(postgres: PostgresHandle, database: str, statement: str) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(postgres.dsn(database))
        try:
            if statement.lstrip().lower().startswith("select"):
                return list(await conn.fetch(statement))
            await conn.execute(statement)
            return []
        finally:
            await conn.close()

    return asyncio.run(run())


def _parked_cli(platform: Platform, *args: str) -> subprocess.CompletedProcess[str]:
    env = platform.processes["notifications-worker-1"].env  # the service's own settings
    return subprocess.run(
        [sys.executable, "-m", "servicekit.events.parked", "notifications", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_consumer_that_fails_an_event_until_fixed_parks_it_and_its_replay_handles_it_once(
    replicated: Platform, postgres: PostgresHandle
) -> None:
    database = replicated.databases["notifications"].name
    ledger = Ledger(f"a consumer failing during {BROKEN} actions", replicated, postgres)
    _sql(postgres, database, BREAK)
    try:
        load = Load(replicated)
        load.run(BROKEN)
        # each failing event is retried with growing delays, then parked after 10 deliveries
        deadline = time.monotonic() + 240
        parked: list[asyncpg.Record] = []
        while time.monotonic() < deadline:
            parked = _sql(
                postgres,
                database,
                "select id, consumer, event_type, error, deliveries from parked_events "
                "where replayed_at is null",
            )
            # every handling done but those of the parked events
            if parked and ledger.count().lost == len(parked):
                break
            time.sleep(3)
        assert parked, "nothing was parked"
        assert all("refuses rows" in p["error"] and p["deliveries"] == 10 for p in parked)
    finally:
        _sql(postgres, database, FIX)  # the cause is fixed

    listed = _parked_cli(replicated, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    shown = {row["id"]: row for row in json.loads(listed.stdout)}
    assert {str(p["id"]) for p in parked} <= set(shown)
    replayed = _parked_cli(replicated, "replay", "--all")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert replayed.stdout.count(": replayed") == len(parked)

    ledger.figures.actions_done, ledger.figures.actions_failed = load.done, dict(load.failed)
    ledger.figures.notes.append(
        f"parked {len(parked)} ({', '.join(sorted({p['consumer'] for p in parked}))}), "
        f"listed, replayed {replayed.stdout.count(': replayed')}"
    )
    figures = ledger.settle(within=60)
    assert load.done == BROKEN
    assert figures.lost == 0 and figures.doubled == 0

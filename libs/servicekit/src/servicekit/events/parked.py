"""``concord-parked SERVICE``: the events a service's consumers parked (dead letters), and their
replay once the cause is fixed.

    concord-parked membership list            # what is parked, newest first, with its error
    concord-parked membership replay ID...    # publish them again (or --all not yet replayed)

A replay publishes the stored envelope again on its subject, under a new JetStream message id,
so JetStream's duplicate window does not drop it. Every consumer of that subject receives it;
those that handled it before find it in their inbox and only acknowledge it, so a replay never
doubles an effect. A message that was not a Concord event cannot be replayed (it stays listed).

It reads the service's settings (``DATABASE_URL``, ``NATS_URL``, as the service does) and works
in the all-alliances scope: parked events are the operator's to see.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from importlib import import_module
from typing import Any

import nats
import sqlalchemy as sa

from servicekit.db import Database
from servicekit.events.bus import ensure_stream, server_list
from servicekit.events.tables import PARKED
from servicekit.services import SERVICES
from servicekit.tenancy import TenantScope


def parked_table_of(service: str) -> sa.Table:
    models = import_module(f"{service}.models")
    table: sa.Table = models.inbox.metadata.tables[PARKED]
    return table


async def listed(database: Database, table: sa.Table, *, limit: int = 100) -> list[dict[str, Any]]:
    async with database.transaction(TenantScope.everything()) as session:
        rows = await session.execute(
            sa.select(table).order_by(table.c.parked_at.desc()).limit(limit)
        )
        return [dict(r) for r in rows.mappings()]


async def replay(
    database: Database,
    table: sa.Table,
    nats_url: str,
    ids: Sequence[uuid.UUID] = (),
    *,
    everything: bool = False,
) -> list[tuple[uuid.UUID, str]]:
    """Publish parked events again; (id, what happened) for each one asked for."""
    outcomes: list[tuple[uuid.UUID, str]] = []
    nc = await nats.connect(server_list(nats_url), connect_timeout=5)
    try:
        js = nc.jetstream()
        await ensure_stream(js)
        async with database.transaction(TenantScope.everything()) as session:
            query = sa.select(table).with_for_update()
            if everything:
                query = query.where(table.c.replayed_at.is_(None))
            else:
                query = query.where(table.c.id.in_(list(ids)))
            rows = (await session.execute(query.order_by(table.c.parked_at))).mappings().all()
            found = {r["id"] for r in rows}
            outcomes += [(i, "not found") for i in ids if i not in found]
            for row in rows:
                if row["event_id"] is None:
                    outcomes.append((row["id"], "not a Concord event: cannot be replayed"))
                    continue
                count = row["replays"] + 1
                await js.publish(
                    row["subject"],
                    row["payload"].encode(),
                    headers={"Nats-Msg-Id": f"replay:{row['id']}:{count}"},
                )
                await session.execute(
                    sa.update(table)
                    .where(table.c.id == row["id"])
                    .values(replayed_at=sa.func.now(), replays=count)
                )
                outcomes.append((row["id"], "replayed"))
    finally:
        await nc.close()
    return outcomes


def _print_list(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("nothing parked")
    for r in rows:
        state = f"replayed {r['replays']}x" if r["replays"] else "parked"
        print(
            f"{r['id']}  {r['parked_at']:%Y-%m-%d %H:%M:%S}  {r['consumer']}  "
            f"{r['event_type'] or r['subject']}  {state}  deliveries={r['deliveries']}"
        )
        print(f"    {r['error']}")


async def _run(args: argparse.Namespace) -> int:
    settings = import_module(f"{args.service}.settings").Settings()
    database = Database(settings.database_url, pool_size=1)
    table = parked_table_of(args.service)
    try:
        if args.command == "list":
            rows = await listed(database, table, limit=args.limit)
            if args.json:
                print(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
            else:
                _print_list(rows)
            return 0
        ids = [uuid.UUID(i) for i in args.ids]
        if not ids and not args.all:
            print("concord-parked: give the ids to replay, or --all", file=sys.stderr)
            return 2
        outcomes = await replay(database, table, settings.nats_url, ids, everything=args.all)
        for parked_id, outcome in outcomes:
            print(f"{parked_id}: {outcome}")
        return 0 if all(o == "replayed" for _, o in outcomes) else 1
    finally:
        await database.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="concord-parked", description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=SERVICES)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="the parked events, newest first")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("replay", help="publish parked events again")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="every event not replayed yet")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except ValueError as exc:  # a malformed id
        print(f"concord-parked: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: finance's ledger (issue 10), in one run:

1. posting throughput: ``--entries`` balanced entries posted one by one through the finance
   subgraph (``postEntry``, signed like the gateway signs, the app in-process over ASGI with
   its real database pool), next to the same entries written with plain SQL (asyncpg, the app
   role, one transaction per entry: the entry row and its two postings). Both pay the
   database's own checks (triggers, deferred balance check); the ratio is what the subgraph
   (GraphQL, Python checks, row locks, idempotency) adds;
2. the budget-execution report at ``--report-entries`` entries: entries bulk-loaded with SQL,
   a budget of 25 lines, then ``books { budgetExecution }`` through the subgraph: median time
   and the number of SQL statements it ran (counted on the engine).

Throwaway PostgreSQL and nats-server on free loopback ports, stopped at the end. Writes
``bench/results/finance_ledger.json`` and the table in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform as host_platform
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event

from devkit.local.nats import NatsServer
from devkit.local.postgres import PostgresCluster
from devkit.local.provision import provision_service_database_sync
from devkit.testing.subgraph import TEST_SECRET, SubgraphClient, claims_for, running
from finance.alliances import open_books
from finance.app import create_app
from finance.settings import Settings
from servicekit.migrate import upgrade
from servicekit.tenancy import TenantScope, alliance_id

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO_ROOT / "bench" / "results" / "finance_ledger.json"
DOCS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
DOCS_START = "<!-- bench:finance_ledger:start -->"
DOCS_END = "<!-- bench:finance_ledger:end -->"
SLUG = "bench-finance"
AID = alliance_id(SLUG)
CLERK = claims_for("bench-clerk", alliances={SLUG: ["secretariat"]})
YEAR = datetime.now(UTC).year
POST = """mutation($i: PostEntryInput!) { postEntry(input: $i) { id } }"""
EXECUTION = """query($a: String!, $y: Int!) { books(alliance: $a) {
  budgetExecution(fiscalYear: $y) { lines { code budgeted { amount } actual { amount } } } } }"""
EXPENSES = ["510101", "510102", "510103", "510104", "520101", "520102", "520103"]


def _entry(i: int) -> dict[str, Any]:
    amount = f"{(i % 97) + 1}.{i % 100:02d}"
    return {
        "i": {
            "alliance": SLUG,
            "date": f"{YEAR}-03-01",
            "memo": f"bench {i}",
            "lines": [
                {"account": EXPENSES[i % len(EXPENSES)], "side": "DEBIT", "amount": amount},
                {"account": "1002", "side": "CREDIT", "amount": amount},
            ],
        }
    }


async def _through_subgraph(client: SubgraphClient, n: int, offset: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        result = await client.execute(POST, _entry(offset + i), claims=CLERK)
        assert not result.get("errors"), result
    return n / (time.perf_counter() - start)


async def _plain_sql(app_dsn: str, n: int, offset: int) -> float:
    conn = await asyncpg.connect(app_dsn)
    try:
        scope = "{" + str(AID) + "}"
        await conn.execute("SELECT set_config('app.alliance_ids', $1, false)", scope)
        accounts = {
            r["code"]: r["id"]
            for r in await conn.fetch("SELECT code, id FROM accounts WHERE alliance_id = $1", AID)
        }
        fund = await conn.fetchval(
            "SELECT id FROM funds WHERE alliance_id = $1 AND code = 'general'", AID
        )
        start = time.perf_counter()
        for i in range(offset, offset + n):
            minor = ((i % 97) + 1) * 100 + i % 100
            entry = uuid.uuid4()
            async with conn.transaction():
                await conn.execute(
                    "SELECT set_config('app.alliance_ids', $1, true)", "{" + str(AID) + "}"
                )
                await conn.execute(
                    "INSERT INTO journal_entries (id, alliance_id, fiscal_year, entry_date, "
                    "currency, kind, memo, request_hash, posted_by) VALUES ($1, $2, $3, $4, "
                    "'CNY', 'manual', $5, 'sql', 'bench')",
                    entry,
                    AID,
                    YEAR,
                    datetime(YEAR, 3, 1).date(),
                    f"bench {i}",
                )
                await conn.execute(
                    "INSERT INTO postings (entry_id, alliance_id, account_id, fund_id, currency,"
                    " side, amount_minor) VALUES ($1, $2, $3, $5, 'CNY', 'debit', $6),"
                    " ($1, $2, $4, $5, 'CNY', 'credit', $6)",
                    entry,
                    AID,
                    accounts[EXPENSES[i % len(EXPENSES)]],
                    accounts["1002"],
                    fund,
                    minor,
                )
        return n / (time.perf_counter() - start)
    finally:
        await conn.close()


async def _bulk_load(app_dsn: str, n: int) -> None:
    conn = await asyncpg.connect(app_dsn)
    try:
        async with conn.transaction():
            await conn.execute(
                "SELECT set_config('app.alliance_ids', $1, true)", "{" + str(AID) + "}"
            )
            await conn.execute(
                """WITH e AS (
                     INSERT INTO journal_entries (id, alliance_id, fiscal_year, entry_date,
                       currency, kind, memo, request_hash, posted_by)
                     SELECT gen_random_uuid(), $1, $2, make_date($2, 1 + g % 12, 1 + g % 28),
                       'CNY', 'manual', 'bulk ' || g, 'bulk', 'bench'
                     FROM generate_series(1, $3) g RETURNING id, memo)
                   INSERT INTO postings (entry_id, alliance_id, account_id, fund_id, currency,
                     side, amount_minor)
                   SELECT e.id, $1, CASE WHEN s.side = 'debit' THEN x.id ELSE b.id END, f.id,
                     'CNY', s.side, 100 + (split_part(e.memo, ' ', 2)::int % 5000)
                   FROM e
                   CROSS JOIN (VALUES ('debit'), ('credit')) s(side)
                   JOIN accounts x ON x.alliance_id = $1 AND x.code = (ARRAY['510101','510102',
                     '510103','510104','520101','520102','520103'])[
                     1 + split_part(e.memo, ' ', 2)::int % 7]
                   JOIN accounts b ON b.alliance_id = $1 AND b.code = '1002'
                   JOIN funds f ON f.alliance_id = $1 AND f.code = 'general'""",
                AID,
                YEAR,
                n,
            )
    finally:
        await conn.close()


async def run(entries: int, report_entries: int) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="concord-bench-finance-"))
    os.chmod(base, 0o755)
    cluster = PostgresCluster(base / "pg")
    natsd = NatsServer(base / "nats")
    try:
        cluster.start()
        natsd.start()
        db = await asyncio.to_thread(
            provision_service_database_sync, cluster.superuser_dsn(), "finance"
        )
        await asyncio.to_thread(upgrade, "finance", db.migration_url)
        settings = Settings(
            database_url=db.app_url,
            nats_url=natsd.url,
            signing_secret=TEST_SECRET,
            run_workers=False,
        )
        async with running(lambda: create_app(settings)) as client:
            database = client.app.state.database
            async with database.transaction(TenantScope.of(AID)) as session:
                await open_books(session, AID, SLUG, YEAR)
            await _through_subgraph(client, 50, 0)  # warm-up, not counted
            await _plain_sql(db.app_dsn, 50, 50)
            subgraph_rate, sql_rate = [], []
            for round_ in range(3):
                offset = 1_000 + round_ * 2 * entries
                subgraph_rate.append(await _through_subgraph(client, entries, offset))
                sql_rate.append(await _plain_sql(db.app_dsn, entries, offset + entries))

            load_start = time.perf_counter()
            await _bulk_load(db.app_dsn, report_entries)
            load_seconds = time.perf_counter() - load_start
            budget = await client.execute(
                "mutation($a: String!, $y: Int!) { createBudget(alliance: $a, fiscalYear: $y) "
                "{ id } }",
                {"a": SLUG, "y": YEAR},
                claims=CLERK,
            )
            budget_id = budget["data"]["createBudget"]["id"]
            for code in EXPENSES:
                result = await client.execute(
                    "mutation($b: ID!, $a: String!) { setBudgetLine(budgetId: $b, account: $a,"
                    ' amount: "1000000") { id } }',
                    {"b": budget_id, "a": code},
                    claims=CLERK,
                )
                assert not result.get("errors"), result
            statements: list[str] = []

            def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                statements.append(statement)

            times = []
            for _ in range(5):
                statements.clear()
                event.listen(database.engine.sync_engine, "before_cursor_execute", count)
                start = time.perf_counter()
                result = await client.execute(EXECUTION, {"a": SLUG, "y": YEAR}, claims=CLERK)
                times.append((time.perf_counter() - start) * 1000)
                event.remove(database.engine.sync_engine, "before_cursor_execute", count)
                assert not result.get("errors"), result
            lines = result["data"]["books"]["budgetExecution"]["lines"]
            assert len(lines) == len(EXPENSES)
        total_entries = await _count(db.app_dsn)
    finally:
        natsd.stop()
        cluster.stop(mode="immediate")
        shutil.rmtree(base, ignore_errors=True)
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "commit": _commit(),
        "cpu": _cpu(),
        "entries_per_round": entries,
        "subgraph_entries_per_s": round(statistics.median(subgraph_rate), 1),
        "plain_sql_entries_per_s": round(statistics.median(sql_rate), 1),
        "ratio_sql_over_subgraph": round(
            statistics.median(sql_rate) / statistics.median(subgraph_rate), 2
        ),
        "report_entries_in_year": total_entries,
        "bulk_load_seconds": round(load_seconds, 1),
        "budget_execution_ms_median": round(statistics.median(times), 1),
        "budget_execution_sql_statements": len(statements),
    }


async def _count(app_dsn: str) -> int:
    conn = await asyncpg.connect(app_dsn)
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.all_alliances', 'on', true)")
            return int(
                await conn.fetchval(
                    "SELECT count(*) FROM journal_entries WHERE fiscal_year = $1", YEAR
                )
            )
    finally:
        await conn.close()


def _commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short=10", "HEAD"], capture_output=True, text=True, cwd=REPO_ROOT
    ).stdout.strip()


def _cpu() -> str:
    return f"{os.cpu_count()} cores ({host_platform.processor() or host_platform.machine()})"


def write(result: dict[str, Any]) -> None:
    RESULTS_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    table = "\n".join(
        [
            DOCS_START,
            f"Latest run: {result['date']}, commit `{result['commit']}`, {result['cpu']}; "
            f"{result['entries_per_round']} entries per round, 3 rounds (median).",
            "",
            "| measure | value |",
            "|---|---|",
            f"| postEntry through the finance subgraph | {result['subgraph_entries_per_s']} "
            "entries/s |",
            f"| the same entries, plain SQL (app role, one transaction each) | "
            f"{result['plain_sql_entries_per_s']} entries/s |",
            f"| ratio plain SQL / subgraph | {result['ratio_sql_over_subgraph']} |",
            f"| budget execution at {result['report_entries_in_year']:,} entries: time "
            f"(median of 5) | {result['budget_execution_ms_median']} ms |",
            f"| budget execution: SQL statements per request | "
            f"{result['budget_execution_sql_statements']} |",
            DOCS_END,
        ]
    )
    text = DOCS_FILE.read_text()
    if DOCS_START in text:
        head, rest = text.split(DOCS_START, 1)
        text = head + table + rest.split(DOCS_END, 1)[1]
    else:
        text = (
            text.rstrip() + "\n\n## Finance ledger (`bench/finance_ledger.py`)\n\n" + table + "\n"
        )
    DOCS_FILE.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--report-entries", type=int, default=100_000)
    args = parser.parse_args()
    result = asyncio.run(run(args.entries, args.report_entries))
    write(result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

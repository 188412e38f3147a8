"""`make bench NAME=subgraph_costs`: where a subgraph request's time goes (issue 14), as ratios
from one run, all in one process over ASGI (httpx's ASGITransport, one client, requests one
after another, so the figures are CPU per request with no queueing):

1. **members page**: a page of 50 of a 10,000-member alliance through the membership subgraph
   (signed like the gateway signs) against a bare ASGI endpoint that runs the same SQL with
   asyncpg (same app role, same tenant settings, same statements) and writes the same JSON
   (checked byte for byte on the decoded data). The ratio subgraph / bare is the share of
   this stack's ceiling that the subgraph reaches. PostgreSQL's CPU per page is read from
   ``/proc`` (the cluster's process tree) around the subgraph phase; ``EXPLAIN (ANALYZE,
   BUFFERS)`` of the page's statements is kept in the results;
2. **small query** ``alliance(slug) { slug name }`` with strawberry's parser and validation
   caches on, and off (the same app, the two extensions removed for the phase);
3. **subgraph against plain graphql-core** over the same schema and resolvers: the same
   signed request, the same context and transaction, but ``graphql.graphql()`` on the
   schema's ``GraphQLSchema`` with no strawberry extensions and no FastAPI router;
4. **a mutation with an outbox event against the same without**: ``assignRole`` (one
   ``membership.role.assigned`` event) with the outbox insert in place, and with it replaced
   by nothing for the phase (p50 difference);
5. **``_entities``** with 1, 10 and 100 ``Membership`` representations: time and SQL
   statements (constant statements = DataLoaders all the way down).

Phases alternate A/B/A/B… in rounds; medians are reported. Writes
``bench/results/subgraph_costs.json`` and the table in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import graphql
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from members_list import (
    LIST_QUERY,
    LOAD_MEMBERSHIPS,
    LOAD_ORGANIZATIONS,
    _proc_table,
    _tree_cpu,
)

from devkit.local.nats import NatsServer
from devkit.local.postgres import PostgresCluster
from devkit.local.provision import provision_service_database_sync
from devkit.testing.subgraph import (
    TEST_SECRET,
    claims_for,
    running,
    statements_of,
)
from membership.app import create_app
from membership.settings import Settings
from servicekit.auth.middleware import GatewaySignatureMiddleware
from servicekit.auth.signing import sign_request
from servicekit.db import RequestTransaction
from servicekit.events import outbox as outbox_module
from servicekit.graphql.context import Context
from servicekit.graphql.pagination import encode_cursor
from servicekit.migrate import upgrade
from servicekit.tenancy import alliance_id

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO_ROOT / "bench" / "results" / "subgraph_costs.json"
DOCS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
DOCS_START = "<!-- bench:subgraph_costs:start -->"
DOCS_END = "<!-- bench:subgraph_costs:end -->"
SLUG = "bench"
AID = alliance_id(SLUG)
OPERATOR = claims_for("bench-operator", operator=True)
STAFF = claims_for("bench-staff", alliances={SLUG: ["secretariat"]})
SMALL = 'query { alliance(slug: "bench") { slug name } }'
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Membership { tier status organization { nameZh country } } } }"""
ASSIGN = """mutation($i: AssignRoleInput!) { assignRole(input: $i) { userId } }"""

# The bare endpoint's statements: what the subgraph sends for the page (statements_of), by hand.
SCOPE_SQL = (
    "SELECT set_config('app.alliance_ids', $1, true), set_config('app.all_alliances', '', true),"
    " set_config('app.user_id', $2, true), set_config('app.secretariat_ids', $1, true)"
)
ALLIANCE_SQL = "SELECT id FROM alliances WHERE slug = $1"
PAGE_SQL = (
    "SELECT id, organization_id, tier, status, sort_name FROM memberships"
    " WHERE alliance_id = $1 AND status = 'active' AND (sort_name, id) > ($2, $3)"
    " ORDER BY sort_name, id LIMIT $4"
)
FIRST_PAGE_SQL = (
    "SELECT id, organization_id, tier, status, sort_name FROM memberships"
    " WHERE alliance_id = $1 AND status = 'active' ORDER BY sort_name, id LIMIT $2"
)
TOTALS_SQL = (
    "SELECT tier, sum(members) AS count FROM membership_counts"
    " WHERE alliance_id = $1 AND status = 'active' GROUP BY tier"
)
ORGS_SQL = "SELECT id, name_zh, country FROM organizations WHERE id = ANY($1::uuid[])"


def log(message: str) -> None:
    print(f"[subgraph_costs] {message}", flush=True)


def bare_app(pool: asyncpg.Pool) -> Callable[..., Awaitable[None]]:
    """The ceiling: the members page as one asyncpg transaction and ``json.dumps``."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        variables = json.loads(body)["variables"]
        first, after = variables["first"], variables.get("after")
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(SCOPE_SQL, "{" + str(AID) + "}", "bench-staff")
            aid = await conn.fetchval(ALLIANCE_SQL, variables["slug"])
            if after:
                import base64

                key = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
                rows = await conn.fetch(PAGE_SQL, aid, key[0], uuid.UUID(key[1]), first + 1)
            else:
                rows = await conn.fetch(FIRST_PAGE_SQL, aid, first + 1)
            totals = await conn.fetch(TOTALS_SQL, aid)
            page = rows[:first]
            orgs = {
                r["id"]: r for r in await conn.fetch(ORGS_SQL, [r["organization_id"] for r in page])
            }
        edges = [
            {
                "cursor": encode_cursor((r["sort_name"], r["id"])),
                "node": {
                    "id": str(r["id"]),
                    "tier": r["tier"].upper(),
                    "status": r["status"].upper(),
                    "organization": {
                        "nameZh": orgs[r["organization_id"]]["name_zh"],
                        "country": orgs[r["organization_id"]]["country"],
                    },
                },
            }
            for r in page
        ]
        data = {
            "alliance": {
                "members": {
                    "totalCount": int(sum(t["count"] for t in totals)),
                    "edges": edges,
                    "pageInfo": {
                        "hasNextPage": len(rows) > first,
                        "endCursor": edges[-1]["cursor"] if edges else None,
                    },
                }
            }
        }
        out = json.dumps({"data": data}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": out})

    return app


def plain_graphql_app(service_app: Any) -> Any:
    """The same schema, resolvers, context and transaction, run by graphql-core alone."""
    from membership.graphql.schema import schema

    core = schema._schema
    state = service_app.state

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = json.loads(body)
        principal = scope["state"]["principal"]
        context = Context(
            principal=principal,
            tx=RequestTransaction(state.database, principal.scope()),
            settings=state.settings,
            bus=state.bus,
        )
        result = await graphql.graphql(
            core, request["query"], variable_values=request.get("variables"), context_value=context
        )
        await context.tx.finish(commit=not result.errors)
        out = json.dumps(result.formatted).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": out})

    return GatewaySignatureMiddleware(
        app, secret=TEST_SECRET, service="membership", max_body=1 << 20, path="/graphql"
    )


class Signed:
    """POSTs signed like the gateway signs, to any ASGI app."""

    def __init__(self, app: Any) -> None:
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x")

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, claims: dict[str, Any] = STAFF
    ) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {
            "content-type": "application/json",
            **sign_request(TEST_SECRET, claims, body, audience="membership"),
        }
        response = await self.http.post("/graphql", content=body, headers=headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        assert not result.get("errors"), result["errors"]
        return result


async def timed(n: int, call: Callable[[int], Awaitable[Any]]) -> list[float]:
    """Milliseconds of each of ``n`` calls, one after another."""
    out = []
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def ab(
    rounds: int, n: int, a: Callable[[int], Awaitable[Any]], b: Callable[[int], Awaitable[Any]]
) -> tuple[list[float], list[float]]:
    """Alternating phases of ``a`` and ``b``; all samples of each."""
    xs: list[float] = []
    ys: list[float] = []
    await timed(max(5, n // 10), a)
    await timed(max(5, n // 10), b)
    for r in range(rounds):
        if r % 2:
            ys += await timed(n, b)
            xs += await timed(n, a)
        else:
            xs += await timed(n, a)
            ys += await timed(n, b)
    return xs, ys


async def run(args: argparse.Namespace) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="concord-bench-subgraph-"))
    os.chmod(base, 0o755)
    cluster = PostgresCluster(base / "pg")
    natsd = NatsServer(base / "nats")
    result: dict[str, Any] = {}
    try:
        cluster.start()
        natsd.start()
        db = await asyncio.to_thread(
            provision_service_database_sync, cluster.superuser_dsn(), "membership"
        )
        await asyncio.to_thread(upgrade, "membership", db.migration_url)
        settings = Settings(
            database_url=db.app_url,
            nats_url=natsd.url,
            signing_secret=TEST_SECRET,
            run_workers=False,
        )
        async with running(lambda: create_app(settings)) as client:
            await client.data(
                'mutation { createAlliance(input: {slug: "bench", nameZh: "基准联盟",'
                ' template: "aii"}) { id } }',
                claims=OPERATOR,
            )
            owner = await asyncpg.connect(db.migration_dsn)
            try:
                await owner.execute("SELECT set_config('app.all_alliances', 'on', false)")
                await owner.execute(LOAD_ORGANIZATIONS, args.members)
                await owner.execute(LOAD_MEMBERSHIPS, AID)
                # as autovacuum would have by then: statistics and the visibility map
                await owner.execute("VACUUM ANALYZE")
                cursors = [
                    encode_cursor((r["sort_name"], r["id"]))
                    for r in await owner.fetch(
                        "SELECT sort_name, id FROM memberships WHERE alliance_id = $1"
                        " ORDER BY sort_name, id",
                        AID,
                    )
                ]
            finally:
                await owner.close()
            log(f"{len(cursors)} members loaded")
            rng = random.Random(14)
            starts = [rng.choice(cursors[: -args.first]) for _ in range(4096)]
            subgraph = Signed(client.app)
            pool = await asyncpg.create_pool(db.app_dsn, min_size=1, max_size=4)
            bare = Signed(bare_app(pool))
            plain = Signed(plain_graphql_app(client.app))

            def page_vars(i: int) -> dict[str, Any]:
                return {"slug": SLUG, "first": args.first, "after": starts[i % len(starts)]}

            # the same JSON, twice: first page and a later one
            for v in ({"slug": SLUG, "first": args.first, "after": None}, page_vars(7)):
                a = await subgraph.post(LIST_QUERY, v)
                b = await bare.post(LIST_QUERY, v)
                c = await plain.post(LIST_QUERY, v)
                assert a == b == c, (json.dumps(a)[:400], json.dumps(b)[:400])
            assert a["data"]["alliance"]["members"]["totalCount"] == args.members

            if args.profile:
                # for py-spy: only subgraph pages (docs/benchmarks.md, "Where the time goes")
                query = LIST_QUERY if args.profile == "page" else SMALL
                await timed(
                    args.requests * 10,
                    lambda i: subgraph.post(query, page_vars(i) if query is LIST_QUERY else None),
                )
                return {}

            # 1. members page, and PostgreSQL's CPU per page
            pg_root = cluster._postmaster_pid()

            def pg_cpu() -> float:
                return _tree_cpu(_proc_table(), pg_root)

            cpu0 = pg_cpu()
            xs, ys = await ab(
                args.rounds,
                args.requests,
                lambda i: subgraph.post(LIST_QUERY, page_vars(i)),
                lambda i: bare.post(LIST_QUERY, page_vars(i)),
            )
            both_pg = pg_cpu() - cpu0
            cpu0 = pg_cpu()
            only = await timed(args.requests, lambda i: subgraph.post(LIST_QUERY, page_vars(i)))
            pg_ms = (pg_cpu() - cpu0) * 1000 / len(only)
            # the same page when the client asks for no total: nothing is counted
            uncounted = LIST_QUERY.replace("totalCount\n", "")
            assert uncounted != LIST_QUERY
            cpu0 = pg_cpu()
            bare_page = await timed(args.requests, lambda i: subgraph.post(uncounted, page_vars(i)))
            pg_uncounted_ms = (pg_cpu() - cpu0) * 1000 / len(bare_page)
            result["members_page"] = {
                "subgraph_ms_p50": statistics.median(xs),
                "bare_ms_p50": statistics.median(ys),
                "ratio_subgraph_over_bare": statistics.median(ys) / statistics.median(xs),
                "pg_cpu_ms_per_page": pg_ms,
                "pg_cpu_ms_per_page_without_total": pg_uncounted_ms,
                "subgraph_ms_p50_without_total": statistics.median(bare_page),
                "pg_cpu_ms_per_request_both": both_pg * 1000 / (len(xs) + len(ys)),
            }
            with statements_of(client.app) as statements:
                await subgraph.post(LIST_QUERY, page_vars(3))
            result["members_page"]["statements"] = len(statements)
            # EXPLAIN of the page's statements as the app role, scope set
            conn = await asyncpg.connect(db.app_dsn)
            try:
                explains = {}
                async with conn.transaction():
                    await conn.execute(SCOPE_SQL, "{" + str(AID) + "}", "bench-staff")
                    key = json.loads(
                        __import__("base64").urlsafe_b64decode(
                            starts[3] + "=" * (-len(starts[3]) % 4)
                        )
                    )
                    for name, sql, params in (
                        ("page", PAGE_SQL, (AID, key[0], uuid.UUID(key[1]), args.first + 1)),
                        ("totals", TOTALS_SQL, (AID,)),
                    ):
                        plan = await conn.fetch(
                            "EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql, *params
                        )
                        explains[name] = [r[0] for r in plan]
            finally:
                await conn.close()
            result["members_page"]["explain"] = explains
            log(f"members page: {result['members_page']}")

            # 2. small query, caches on / off
            from strawberry.extensions import ParserCache, ValidationCache

            from membership.graphql.schema import schema

            with_caches = list(schema.extensions)
            without = [
                e
                for e in with_caches
                if not isinstance(e() if callable(e) else e, (ParserCache, ValidationCache))
            ]
            assert len(without) == len(with_caches) - 2

            async def small_on(i: int) -> Any:
                schema.extensions = with_caches
                return await subgraph.post(SMALL)

            async def small_off(i: int) -> Any:
                schema.extensions = without
                return await subgraph.post(SMALL)

            on, off = await ab(args.rounds, args.requests * 2, small_on, small_off)
            schema.extensions = with_caches
            result["small_query"] = {
                "caches_on_ms_p50": statistics.median(on),
                "caches_off_ms_p50": statistics.median(off),
                "ratio_on_over_off": statistics.median(off) / statistics.median(on),
            }
            log(f"small query: {result['small_query']}")

            # 3. subgraph vs plain graphql-core, same resolvers (small query and members page)
            s1, g1 = await ab(
                args.rounds,
                args.requests * 2,
                lambda i: subgraph.post(SMALL),
                lambda i: plain.post(SMALL),
            )
            s2, g2 = await ab(
                args.rounds,
                args.requests,
                lambda i: subgraph.post(LIST_QUERY, page_vars(i)),
                lambda i: plain.post(LIST_QUERY, page_vars(i)),
            )
            result["plain_graphql_core"] = {
                "small_subgraph_ms_p50": statistics.median(s1),
                "small_plain_ms_p50": statistics.median(g1),
                "small_ratio": statistics.median(g1) / statistics.median(s1),
                "page_subgraph_ms_p50": statistics.median(s2),
                "page_plain_ms_p50": statistics.median(g2),
                "page_ratio": statistics.median(g2) / statistics.median(s2),
            }
            log(f"plain graphql-core: {result['plain_graphql_core']}")

            # 4. a mutation with its outbox event, and without
            real_record = outbox_module.record

            async def no_record(*a: Any, **k: Any) -> None:
                return None

            counter = iter(range(10**9))

            async def assign(i: int) -> Any:
                n = next(counter)
                return await subgraph.post(
                    ASSIGN,
                    {
                        "i": {
                            "alliance": SLUG,
                            "userId": f"u{n}",
                            "name": f"职员{n}",
                            "role": "secretariat",
                        }
                    },
                    claims=OPERATOR,
                )

            async def with_event(i: int) -> Any:
                outbox_module.record = real_record
                return await assign(i)

            async def without_event(i: int) -> Any:
                outbox_module.record = no_record  # type: ignore[assignment]
                return await assign(i)

            try:
                we, wo = await ab(args.rounds, args.requests, with_event, without_event)
            finally:
                outbox_module.record = real_record
            result["outbox"] = {
                "with_event_ms_p50": statistics.median(we),
                "without_ms_p50": statistics.median(wo),
                "difference_ms_p50": statistics.median(we) - statistics.median(wo),
            }
            log(f"outbox: {result['outbox']}")

            # 5. _entities with 1 / 10 / 100 representations
            conn = await asyncpg.connect(db.migration_dsn)
            try:
                await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
                ids = [
                    str(r["id"])
                    for r in await conn.fetch(
                        "SELECT id FROM memberships ORDER BY random() LIMIT 100"
                    )
                ]
            finally:
                await conn.close()
            entities = {}
            for size in (1, 10, 100):
                reps = [{"__typename": "Membership", "id": i} for i in ids[:size]]
                with statements_of(client.app) as statements:
                    data = await subgraph.post(ENTITIES, {"r": reps})
                got = data["data"]["_entities"]
                assert len(got) == size and all(got), (size, str(got)[:300])
                count = len(statements)
                times = await timed(
                    max(10, args.requests // 2),
                    lambda i, reps=reps: subgraph.post(ENTITIES, {"r": reps}),
                )
                entities[str(size)] = {"ms_p50": statistics.median(times), "statements": count}
            result["entities"] = entities
            log(f"_entities: {entities}")
            await pool.close()
    finally:
        natsd.stop()
        cluster.stop(mode="immediate")
        shutil.rmtree(base, ignore_errors=True)
    return result


def _git(*argv: str) -> str:
    # not stripped: porcelain lines start with a status column that may be a space
    return subprocess.run(
        ["git", *argv], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    ).stdout.rstrip("\n")


def markdown(result: dict[str, Any]) -> str:
    m, s, g, o, e = (
        result["members_page"],
        result["small_query"],
        result["plain_graphql_core"],
        result["outbox"],
        result["entities"],
    )
    rows = [
        (
            "members page (50 of 10,000), subgraph / bare asyncpg endpoint",
            f"{m['ratio_subgraph_over_bare']:.2f}",
            "≥ 0.35",
            f"subgraph {m['subgraph_ms_p50']:.1f} ms, bare {m['bare_ms_p50']:.1f} ms (p50); "
            f"{m['statements']} statements",
        ),
        (
            "PostgreSQL CPU per members page",
            f"{m['pg_cpu_ms_per_page']:.1f} ms",
            "≤ 3 ms",
            "the cluster's process tree, /proc, over the subgraph-only phase",
        ),
        (
            "… the same page without `totalCount` (nothing counted)",
            f"{m['pg_cpu_ms_per_page_without_total']:.1f} ms",
            "≤ 3 ms",
            f"subgraph {m['subgraph_ms_p50_without_total']:.1f} ms p50",
        ),
        (
            "small query, caches on / off",
            f"{s['ratio_on_over_off']:.2f}×",
            "≥ 2.5×",
            f"on {s['caches_on_ms_p50']:.2f} ms, off {s['caches_off_ms_p50']:.2f} ms",
        ),
        (
            "subgraph / plain graphql-core, small query",
            f"{g['small_ratio']:.2f}",
            "≥ 0.7",
            f"subgraph {g['small_subgraph_ms_p50']:.2f} ms, plain {g['small_plain_ms_p50']:.2f} ms",
        ),
        (
            "subgraph / plain graphql-core, members page",
            f"{g['page_ratio']:.2f}",
            "≥ 0.7",
            f"subgraph {g['page_subgraph_ms_p50']:.1f} ms, plain {g['page_plain_ms_p50']:.1f} ms",
        ),
        (
            "mutation with outbox event − without (p50)",
            f"{o['difference_ms_p50']:.2f} ms",
            "≤ 1 ms",
            f"assignRole: {o['with_event_ms_p50']:.2f} vs {o['without_ms_p50']:.2f} ms",
        ),
    ]
    for size, v in e.items():
        rows.append(
            (
                f"`_entities`, {size} Membership representation(s)",
                f"{v['ms_p50']:.1f} ms",
                "statements constant",
                f"{v['statements']} statements",
            )
        )
    head = (
        f"Latest run: {result['date']}, commit `{result['commit']}`, {os.cpu_count()} cores; "
        f"{result['params']['members']:,} members, `first: {result['params']['first']}`, "
        f"{result['params']['rounds']} alternating rounds × {result['params']['requests']} "
        "sequential requests per side (medians).\n\n"
        "| measure | figure | goal | detail |\n|---|---:|---|---|\n"
    )
    return head + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)


def write(result: dict[str, Any]) -> None:
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    text = DOCS_FILE.read_text()
    block = f"{DOCS_START}\n{markdown(result)}\n{DOCS_END}"
    if DOCS_START in text:
        before, rest = text.split(DOCS_START, 1)
        text = before + block + rest.split(DOCS_END, 1)[1]
    else:
        text += f"\n## Subgraph costs (`bench/subgraph_costs.py`)\n\n{block}\n"
    DOCS_FILE.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=60, help="per side per round")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--profile",
        choices=["page", "small"],
        help="only send that query to the subgraph, to profile it: py-spy record -- python …",
    )
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    if args.profile:
        return 0
    result.update(
        date=datetime.now(UTC).date().isoformat(),
        commit=_git("rev-parse", "--short=10", "HEAD").strip()
        + (
            " + uncommitted changes"
            if [
                line
                for line in _git("status", "--porcelain", "--untracked-files=no").splitlines()
                if not line[3:].startswith(("bench/results/", "docs/benchmarks.md"))
            ]
            else ""
        ),
        params=vars(args),
    )
    if not args.no_write:
        write(result)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

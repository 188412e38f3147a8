"""`make bench`: a burst of ballots on one motion of 2,000 seats, through the gateway and straight
to the governance subgraph, in one run (issue 8).

All on free loopback ports, stopped again at the end:

1. a throwaway PostgreSQL cluster and nats-server, the platform (four services, the Hive Gateway,
   ``production`` settings, random secrets); an AII alliance created through the gateway;
2. ``--seats`` member organisations of the alliance with their general-assembly seats loaded
   straight into governance's read model (``members``, ``seats``: the rows its roster consumer
   writes for each admission), each seat held by its own voter;
3. through the gateway as the secretariat: a general assembly convened with two ordinary
   resolutions on its agenda, every seat's attendance recorded (present), both votes opened;
4. the burst: each voter casts one ballot on motion A through the gateway (their own JWT), from
   ``--clients`` concurrent clients, then the same on motion B straight to the subgraph (the
   headers the gateway would sign). Every ballot must be acknowledged with a receipt; the
   ballots in the database must be exactly the acknowledged ones (none lost, none doubled);
5. closing: motion A through the gateway (its time); motion B in this process, on the same
   database, with the SQL statements of the close counted on the engine (a constant, not one
   per ballot).

Writes ``bench/results/ballots.json`` and the table between the markers in
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform as host_platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
from _platform import platform_config

from devkit.local.nats import NatsServer
from devkit.local.platform import Platform
from devkit.local.postgres import PostgresCluster
from devkit.testing.subgraph import claims_for, running, statements_of
from governance.app import create_app
from governance.settings import Settings
from servicekit.auth.devtoken import DEV_AUDIENCE, mint
from servicekit.auth.signing import sign_request
from servicekit.tenancy import alliance_id

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "ballots.json"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:ballots:start -->", "<!-- bench:ballots:end -->"
SLUG = "bench-votes"
AID = alliance_id(SLUG)
CAST = (
    "mutation($s: ID!, $t: ID!, $c: BallotChoice!) { castBallot(stage: $s, seat: $t, "
    "choice: $c) { receipt } }"
)
CLOSE = "mutation($s: ID!) { closeVote(stage: $s) { status result { yes passed rule } } }"


def log(message: str) -> None:
    print(f"[ballots {time.strftime('%H:%M:%S')}] {message}", flush=True)


def gql(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = httpx.post(
        url,
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {token}"},
        timeout=120,
    )
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"{query[:60]}…: {body['errors']}")
    return body["data"]


async def load_seats(migration_dsn: str, count: int) -> list[tuple[str, str]]:
    """``count`` members and their general-assembly seats, as governance's roster consumer
    writes them for each admission; returns (seat id, voter) pairs."""
    rows = []
    for i in range(count):
        org = uuid.uuid4()
        key = f"org:{org}"
        seat = uuid.uuid5(AID, f"seat:general_assembly:{key}")
        rows.append((org, seat, key, f"投票测试单位{i:04d}", f"bench-voter-{i:04d}"))
    conn = await asyncpg.connect(migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        async with conn.transaction():
            await conn.executemany(
                "INSERT INTO members (membership_id, alliance_id, organization_id, "
                "organization_name, tier, status, contact_user_id) "
                "VALUES ($1, $2, $3, $4, 'member', 'active', $5)",
                [(uuid.uuid4(), AID, org, name, voter) for org, _, _, name, voter in rows],
            )
            await conn.executemany(
                "INSERT INTO seats (id, alliance_id, body, holder_key, organization_id, "
                "organization_name, holder_user_id, active, term_starts_on) "
                "VALUES ($1, $2, 'general_assembly', $3, $4, $5, $6, true, current_date)",
                [(seat, AID, key, org, name, voter) for org, seat, key, name, voter in rows],
            )
        await conn.execute("ANALYZE seats")
    finally:
        await conn.close()
    return [(str(seat), voter) for _, seat, _, _, voter in rows]


async def burst(
    url: str, seats: list[tuple[str, str]], stage: str, clients: int, headers: Any
) -> tuple[list[float], float, dict[str, str]]:
    """One ballot per seat from ``clients`` concurrent clients: latencies (ms), wall seconds,
    and the receipt acknowledged for each seat."""
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for pair in seats:
        queue.put_nowait(pair)
    latencies: list[float] = []
    receipts: dict[str, str] = {}

    async def client() -> None:
        async with httpx.AsyncClient(timeout=120) as http:
            while not queue.empty():
                seat, voter = queue.get_nowait()
                body = json.dumps(
                    {"query": CAST, "variables": {"s": stage, "t": seat, "c": "YES"}}
                ).encode()
                began = time.perf_counter()
                response = await http.post(url, content=body, headers=headers(voter, body))
                latencies.append((time.perf_counter() - began) * 1000)
                answer = response.json()
                if answer.get("errors"):
                    raise RuntimeError(f"ballot of {seat} refused: {answer['errors']}")
                receipts[seat] = answer["data"]["castBallot"]["receipt"]

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, time.perf_counter() - began, receipts


async def stored(migration_dsn: str, stage: str) -> dict[str, int]:
    conn = await asyncpg.connect(migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        rows = await conn.fetch(
            "SELECT seat_id::text AS seat, count(*) AS n FROM ballots WHERE stage_id = $1::uuid "
            "GROUP BY seat_id",
            stage,
        )
        return {r["seat"]: int(r["n"]) for r in rows}
    finally:
        await conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="concord-bench-ballots-"))
    work.chmod(0o755)
    cluster, natsd = PostgresCluster(work / "pg"), NatsServer(work / "nats")
    jwt_secret, signing_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    platform: Platform | None = None
    try:
        cluster.start()
        natsd.start()
        config = platform_config(work, cluster, natsd, jwt_secret, signing_secret)
        platform = Platform(config)
        platform.start()
        url = platform.graphql_url
        operator = mint(jwt_secret, sub="bench-operator", operator=True, ttl=3600)
        clerk = mint(jwt_secret, sub="bench-clerk", alliances={SLUG: ["secretariat"]}, ttl=3600)
        gql(
            url,
            operator,
            "mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id } }",
            {"i": {"slug": SLUG, "nameZh": "投票基准联盟", "template": "aii"}},
        )
        bodies_query = "query($s: String!) { alliance(slug: $s) { bodies { kind } } }"
        for _ in range(300):  # governance learns of the alliance from membership's event
            bodies = gql(url, clerk, bodies_query, {"s": SLUG})["alliance"]["bodies"]
            if any(b["kind"] == "GENERAL_ASSEMBLY" for b in bodies):
                break
            time.sleep(0.2)
        governance_db = platform.databases["governance"]
        seats = asyncio.run(load_seats(governance_db.migration_dsn, args.seats))
        took = time.monotonic() - started
        log(f"platform up, {len(seats):,} assembly seats loaded ({took:.0f} s)")

        propose = "mutation($i: ProposeMotionInput!) { proposeMotion(input: $i) { id } }"
        motions = [
            gql(
                url,
                clerk,
                propose,
                {
                    "i": {
                        "alliance": SLUG,
                        "body": "GENERAL_ASSEMBLY",
                        "matter": "ORDINARY_RESOLUTION",
                        "title": f"基准决议 {name}",
                    }
                },
            )["proposeMotion"]["id"]
            for name in ("A", "B")
        ]
        meeting = gql(
            url,
            clerk,
            "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
            {
                "i": {
                    "alliance": SLUG,
                    "body": "GENERAL_ASSEMBLY",
                    "title": "基准会员大会",
                    "mode": "IN_PERSON",
                    "startsAt": datetime.now(UTC).isoformat(),
                    "place": "北京",
                    "agenda": motions,
                }
            },
        )["conveneMeeting"]["id"]
        attend = (
            "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
            "entries: $e) { id } }"
        )
        for i in range(0, len(seats), 200):
            present = [{"seat": s, "status": "PRESENT"} for s, _ in seats[i : i + 200]]
            gql(url, clerk, attend, {"g": meeting, "e": present})
        open_vote = "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }"
        stages = [
            gql(url, clerk, open_vote, {"m": m, "g": meeting})["openVote"]["id"] for m in motions
        ]
        log("assembly convened, attendance recorded, both votes open")

        tokens = {
            v: mint(jwt_secret, sub=v, alliances={SLUG: ["contact_person"]}, ttl=3600)
            for _, v in seats
        }

        def via_gateway(voter: str, body: bytes) -> dict[str, str]:
            return {"content-type": "application/json", "authorization": f"Bearer {tokens[voter]}"}

        # The subgraph gets exactly the claims the gateway would sign: the token's payload.
        claims_of = {
            v: jwt.decode(t, jwt_secret, algorithms=["HS256"], audience=DEV_AUDIENCE)
            for v, t in tokens.items()
        }

        def direct(voter: str, body: bytes) -> dict[str, str]:
            claims = claims_of[voter]
            return {
                "content-type": "application/json",
                **sign_request(signing_secret, claims, body, audience="governance"),
            }

        results = {}
        for name, target, headers, stage in (
            ("gateway", url, via_gateway, stages[0]),
            ("direct", platform.service_url("governance"), direct, stages[1]),
        ):
            latencies, seconds, receipts = asyncio.run(
                burst(target, seats, stage, args.clients, headers)
            )
            kept = asyncio.run(stored(governance_db.migration_dsn, stage))
            lost = sum(1 for s in receipts if s not in kept)
            doubled = sum(n - 1 for n in kept.values() if n > 1)
            if len(receipts) != len(seats) or lost or doubled or len(kept) != len(seats):
                raise RuntimeError(f"{name}: {len(receipts)} acknowledged, {len(kept)} stored")
            results[name] = {
                "ballots": len(kept),
                "lost": lost,
                "doubled": doubled,
                "seconds": round(seconds, 2),
                "ballots_per_s": round(len(kept) / seconds, 1),
                "p50_ms": round(statistics.median(latencies), 1),
                "p99_ms": round(percentile(latencies, 0.99), 1),
            }
            log(f"{name}: {results[name]}")

        began = time.perf_counter()
        closed_a = gql(url, clerk, CLOSE, {"s": stages[0]})["closeVote"]
        close_gateway_ms = (time.perf_counter() - began) * 1000
        assert closed_a["result"]["yes"] == len(seats), closed_a

        async def close_in_process() -> tuple[float, int, dict[str, Any]]:
            settings = Settings(
                database_url=governance_db.app_url,
                nats_url=natsd.url,
                signing_secret=signing_secret,
                run_workers=False,
            )
            async with running(lambda: create_app(settings)) as client:
                claims = claims_for("bench-clerk", alliances={SLUG: ["secretariat"]})
                with statements_of(client.app) as statements:
                    began = time.perf_counter()
                    result = await client.data(CLOSE, {"s": stages[1]}, claims=claims)
                    ms = (time.perf_counter() - began) * 1000
                return ms, len(statements), result["closeVote"]

        close_direct_ms, close_statements, closed_b = asyncio.run(close_in_process())
        assert closed_b["result"]["yes"] == len(seats), closed_b
    finally:
        if platform is not None:
            platform.stop()
        natsd.stop()
        cluster.stop(mode="immediate")
        shutil.rmtree(work, ignore_errors=True)
    gateway, direct_ = results["gateway"], results["direct"]
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "cpu": f"{os.cpu_count()} cores ({host_platform.processor() or host_platform.machine()})",
        "seats": len(seats),
        "clients": args.clients,
        "gateway": gateway,
        "direct": direct_,
        "ratio_gateway_over_direct_ballots_per_s": round(
            gateway["ballots_per_s"] / direct_["ballots_per_s"], 2
        ),
        "ratio_gateway_over_direct_p99": round(gateway["p99_ms"] / direct_["p99_ms"], 2),
        "close_through_gateway_ms": round(close_gateway_ms, 1),
        "close_in_process_ms": round(close_direct_ms, 1),
        "close_sql_statements": close_statements,
        "wall_seconds": round(time.monotonic() - started),
    }


def table(r: dict[str, Any]) -> str:
    g, d = r["gateway"], r["direct"]
    return "\n".join(
        [
            START,
            f"Latest run: {r['date']}, commit `{r['commit']}`, {r['cpu']}; one motion of "
            f"{r['seats']:,} seats per target, {r['clients']} concurrent clients, every seat "
            "casting once.",
            "",
            "| target | ballots stored | lost | doubled | ballots/s | p50 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| through the gateway | {g['ballots']:,} | {g['lost']} | {g['doubled']} | "
            f"{g['ballots_per_s']} | {g['p50_ms']} | {g['p99_ms']} |",
            f"| straight to governance | {d['ballots']:,} | {d['lost']} | {d['doubled']} | "
            f"{d['ballots_per_s']} | {d['p50_ms']} | {d['p99_ms']} |",
            "",
            f"**Ratio gateway / direct: {r['ratio_gateway_over_direct_ballots_per_s']} in "
            f"ballots per second, {r['ratio_gateway_over_direct_p99']} in p99.** Closing a "
            f"motion of {r['seats']:,} ballots: {r['close_through_gateway_ms']} ms through the "
            f"gateway, {r['close_in_process_ms']} ms in process with "
            f"**{r['close_sql_statements']} SQL statements**.",
            END,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seats", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    result = run(args)
    text = table(result)
    print("\n" + text + "\n", flush=True)
    if args.no_write:
        return 0
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    doc = DOC.read_text()
    if START in doc:
        head, rest = doc.split(START, 1)
        doc = head + text + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip() + "\n\n## Ballots (`bench/ballots.py`)\n\n" + text + "\n"
    DOC.write_text(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())

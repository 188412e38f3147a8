"""`make bench`: the members list through the gateway next to the same query sent straight
to the membership subgraph, in one run, as a ratio (issue 4).

What it does, all on free loopback ports and all stopped again at the end (also on Ctrl-C,
SIGTERM or a failure):

1. starts a throwaway PostgreSQL cluster and nats-server (``devkit.local``), then the
   platform (four services and the Hive Gateway, ``environment="production"``, random
   secrets);
2. creates the alliance ``bench`` through the gateway as the platform operator, and bulk-loads
   ``--members`` organisations with their memberships straight into the membership database as
   the owner role (two ``INSERT … SELECT generate_series`` statements);
3. walks the whole list once directly (checks the pagination returns every member exactly once
   and that the gateway returns the same page as the subgraph) and keeps every edge's cursor;
4. runs the same workload against (a) the gateway, with the alliance secretariat's Bearer
   token, and (b) the membership subgraph, with the gateway's headers signed per request
   (``sign_request`` over the exact body): ``--concurrency`` workers each walk forward
   ``first: 50`` pages with ``after`` cursors from a random start, jumping to another random
   start every few pages, so that requests differ. Rounds alternate the order of the targets
   (gateway, direct / direct, gateway / …); each phase has a warm-up that is not counted;
5. writes ``bench/results/members_list.json`` and replaces the table between the markers in
   ``docs/benchmarks.md``. Every response is checked (HTTP 200, no GraphQL errors, the full
   total and page); any failed request fails the run and nothing is written.

It also reads each process's CPU time from ``/proc`` around every measured phase, so the report
says where the CPU of a request goes (bench client, gateway, membership, PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import os
import platform as host_platform
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg
import httpx
import jwt
from _platform import platform_config

from devkit.local.nats import NatsServer
from devkit.local.platform import SERVICES, Platform
from devkit.local.postgres import PostgresCluster
from servicekit.auth.devtoken import DEV_AUDIENCE, mint
from servicekit.auth.signing import sign_request

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO_ROOT / "bench" / "results" / "members_list.json"
DOCS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
DOCS_START = "<!-- bench:members_list:start -->"
DOCS_END = "<!-- bench:members_list:end -->"

SLUG = "bench"
CLAIMS_ROLES = {SLUG: ["secretariat"]}
LIST_QUERY = """query MembersPage($slug: String!, $first: Int!, $after: String) {
  alliance(slug: $slug) {
    members(first: $first, after: $after) {
      totalCount
      edges { cursor node { id tier status organization { nameZh country } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""
CREATE_ALLIANCE = (
    'mutation { createAlliance(input: {slug: "bench", nameZh: "基准联盟", template: "aii"}) '
    "{ id } }"
)
PAGES_PER_WALK = 5  # pages a worker follows forward before it jumps to another random start
WALK_PAGE = 200  # page size of the one-off full walk that collects the start cursors
REQUEST_TIMEOUT = 30.0
MAX_ERRORS = 20  # a phase stops early after this many failed requests (and the run fails)

# The bulk load. Names are shuffled by md5 so that name order (the list's order) is not
# insertion order; tiers are spread like a real alliance (few chairs, many ordinary members).
LOAD_ORGANIZATIONS = """
INSERT INTO organizations (id, name_zh, name_en, kind, country, registration_number, created_at)
SELECT gen_random_uuid(),
       '基准' || (ARRAY['华','中','新','东','南','海','云','智'])[1 + g % 8]
              || left(md5(g::text), 6) || '科技有限公司',
       'Bench Member ' || g,
       (ARRAY['enterprise', 'institution', 'association', 'university',
              'research_institute', 'financial_institution'])[1 + g % 6],
       (ARRAY['CN', 'CN', 'CN', 'SG', 'MY', 'TH', 'VN', 'ID'])[1 + (g / 8) % 8],
       'BENCH' || lpad(g::text, 10, '0'),
       now()
FROM generate_series(1, $1::int) AS g
"""
LOAD_MEMBERSHIPS = """
INSERT INTO memberships (id, alliance_id, organization_id, sort_name, country, tier, status,
                         contact_user_id, contact_name, contact_email, application_id, joined_at)
SELECT gen_random_uuid(), $1::uuid, o.id, o.name_zh, o.country,
       CASE WHEN n % 100 = 0 THEN 'chair'
            WHEN n % 100 < 5 THEN 'vice_chair'
            WHEN n % 100 < 25 THEN 'director'
            ELSE 'ordinary' END,
       'active',
       'bench-contact-' || n, '联系人' || n, 'contact' || n || '@bench.example.cn',
       NULL, now() - (n % 1000) * interval '1 day'
FROM (SELECT id, name_zh, country,
             substring(registration_number FROM 6)::int AS n
      FROM organizations WHERE registration_number LIKE 'BENCH%') AS o
"""


_T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[bench {time.monotonic() - _T0:5.1f}s] {message}", flush=True)


# --- CPU accounting from /proc ------------------------------------------------------------


_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds incl. reaped children) of every process we can read."""
    table: dict[int, tuple[int, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                raw = f.read().decode(errors="replace")
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2 :].split()
        # fields[0] is field 3 (state) of proc(5): ppid=4, utime=14, stime=15, cutime=16, cstime=17
        ticks = sum(int(x) for x in fields[11:15])
        table[int(entry.name)] = (int(fields[1]), ticks / _CLK_TCK)
    return table


def _tree_cpu(table: dict[int, tuple[int, float]], root: int | None) -> float:
    if root is None or root not in table:
        return 0.0
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += table[pid][1]
        stack.extend(children.get(pid, ()))
    return total


def _machine_cpu() -> float:
    """CPU seconds used by everything on the machine (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / _CLK_TCK


@dataclass
class CpuProbe:
    """The process trees whose CPU time is read around each measured phase."""

    roots: dict[str, list[int]]

    def sample(self) -> dict[str, float]:
        table = _proc_table()
        own = os.times()
        out = {
            name: sum(_tree_cpu(table, pid) for pid in pids) for name, pids in self.roots.items()
        }
        out["bench client"] = own.user + own.system
        out["whole machine"] = _machine_cpu()
        return out


# --- the load generator -------------------------------------------------------------------


@dataclass
class Target:
    name: str
    url: str
    headers_for: Callable[[bytes], dict[str, str]]


@dataclass
class PhaseResult:
    round: int
    target: str
    requests: int
    errors: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_response_bytes: int
    cpu_ms_per_request: dict[str, float]
    cpu_busy_fraction: float  # CPU seconds used by this run's processes / (seconds x cores)
    foreign_busy_fraction: float  # the same for everything else on the machine (noise)


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    response_bytes: int = 0


def _body(first: int, after: str | None) -> bytes:
    variables = {"slug": SLUG, "first": first, "after": after}
    return json.dumps({"query": LIST_QUERY, "variables": variables}).encode()


def _check_page(response: httpx.Response, total: int, first: int) -> dict[str, Any]:
    """The ``members`` connection of a good response; raises ValueError otherwise."""
    if response.status_code != 200:
        raise ValueError(f"HTTP {response.status_code}: {response.text[:300]}")
    payload = response.json()
    if payload.get("errors"):
        raise ValueError(f"GraphQL errors: {json.dumps(payload['errors'])[:300]}")
    members: dict[str, Any] = payload["data"]["alliance"]["members"]
    if members["totalCount"] != total:
        raise ValueError(f"totalCount {members['totalCount']}, expected {total}")
    if len(members["edges"]) != first and members["pageInfo"]["hasNextPage"]:
        raise ValueError(f"{len(members['edges'])} edges on a page of {first} with more to come")
    return members


async def _worker(
    client: httpx.AsyncClient,
    target: Target,
    starts: list[str | None],
    rng: random.Random,
    deadline: float,
    tally: _Tally,
    cap: int,
    total: int,
    first: int,
) -> None:
    after = rng.choice(starts)
    walked = 0
    while (
        time.perf_counter() < deadline
        and len(tally.latencies) + tally.errors < cap
        and tally.errors < MAX_ERRORS
    ):
        body = _body(first, after)
        began = time.perf_counter()
        try:
            response = await client.post(target.url, content=body, headers=target.headers_for(body))
            members = _check_page(response, total, first)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            tally.errors += 1
            tally.first_error = tally.first_error or f"{type(exc).__name__}: {exc}"
            after, walked = rng.choice(starts), 0
            continue
        tally.latencies.append(time.perf_counter() - began)
        tally.response_bytes += len(response.content)
        walked += 1
        if members["pageInfo"]["hasNextPage"] and walked < PAGES_PER_WALK:
            after = members["pageInfo"]["endCursor"]
        else:
            after, walked = rng.choice(starts), 0


async def _run_phase(
    client: httpx.AsyncClient,
    target: Target,
    starts: list[str | None],
    *,
    seconds: float,
    concurrency: int,
    cap: int,
    total: int,
    first: int,
    seed: int,
) -> tuple[_Tally, float]:
    tally = _Tally()
    began = time.perf_counter()
    deadline = began + seconds
    await asyncio.gather(
        *(
            _worker(
                client,
                target,
                starts,
                random.Random(seed * 1000 + i),
                deadline,
                tally,
                cap,
                total,
                first,
            )
            for i in range(concurrency)
        )
    )
    return tally, time.perf_counter() - began


async def _warm_then_measure(
    target: Target,
    starts: list[str | None],
    probe: CpuProbe,
    args: argparse.Namespace,
    total: int,
    round_no: int,
) -> tuple[_Tally, _Tally, float, dict[str, float]]:
    """A warm-up (not counted) and the measured phase on the same connections."""
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    common = {
        "concurrency": args.concurrency,
        "cap": args.max_requests,
        "total": total,
        "first": args.page_size,
    }
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:
        warm, _ = await _run_phase(
            client, target, starts, seconds=args.warmup, seed=round_no * 2, **common
        )
        before = probe.sample()
        tally, elapsed = await _run_phase(
            client, target, starts, seconds=args.duration, seed=round_no * 2 + 1, **common
        )
        after = probe.sample()
    return warm, tally, elapsed, {name: after[name] - before[name] for name in before}


async def _open_loop(
    target: Target,
    starts: list[str | None],
    rate: float,
    seconds: float,
    args: argparse.Namespace,
    total: int,
    seed: int,
) -> list[float]:
    """Requests sent at a fixed ``rate`` (open loop: one every ``1/rate`` s whatever the
    answers), each a single page from a random start; latency from the moment it was due, so
    queueing in the client counts too (no coordinated omission). Seconds per request.

    The first ``args.warmup`` seconds run at the same rate on the same connections and are not
    counted (as in the saturation phases): the connections are new in each phase, and the
    gateway's first requests on them also open its own connections to the subgraph."""
    rng = random.Random(seed)
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:

        async def one(due: float, after: str | None, counted: bool) -> None:
            body = _body(args.page_size, after)
            try:
                response = await client.post(
                    target.url, content=body, headers=target.headers_for(body)
                )
                _check_page(response, total, args.page_size)
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                return
            if counted:
                latencies.append(time.perf_counter() - due)

        began = time.perf_counter()
        warm = int(rate * args.warmup)
        tasks = []
        for i in range(warm + int(rate * seconds)):
            due = began + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(due, rng.choice(starts), counted=i >= warm)))
        await asyncio.gather(*tasks)
    if errors:
        raise RuntimeError(f"{target.name} at half load: {len(errors)} failed, first: {errors[0]}")
    return latencies


def half_load(
    targets: tuple[Target, Target],
    starts: list[str | None],
    rate: float,
    args: argparse.Namespace,
    total: int,
) -> dict[str, Any]:
    """p50/p99 of each target at ``rate`` requests/s, alternating, two phases each."""
    got: dict[str, list[float]] = {t.name: [] for t in targets}
    for round_no in range(2):
        for target in targets if round_no % 2 == 0 else targets[::-1]:
            got[target.name] += asyncio.run(
                _open_loop(target, starts, rate, args.duration, args, total, 77 + round_no)
            )
    out: dict[str, Any] = {"rate_per_s": round(rate, 1)}
    for name, values in got.items():
        out[name] = {
            "requests": len(values),
            "p50_ms": round(_percentile(values, 0.50) * 1000, 1),
            "p99_ms": round(_percentile(values, 0.99) * 1000, 1),
        }
    out["ratio_p99_gateway_to_direct"] = round(
        out["gateway"]["p99_ms"] / out["direct"]["p99_ms"], 2
    )
    return out


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(
    target: Target,
    starts: list[str | None],
    probe: CpuProbe,
    args: argparse.Namespace,
    total: int,
    round_no: int,
) -> PhaseResult:
    warm, tally, elapsed, used = asyncio.run(
        _warm_then_measure(target, starts, probe, args, total, round_no)
    )
    errors = warm.errors + tally.errors
    if errors:
        raise RuntimeError(
            f"{target.name}: {errors} failed requests, first: "
            f"{warm.first_error or tally.first_error}"
        )
    n = len(tally.latencies)
    capacity = elapsed * (os.cpu_count() or 1)
    ours = sum(v for k, v in used.items() if k != "whole machine")
    return PhaseResult(
        round=round_no,
        target=target.name,
        requests=n,
        errors=tally.errors,
        seconds=round(elapsed, 3),
        requests_per_s=round(n / elapsed, 1),
        p50_ms=round(_percentile(tally.latencies, 0.50) * 1000, 1),
        p95_ms=round(_percentile(tally.latencies, 0.95) * 1000, 1),
        p99_ms=round(_percentile(tally.latencies, 0.99) * 1000, 1),
        mean_response_bytes=tally.response_bytes // max(n, 1),
        cpu_ms_per_request={
            k: round(v * 1000 / max(n, 1), 2) for k, v in used.items() if k != "whole machine"
        },
        cpu_busy_fraction=round(ours / capacity, 3),
        foreign_busy_fraction=round(max(0.0, used["whole machine"] - ours) / capacity, 3),
    )


# --- setting up ---------------------------------------------------------------------------


def create_alliance(platform: Platform, operator_token: str) -> str:
    response = httpx.post(
        platform.graphql_url,
        json={"query": CREATE_ALLIANCE},
        headers={"authorization": f"Bearer {operator_token}"},
        timeout=REQUEST_TIMEOUT,
    )
    payload = response.json()
    if response.status_code != 200 or payload.get("errors"):
        raise RuntimeError(f"createAlliance failed: {response.status_code} {response.text[:500]}")
    return str(payload["data"]["createAlliance"]["id"])


async def _bulk_load(migration_dsn: str, alliance_id: str, members: int) -> int:
    conn = await asyncpg.connect(migration_dsn)
    try:
        # RLS is FORCEd even for the owner: take the platform-wide scope for this session.
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        async with conn.transaction():
            await conn.execute(LOAD_ORGANIZATIONS, members)
            await conn.execute(LOAD_MEMBERSHIPS, alliance_id)
        # as autovacuum would have by the time anyone pages: statistics and the visibility map
        await conn.execute("VACUUM ANALYZE organizations")
        await conn.execute("VACUUM ANALYZE memberships")
        count = await conn.fetchval(
            "SELECT count(*) FROM memberships WHERE alliance_id = $1::uuid", alliance_id
        )
        return int(count)
    finally:
        await conn.close()


def collect_starts(direct: Target, gateway: Target, total: int, page: int) -> list[str | None]:
    """Walk the whole list once (directly); every edge's cursor becomes a possible start.

    Also checks that the walk returns every member exactly once, and that the gateway answers
    a page with exactly what the subgraph answers.
    """
    starts: list[str | None] = [None]
    seen: set[str] = set()
    after: str | None = None
    with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
        while True:
            body = _body(WALK_PAGE, after)
            response = client.post(direct.url, content=body, headers=direct.headers_for(body))
            members = _check_page(response, total, WALK_PAGE)
            for edge in members["edges"]:
                seen.add(edge["node"]["id"])
                starts.append(edge["cursor"])
            if not members["pageInfo"]["hasNextPage"]:
                break
            after = members["pageInfo"]["endCursor"]
        if len(seen) != total or len(starts) != total + 1:
            raise RuntimeError(f"the walk saw {len(seen)} members in {len(starts) - 1} edges")
        probe_start = starts[len(starts) // 3]
        pages = []
        for target in (direct, gateway):
            body = _body(page, probe_start)
            response = client.post(target.url, content=body, headers=target.headers_for(body))
            pages.append(_check_page(response, total, page))
        if pages[0] != pages[1]:
            raise RuntimeError("the gateway and the subgraph returned different pages")
    starts.pop()  # the last cursor starts an empty page
    return starts


# --- reporting ----------------------------------------------------------------------------


def _git(*argv: str) -> str:
    try:
        done = subprocess.run(
            ["git", *argv], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return ""
    return done.stdout.rstrip()


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return host_platform.processor()


def _node_version() -> str:
    try:
        return subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def summarise(phases: list[PhaseResult]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name in ("gateway", "direct"):
        mine = [p for p in phases if p.target == name]
        cpu_keys = mine[0].cpu_ms_per_request.keys()
        summary[name] = {
            "requests_per_s": round(statistics.median(p.requests_per_s for p in mine), 1),
            "p50_ms": round(statistics.median(p.p50_ms for p in mine), 1),
            "p95_ms": round(statistics.median(p.p95_ms for p in mine), 1),
            "cpu_ms_per_request": {
                k: round(statistics.median(p.cpu_ms_per_request[k] for p in mine), 2)
                for k in cpu_keys
            },
        }
    by_round: dict[int, dict[str, float]] = {}
    for p in phases:
        by_round.setdefault(p.round, {})[p.target] = p.requests_per_s
    ratios = [r["gateway"] / r["direct"] for r in by_round.values()]
    summary["ratio_per_round"] = [round(r, 3) for r in ratios]
    summary["ratio_gateway_to_direct"] = round(statistics.median(ratios), 3)
    summary["foreign_busy_fraction"] = round(
        statistics.median(p.foreign_busy_fraction for p in phases), 3
    )
    return summary


def markdown_table(result: dict[str, Any]) -> str:
    s, p = result["summary"], result["parameters"]
    machine = result["machine"]
    changed = ", ".join(result["git_changed_files"])
    lines = [
        f"Latest run: {result['date'][:10]}, commit `{result['git_commit'][:10]}`"
        f"{f' + uncommitted changes in {changed}' if changed else ''}, "
        f"{machine['cores']} cores ({machine['cpu_model']}); {p['members']:,} members, "
        f"`first: {p['page_size']}`, {p['concurrency']} concurrent clients, "
        f"{p['rounds']} rounds × {p['duration_s']:g} s per target (median shown).",
        "",
        "| target | requests/s | p50 ms | p95 ms | CPU ms per request "
        "(client / gateway / membership / PostgreSQL) |",
        "|---|---:|---:|---:|---|",
    ]
    for name, label in (("gateway", "through the gateway"), ("direct", "straight to membership")):
        row = s[name]
        cpu = row["cpu_ms_per_request"]
        parts = " / ".join(
            f"{cpu[k]:.1f}" for k in ("bench client", "gateway", "membership", "postgres")
        )
        lines.append(
            f"| {label} | {row['requests_per_s']:.0f} | {row['p50_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {parts} |"
        )
    per_round = ", ".join(f"{r:.2f}" for r in s["ratio_per_round"])
    lines += [
        "",
        f"**Ratio gateway / direct throughput: {s['ratio_gateway_to_direct']:.2f}** "
        f"(median of the rounds: {per_round}). Other processes on the machine used "
        f"{s['foreign_busy_fraction']:.0%} of its CPU meanwhile (median over the phases).",
    ]
    half = result.get("half_load")
    if half:
        lines += [
            "",
            f"At half of the direct saturation rate ({half['rate_per_s']:g} requests/s, open "
            f"loop, 2 × {p['duration_s']:g} s per target after {p['warmup_s']:g} s of warm-up "
            f"each): direct p50 {half['direct']['p50_ms']}"
            f" / p99 {half['direct']['p99_ms']} ms, gateway p50 {half['gateway']['p50_ms']} / "
            f"p99 {half['gateway']['p99_ms']} ms. **Ratio gateway p99 / direct p99 at half "
            f"load: {half['ratio_p99_gateway_to_direct']:.2f}** (goal ≤ 1.5).",
        ]
    return "\n".join(lines)


def update_docs(table: str) -> bool:
    try:
        text = DOCS_FILE.read_text()
    except OSError:
        return False
    start, end = text.find(DOCS_START), text.find(DOCS_END)
    if start == -1 or end < start:
        return False
    DOCS_FILE.write_text(text[: start + len(DOCS_START)] + "\n" + table + "\n" + text[end:])
    return True


# --- the run ------------------------------------------------------------------------------


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def _cleanup_guard() -> Iterator[None]:
    """Let cleanup finish: a second Ctrl-C while processes are being stopped is ignored."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stop_platform(platform: Platform) -> None:
    """The gateway first, then the four services at once (SIGTERM, SIGKILL after 5 s).

    ``Platform.stop`` stops them one after another with 10 s each, and three of the services
    (those with event consumers) do not exit on SIGTERM at the moment, which costs 30 s.
    """
    gateway = platform.processes.get("gateway")
    if gateway is not None:
        gateway.stop(timeout=5.0)
    services = [platform.processes[s] for s in SERVICES if s in platform.processes]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(services) or 1) as pool:
        for done in [pool.submit(p.stop, 5.0) for p in services]:
            done.result()
    platform.stop()  # anything left (nothing, normally)


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="concord-bench-"))
    work.chmod(0o755)  # the unprivileged PostgreSQL user (when we are root) must get in
    cluster = PostgresCluster(work / "pg")
    nats = NatsServer(work / "nats")
    jwt_secret, signing_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    platform: Platform | None = None
    try:
        cluster.start()
        nats.start()
        log(f"PostgreSQL on {cluster.port}, NATS on {nats.port}")
        config = platform_config(work, cluster, nats, jwt_secret, signing_secret)
        platform = Platform(config)
        platform.start()
        log(
            f"platform ready after {time.monotonic() - started:.1f} s "
            f"(gateway on {config.gateway_port}, membership on "
            f"{config.service_ports['membership']})"
        )

        operator = mint(jwt_secret, sub="bench-operator", operator=True, ttl=3600)
        alliance_id = create_alliance(platform, operator)
        loaded = asyncio.run(
            _bulk_load(platform.databases["membership"].migration_dsn, alliance_id, args.members)
        )
        if loaded != args.members:
            raise RuntimeError(f"loaded {loaded} memberships, expected {args.members}")
        log(f"alliance {SLUG} with {loaded:,} members loaded")

        token = mint(jwt_secret, sub="bench", alliances=CLAIMS_ROLES, ttl=3600)
        # The subgraph gets exactly the claims the gateway would sign: the token's payload.
        claims = jwt.decode(token, jwt_secret, algorithms=["HS256"], audience=DEV_AUDIENCE)
        gateway = Target(
            "gateway",
            platform.graphql_url,
            lambda _body: {"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        direct = Target(
            "direct",
            platform.service_url("membership"),
            lambda body: {
                "content-type": "application/json",
                **sign_request(signing_secret, claims, body, audience="membership"),
            },
        )
        starts = collect_starts(direct, gateway, loaded, args.page_size)
        log(f"{len(starts):,} start cursors; gateway and subgraph agree on a sample page")

        def pid(name: str) -> list[int]:
            process = platform.processes[name].process if platform else None
            return [process.pid] if process else []

        postmaster = (cluster.data_dir / "postmaster.pid").read_text().split()[0]
        probe = CpuProbe(
            {
                "gateway": pid("gateway"),
                "membership": pid("membership"),
                "postgres": [int(postmaster)],
                "other services": [p for s in SERVICES[1:] for p in pid(s)]
                + ([nats.pid] if nats.pid else []),
            }
        )
        phases: list[PhaseResult] = []
        for round_no in range(1, args.rounds + 1):
            order = (gateway, direct) if round_no % 2 else (direct, gateway)
            for target in order:
                phase = measure(target, starts, probe, args, loaded, round_no)
                phases.append(phase)
                log(
                    f"round {round_no} {target.name:8} {phase.requests_per_s:7.1f} req/s  "
                    f"p50 {phase.p50_ms:6.1f} ms  p95 {phase.p95_ms:6.1f} ms  "
                    f"({phase.requests} requests; CPU: {phase.cpu_busy_fraction:.0%} this run, "
                    f"{phase.foreign_busy_fraction:.0%} other processes)"
                )
        # Latency under a realistic load: half of what the direct path saturates at.
        saturation = statistics.median(p.requests_per_s for p in phases if p.target == "direct")
        latency_at_half = half_load((direct, gateway), starts, saturation / 2, args, loaded)
        log(f"at half load: {latency_at_half}")
    except Exception:
        if platform is not None:
            for name, process in platform.processes.items():
                print(f"--- {name} log (tail) ---\n{process.log_tail(30)}", file=sys.stderr)
        raise
    finally:
        with _cleanup_guard():
            log("stopping everything this run started")
            if platform is not None:
                stop_platform(platform)
            nats.remove()
            cluster.remove()
            shutil.rmtree(work, ignore_errors=True)
            log("stopped")

    # what the suite itself writes (other benches' results and tables) is not a change of code
    changed = [
        line[3:]
        for line in _git("status", "--porcelain", "--untracked-files=no").splitlines()
        if not line[3:].startswith(("bench/results/", "docs/benchmarks.md"))
    ]
    return {
        "benchmark": "members_list",
        "description": "alliance(slug).members(first, after) with organization { nameZh country }: "
        "through the Hive Gateway vs. straight to the membership subgraph",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(changed),
        "git_changed_files": changed,
        "wall_seconds": round(time.monotonic() - started, 1),
        "machine": {
            "cores": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "system": host_platform.platform(),
            "python": host_platform.python_version(),
            "node": _node_version(),
        },
        "parameters": {
            "members": args.members,
            "page_size": args.page_size,
            "pages_per_walk": PAGES_PER_WALK,
            "concurrency": args.concurrency,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "max_requests_per_phase": args.max_requests,
            "environment": "production",
            "client": f"httpx {httpx.__version__} AsyncClient, in-process",
            "query": LIST_QUERY,
        },
        "phases": [asdict(p) for p in phases],
        "summary": summarise(phases),
        "half_load": latency_at_half,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, per phase")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds, per phase")
    parser.add_argument("--rounds", type=int, default=3, help="each round runs both targets")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per phase")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave the results file and docs"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.page_size <= 200 or args.members < args.page_size or args.rounds < 1:
        parser.error("need 1 <= --page-size <= 200, --members >= --page-size, --rounds >= 1")

    # Ctrl-C must always clean up, even when started with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    try:
        result = run(args)
    except KeyboardInterrupt:
        log("interrupted; every process this run started has been stopped")
        return 130
    table = markdown_table(result)
    print("\n" + table + "\n", flush=True)
    if args.no_write:
        return 0
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    log(f"wrote {RESULTS_FILE.relative_to(REPO_ROOT)}")
    if update_docs(table):
        log(f"updated the table in {DOCS_FILE.relative_to(REPO_ROOT)}")
    else:
        log(f"{DOCS_FILE.relative_to(REPO_ROOT)} has no {DOCS_START} marker: table not written")
    log(f"done in {result['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench NAME=dashboard_overview`: the operator overview of the dashboards page with
``--alliances`` alliances of ``--members`` members each: the API's own time for the page's
query next to the time the page takes to draw its answer in headless Chromium (issue 12:
under 1 s after the API answers).

1. starts a throwaway PostgreSQL cluster and nats-server, then the platform
   (``environment="production"``, random secrets), all on free loopback ports;
2. creates the alliances through the gateway as the operator, and bulk-loads ``--members``
   organisations once and a membership of each in every alliance straight into the
   membership database (``INSERT … SELECT``, the loader of ``members_list``);
3. times the page's own overview query (read from ``gateway/dashboard/dashboard.js``)
   through the gateway, ``--rounds`` times after a warm-up;
4. opens ``/dashboard/`` in the system Chromium (Playwright) signed in as the operator,
   ``--rounds`` page loads: the page reports the answer's time (``data-answer-ms``), the time
   to build the table and draw the charts (``data-render-ms``) and until the frame after
   (``data-painted-ms``);
5. writes ``bench/results/dashboard_overview.json`` and its table in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from members_list import LOAD_MEMBERSHIPS, LOAD_ORGANIZATIONS, stop_platform
from playwright.sync_api import sync_playwright

from devkit.local.nats import NatsServer
from devkit.local.platform import SERVICES, Platform, PlatformConfig
from devkit.local.ports import free_port
from devkit.local.postgres import PostgresCluster
from servicekit.auth.devtoken import mint

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_FILE = REPO_ROOT / "bench" / "results" / "dashboard_overview.json"
DOCS_FILE = REPO_ROOT / "docs" / "benchmarks.md"
DOCS_START = "<!-- bench:dashboard_overview:start -->"
DOCS_END = "<!-- bench:dashboard_overview:end -->"
PAGE_SOURCE = REPO_ROOT / "gateway" / "dashboard" / "dashboard.js"
CHROMIUM = os.environ.get("CONCORD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
CREATE = "mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id } }"
TEMPLATES = ("aii", "aitisa", "china-asean")
_T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - _T0:7.1f}s] {message}", flush=True)


def page_query() -> str:
    """The overview query exactly as the page sends it (its ``${MONEY}`` filled in)."""
    source = PAGE_SOURCE.read_text()
    money = re.search(r"const MONEY = '([^']+)';", source)
    query = re.search(r"const OVERVIEW = `([^`]+)`;", source)
    assert money and query, "dashboard.js: OVERVIEW or MONEY not found"
    return query.group(1).replace("${MONEY}", money.group(1))


async def bulk_load(dsn: str, alliance_ids: list[str], members: int) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        async with conn.transaction():
            await conn.execute(LOAD_ORGANIZATIONS, members)
            for alliance_id in alliance_ids:
                await conn.execute(LOAD_MEMBERSHIPS, alliance_id)
        await conn.execute("VACUUM ANALYZE organizations")
        await conn.execute("VACUUM ANALYZE memberships")
        return int(await conn.fetchval("SELECT count(*) FROM memberships"))
    finally:
        await conn.close()


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="concord-bench-"))
    work.chmod(0o755)
    cluster = PostgresCluster(work / "pg")
    nats = NatsServer(work / "nats")
    jwt_secret = secrets.token_urlsafe(32)
    platform: Platform | None = None
    today = date.today()
    window = {
        "since": date(today.year - 1, today.month, 1).isoformat(),
        "until": today.isoformat(),
        "grouping": "MONTH",
    }
    try:
        cluster.start()
        nats.start()
        platform = Platform(
            PlatformConfig(
                run_dir=work / "run",
                superuser_dsn=cluster.superuser_dsn(),
                nats_url=nats.url,
                jwt_secret=jwt_secret,
                signing_secret=secrets.token_urlsafe(32),
                gateway_port=free_port(),
                service_ports={s: free_port() for s in SERVICES},
                environment="production",
                extra_env={"OTEL_TRACES_EXPORTER": "none"},
            )
        )
        platform.start()
        log(f"platform ready after {time.monotonic() - started:.1f} s")
        token = mint(jwt_secret, sub="bench-operator", name="Bench", operator=True, ttl=3600)
        headers = {"authorization": f"Bearer {token}"}
        ids = []
        for n in range(args.alliances):
            slug = f"bench-{n:03d}"
            answer = httpx.post(
                platform.graphql_url,
                json={
                    "query": CREATE,
                    "variables": {
                        "i": {
                            "slug": slug,
                            "nameZh": f"基准联盟{n}",
                            "nameEn": f"Bench Alliance {n}",
                            "template": TEMPLATES[n % 3],
                        }
                    },
                },
                headers=headers,
                timeout=60,
            ).json()
            if answer.get("errors"):
                raise RuntimeError(f"createAlliance {slug}: {answer['errors']}")
            ids.append(answer["data"]["createAlliance"]["id"])
        loaded = asyncio.run(
            bulk_load(platform.databases["membership"].migration_dsn, ids, args.members)
        )
        log(f"{args.alliances} alliances, {loaded:,} memberships loaded")
        time.sleep(2)  # governance and finance set up each alliance from its event

        query = page_query()
        api_ms: list[float] = []
        for i in range(args.rounds + 1):
            t = time.perf_counter()
            body = httpx.post(
                platform.graphql_url,
                json={"query": query, "variables": window},
                headers=headers,
                timeout=120,
            ).json()
            if body.get("errors"):
                raise RuntimeError(f"overview query: {body['errors']}")
            if len(body["data"]["alliances"]) != args.alliances:
                raise RuntimeError("the overview did not list every alliance")
            if i:  # the first one warms up
                api_ms.append((time.perf_counter() - t) * 1000)
        log(f"API: median {_median(api_ms)} ms")

        answer_ms: list[float] = []
        render_ms: list[float] = []
        painted_ms: list[float] = []
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{platform.dashboard_url}#token={token}")
            page.wait_for_selector("#content[data-ready=overview]", state="attached")
            for _ in range(args.rounds):
                page.reload()
                page.wait_for_selector("#content[data-painted-ms]", state="attached")
                rows = page.locator('table[data-table="overview"] tbody tr').count()
                if rows != args.alliances:
                    raise RuntimeError(f"the page shows {rows} rows, not {args.alliances}")
                content = page.locator("#content")
                answer_ms.append(float(content.get_attribute("data-answer-ms") or "nan"))
                render_ms.append(float(content.get_attribute("data-render-ms") or "nan"))
                painted_ms.append(float(content.get_attribute("data-painted-ms") or "nan"))
            browser.close()
        log(f"page: render median {_median(render_ms)} ms, painted {_median(painted_ms)} ms")
    finally:
        log("stopping everything this run started")
        if platform is not None:
            stop_platform(platform)
        nats.remove()
        cluster.remove()
        shutil.rmtree(work, ignore_errors=True)

    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "benchmark": "dashboard_overview",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": commit,
        "machine": {"cores": os.cpu_count()},
        "parameters": {
            "alliances": args.alliances,
            "members_per_alliance": args.members,
            "rounds": args.rounds,
            "window": window,
        },
        "summary": {
            "api_ms_median": _median(api_ms),
            "page_answer_ms_median": _median(answer_ms),
            "page_render_ms_median": _median(render_ms),
            "page_painted_ms_median": _median(painted_ms),
            "goal_painted_ms": 1000,
        },
        "samples": {
            "api_ms": api_ms,
            "page_answer_ms": answer_ms,
            "page_render_ms": render_ms,
            "page_painted_ms": painted_ms,
        },
        "wall_seconds": round(time.monotonic() - started, 1),
    }


def markdown_table(result: dict[str, Any]) -> str:
    p, s = result["parameters"], result["summary"]
    return "\n".join(
        [
            f"Latest run: {result['date'][:10]}, commit `{result['git_commit'][:10]}`, "
            f"{result['machine']['cores']} cores; {p['alliances']} alliances × "
            f"{p['members_per_alliance']:,} members, a year by month, {p['rounds']} page "
            "loads (median shown).",
            "",
            "| what | ms |",
            "|---|---:|",
            f"| the overview query through the gateway (httpx) | {s['api_ms_median']} |",
            f"| the same query from the page (fetch, in Chromium) | {s['page_answer_ms_median']} |",
            f"| the page builds the table and draws the charts | {s['page_render_ms_median']} |",
            f"| … until the next frame (on screen) | {s['page_painted_ms_median']} |",
            "",
            f"Goal: on screen within {s['goal_painted_ms']} ms of the answer.",
        ]
    )


def update_docs(table: str) -> bool:
    text = DOCS_FILE.read_text()
    start, end = text.find(DOCS_START), text.find(DOCS_END)
    if start == -1 or end < start:
        return False
    DOCS_FILE.write_text(text[: start + len(DOCS_START)] + "\n" + table + "\n" + text[end:])
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--alliances", type=int, default=50)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    result = run(args)
    table = markdown_table(result)
    print("\n" + table + "\n", flush=True)
    if args.no_write:
        return 0
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if not update_docs(table):
        log(f"{DOCS_FILE.name} has no {DOCS_START} marker: table not written")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench` (part 2): event → inbox and event → email latency, p50 and p99, under a burst
of 2,000 events, from one run (issue 11).

All on free loopback ports, stopped again at the end:

1. a throwaway PostgreSQL cluster and nats-server (``devkit.local``), the notifications
   database provisioned and migrated, an SMTP server (aiosmtpd) in this process that records
   when each message arrives;
2. the notifications service as its own process (``uvicorn``, ``production`` settings but
   the local SMTP port), with its consumers and its email sender;
3. every recipient's email address and language written first (as the service would have them
   from ``setMyNotificationSettings``);
4. a burst of ``--events`` ``membership.application.returned`` events, one per recipient,
   published to JetStream as fast as the server acknowledges them; the publish time of each is
   kept;
5. waits until every recipient has one inbox notice and one email, then reads: inbox latency
   = the inbox row's ``created_at`` (PostgreSQL ``now()`` of the transaction that filed it)
   − the event's publish time; email latency = the SMTP server's arrival time − the publish
   time. Exactly one of each per recipient is checked; anything else fails the run.

Writes ``bench/results/notification_latency.json`` and the table between the markers in
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform as host_platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
from aiosmtpd.controller import Controller

from devkit.local.nats import NatsServer
from devkit.local.ports import free_port
from devkit.local.postgres import PostgresCluster
from devkit.local.provision import provision_service_database_sync
from notifications.settings import Settings
from servicekit.events.bus import ensure_stream
from servicekit.events.envelope import Envelope, subject_for
from servicekit.migrate import upgrade
from servicekit.tenancy import alliance_id

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "notification_latency.json"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- notification-latency:begin -->", "<!-- notification-latency:end -->"
SLUG = "bench"
ALLIANCE = alliance_id(SLUG)


class Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, list[float]] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        for rcpt in envelope.rcpt_tos:
            self.at.setdefault(rcpt, []).append(now)
        return "250 OK"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def returned(person: str) -> Envelope:
    application = str(uuid.uuid4())
    return Envelope(
        type="membership.application.returned",
        source="/concord/bench",
        subject=application,
        alliance_id=ALLIANCE,
        data={
            "applicationId": application,
            "kind": "admission",
            "allianceId": str(ALLIANCE),
            "allianceSlug": SLUG,
            "allianceNameZh": "基准联盟",
            "allianceNameEn": "Bench Alliance",
            "organizationId": str(uuid.uuid4()),
            "organizationNameZh": f"单位{person}",
            "status": "returned",
            "contactUserId": person,
            "reason": "缺少营业执照复印件",
            "charterVersion": 1,
        },
    )


async def run(events: int, wait_seconds: float, concurrency: int | None) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="concord-bench-notify-"))
    os.chmod(base, 0o755)  # PostgreSQL runs as an unprivileged user that must enter it
    cluster = PostgresCluster(base / "pg")
    natsd = NatsServer(base / "nats")
    arrivals = Arrivals()
    smtp_port = free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    service: asyncio.subprocess.Process | None = None
    try:
        cluster.start()
        natsd.start()
        controller.start()
        db = await asyncio.to_thread(
            provision_service_database_sync, cluster.superuser_dsn(), "notifications"
        )
        await asyncio.to_thread(upgrade, "notifications", db.migration_url)
        people = [f"p{i:05d}" for i in range(events)]
        conn = await asyncpg.connect(db.app_dsn)
        try:
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.all_alliances', 'on', true)")
                await conn.executemany(
                    "INSERT INTO recipient_settings (alliance_id, user_id, email, language)"
                    " VALUES ($1, $2, $3, $4)",
                    [
                        (ALLIANCE, p, f"{p}@bench.example", "zh" if i % 2 else "en")
                        for i, p in enumerate(people)
                    ],
                )
        finally:
            await conn.close()
        port = free_port()
        env = {
            **os.environ,
            "NOTIFICATIONS_DATABASE_URL": db.app_url,
            "NOTIFICATIONS_NATS_URL": natsd.url,
            "NOTIFICATIONS_SIGNING_SECRET": uuid.uuid4().hex,
            "NOTIFICATIONS_ENVIRONMENT": "production",
            "NOTIFICATIONS_SMTP_PORT": str(smtp_port),
            "OTEL_TRACES_EXPORTER": "none",
        }
        if concurrency is not None:
            env["NOTIFICATIONS_CONSUMER_CONCURRENCY"] = str(concurrency)
        service = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "uvicorn",
            "notifications.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            env=env,
        )
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # the consumers bind to the stream
        published: dict[str, float] = {}
        nc = await nats.connect(natsd.url)
        try:
            js = nc.jetstream()
            await ensure_stream(js)
            started = time.time()
            for person in people:
                envelope = returned(person)
                published[person] = time.time()
                await js.publish(
                    subject_for(envelope.type),
                    envelope.to_json(),
                    headers={"Nats-Msg-Id": str(envelope.id)},
                )
            burst_seconds = time.time() - started
        finally:
            await nc.close()
        deadline = time.time() + wait_seconds
        while time.time() < deadline:
            if sum(len(v) for v in arrivals.at.values()) >= events:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # a second email, were there one, would arrive now
        conn = await asyncpg.connect(db.app_dsn)
        try:
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.all_alliances', 'on', true)")
                rows = await conn.fetch(
                    "SELECT recipient_id, created_at FROM notifications WHERE alliance_id = $1",
                    ALLIANCE,
                )
        finally:
            await conn.close()
        inbox = {r["recipient_id"]: r["created_at"].timestamp() for r in rows}
        if len(rows) != events or set(inbox) != set(people):
            raise SystemExit(f"expected {events} inbox notices, found {len(rows)}")
        for person in people:
            got = arrivals.at.get(f"{person}@bench.example", [])
            if len(got) != 1:
                raise SystemExit(f"{person}: {len(got)} emails, expected exactly 1")
        inbox_ms = [(inbox[p] - published[p]) * 1000 for p in people]
        email_ms = [(arrivals.at[f"{p}@bench.example"][0] - published[p]) * 1000 for p in people]
        return {
            "benchmark": "notification_latency",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "system": host_platform.platform(),
            },
            "events": events,
            "consumer_concurrency": concurrency
            or Settings.model_fields["consumer_concurrency"].default,
            "burst_seconds": round(burst_seconds, 2),
            "inbox_ms": {
                "p50": round(percentile(inbox_ms, 0.5), 1),
                "p99": round(percentile(inbox_ms, 0.99), 1),
                "max": round(max(inbox_ms), 1),
                "mean": round(statistics.fmean(inbox_ms), 1),
            },
            "email_ms": {
                "p50": round(percentile(email_ms, 0.5), 1),
                "p99": round(percentile(email_ms, 0.99), 1),
                "max": round(max(email_ms), 1),
                "mean": round(statistics.fmean(email_ms), 1),
            },
            "exactly_once": True,
        }
    finally:
        if service is not None and service.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                service.terminate()
            try:
                await asyncio.wait_for(service.wait(), 15)
            except TimeoutError:
                service.kill()
        controller.stop(no_assert=True)
        natsd.stop()
        cluster.stop(mode="immediate")
        shutil.rmtree(base, ignore_errors=True)


def write(results: list[dict[str, Any]]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    lines = [BEGIN]
    for result in results:
        i, e = result["inbox_ms"], result["email_ms"]
        lanes = result["consumer_concurrency"]
        lines += [
            f"Run of {result['when']} on {result['machine']['cpus']} CPUs, consumer "
            f"concurrency {lanes}: {result['events']} events published in "
            f"{result['burst_seconds']} s.",
            "",
            "| path | p50 | p99 | max | mean |",
            "|---|---:|---:|---:|---:|",
            f"| event → inbox | {i['p50']} ms | {i['p99']} ms | {i['max']} ms | {i['mean']} ms |",
            f"| event → email (SMTP accepted) | {e['p50']} ms | {e['p99']} ms | {e['max']} ms "
            f"| {e['mean']} ms |",
            "",
        ]
    lines += ["Exactly one inbox notice and one email per recipient in every run (checked).", END]
    table = "\n".join(lines)
    doc = DOC.read_text()
    if BEGIN in doc:
        doc = doc[: doc.index(BEGIN)] + table + doc[doc.index(END) + len(END) :]
    else:
        doc += "\n" + table + "\n"
    DOC.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--concurrency",
        type=int,
        action="append",
        help="consumer concurrency of a run (repeat for several runs; default: 1, then the "
        "service's default)",
    )
    args = parser.parse_args()
    configs: list[int | None] = args.concurrency or [1, None]
    results = [asyncio.run(run(args.events, args.timeout, c)) for c in configs]
    write(results)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

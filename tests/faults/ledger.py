"""What happened to the events of a stretch of load: counted from the databases and the stream.

Every figure is read from the real stores, nothing from the code under test:

* *recorded*: outbox rows written since the start (every service's database);
* *published*: those marked published, and the copies of each in the JetStream stream;
* *expected*: one handling per (event, durable consumer whose filter takes its subject);
* *handled*: the consumers' inbox rows for those events (each handler writes its row in the
  transaction of its effects, so a row is an effect done);
* *lost*: expected handlings without an inbox row, and events never published;
* *doubled*: events in the stream more than once, and mails delivered more than once (the
  catcher's files, by ``Message-ID``: the one effect that leaves the platform).
"""

from __future__ import annotations

import asyncio
import collections
import email
import email.policy
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import nats
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import APIError

from devkit.local.platform import SERVICES, Platform
from devkit.testing.handles import PostgresHandle
from servicekit.events.bus import server_list
from servicekit.events.envelope import STREAM


@dataclass
class Figures:
    name: str
    actions_done: int = 0
    actions_failed: dict[str, int] = field(default_factory=dict)
    recorded: int = 0
    published: int = 0
    in_stream: int = 0
    expected: int = 0
    handled: int = 0
    lost: int = 0
    doubled: int = 0
    mails: int = 0
    deliveries: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def report(self) -> str:
        failed = ", ".join(f"{k} {v}" for k, v in sorted(self.actions_failed.items())) or "none"
        text = (
            f"\n[{self.name}] actions done {self.actions_done} (failed: {failed}); "
            f"events recorded {self.recorded}, published {self.published} "
            f"(in the stream {self.in_stream}); handlings expected {self.expected}, "
            f"handled {self.handled}; mails {self.mails}; "
            f"lost {self.lost}, doubled {self.doubled}; {self.seconds:.1f}s"
            f"\n  deliveries: {self.deliveries}"
        )
        return text + "".join(f"\n  {n}" for n in self.notes)


def _matches(filter_subject: str, subject: str) -> bool:
    want, got = filter_subject.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(got) > i
        if i >= len(got) or (token != "*" and token != got[i]):
            return False
    return len(want) == len(got)


async def _stream_copies(nats_url: str, since: datetime) -> collections.Counter[str]:
    """How many times each event id is in the stream since ``since`` (an ephemeral reader)."""
    nc = await nats.connect(server_list(nats_url), connect_timeout=5)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            "concord.>",
            stream=STREAM,
            config=ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_TIME,
                opt_start_time=since.isoformat().replace("+00:00", "Z"),
                inactive_threshold=30.0,
            ),
        )
        copies: collections.Counter[str] = collections.Counter()
        while True:
            try:
                messages = await sub.fetch(500, timeout=2)
            except (NatsTimeoutError, TimeoutError):
                break
            for msg in messages:
                # by the relay's message id (= the event id); a replay of a parked event is
                # published under an id of its own ("replay:…") and is not a second copy
                copies[(msg.headers or {}).get("Nats-Msg-Id", "")] += 1
                await msg.ack()
        await sub.unsubscribe()
        return copies
    finally:
        await nc.close()


async def _consumer_filters(nats_url: str) -> dict[str, list[str]]:
    nc = await nats.connect(server_list(nats_url), connect_timeout=5)
    try:
        # A cluster whose node was just killed may take a while to answer its API again (its
        # meta leader elected anew): ask again rather than count nothing.
        deadline = time.monotonic() + 60
        while True:
            try:
                infos = await nc.jetstream().consumers_info(STREAM)
                break
            except (NatsTimeoutError, TimeoutError, APIError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1.0)
        return {
            i.config.durable_name: list(i.config.filter_subjects or [i.config.filter_subject or ""])
            for i in infos
            if i.config.durable_name
        }
    finally:
        await nc.close()


def _mail_ids(mail_dir: Path, since: float) -> collections.Counter[str]:
    ids: collections.Counter[str] = collections.Counter()
    for path in mail_dir.glob("*.eml") if mail_dir.is_dir() else ():
        if path.stat().st_mtime < since:
            continue
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        ids[str(message["Message-ID"])] += 1
    return ids


class Ledger:
    """Counts the events of a stretch of load: ``Ledger(...)`` at its start, ``settle()`` at
    its end (waits until nothing is missing, or ``within`` seconds)."""

    def __init__(self, name: str, platform: Platform, postgres: PostgresHandle) -> None:
        self.platform = platform
        self.postgres = postgres
        self.figures = Figures(name)
        time.sleep(1.1)  # (timestamps below a second apart from the previous test's)
        self.since = datetime.now(UTC)
        self.since_epoch = time.time()
        self.started = time.monotonic()

    async def _count(self) -> Figures:
        f = self.figures
        subjects: dict[str, str] = {}
        published: set[str] = set()
        handled: set[tuple[str, str]] = set()
        for service in SERVICES:
            name = self.platform.databases[service].name
            conn = await asyncpg.connect(self.postgres.dsn(name))
            try:
                rows = await conn.fetch(
                    "select id::text, subject, published_at from outbox where created_at >= $1",
                    self.since,
                )
                for r in rows:
                    subjects[r["id"]] = r["subject"]
                    if r["published_at"] is not None:
                        published.add(r["id"])
                handled |= {
                    (r["consumer"], r["event_id"])
                    for r in await conn.fetch(
                        "select consumer, event_id::text from inbox where handled_at >= $1",
                        self.since,
                    )
                }
            finally:
                await conn.close()
        filters = await _consumer_filters(self.platform.config.nats_url)
        expected = {
            (consumer, event_id)
            for event_id, subject in subjects.items()
            for consumer, wanted in filters.items()
            if any(_matches(w, subject) for w in wanted)
        }
        copies = await _stream_copies(self.platform.config.nats_url, self.since)
        mails = _mail_ids(self.platform.config.run_dir / "mail", self.since_epoch)
        f.recorded = len(subjects)
        f.published = len(published)
        f.in_stream = sum(1 for i in subjects if copies[i])
        f.expected = len(expected)
        f.handled = len(expected & handled)
        f.lost = len(expected - handled) + (len(subjects) - len(published))
        f.doubled = sum(copies[i] - 1 for i in subjects if copies[i] > 1) + sum(
            n - 1 for n in mails.values() if n > 1
        )
        f.mails = sum(mails.values())
        conn = await asyncpg.connect(
            self.postgres.dsn(self.platform.databases["notifications"].name)
        )
        try:
            rows = await conn.fetch(
                "select channel, status, count(*) as n from deliveries where created_at >= $1 "
                "group by channel, status order by 1, 2",
                self.since,
            )
        finally:
            await conn.close()
        f.deliveries = ", ".join(f"{r['channel']} {r['status']} {r['n']}" for r in rows) or "none"
        return f

    def count(self) -> Figures:
        """The figures now (the backlog may not have drained yet)."""
        return asyncio.run(self._count())

    def settle(self, within: float = 90.0) -> Figures:
        """Count until nothing is lost (the backlog drained) or ``within`` seconds passed; then
        once more after a pause, so that a late duplicate would be seen."""
        deadline = time.monotonic() + within
        previous = -1
        while True:
            figures = asyncio.run(self._count())
            # settled: nothing missing, and no new event since the last count (handlers record
            # events of their own, which come a little later)
            settled = figures.lost == 0 and figures.recorded == previous
            if settled or time.monotonic() > deadline:
                break
            previous = figures.recorded
            time.sleep(2.0)
        figures.seconds = time.monotonic() - self.started
        print(figures.report())
        return figures

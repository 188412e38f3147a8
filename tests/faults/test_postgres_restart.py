"""PostgreSQL restarted in the middle of the actions: while it is down the services say they are
not ready (``/readyz`` 503) and requests fail with a typed, retryable ``SERVICE_UNAVAILABLE``;
when it is back they are ready again, the connection pools recover by themselves, and nothing
committed is lost or doubled (the outboxes' events are all published and handled once)."""

from __future__ import annotations

import os
import threading
import time

import httpx

from devkit.local.platform import Platform
from devkit.testing.handles import PostgresHandle
from tests.faults.conftest import ACTIONS
from tests.faults.ledger import Ledger
from tests.faults.load import Load

OUTAGE = float(os.environ.get("CONCORD_FAULTS_POSTGRES_OUTAGE", "10"))


class Readiness(threading.Thread):
    """Polls one API replica's ``/readyz`` and keeps each change of its answer."""

    def __init__(self, url: str) -> None:
        super().__init__(name="readiness", daemon=True)
        self.url = url
        self.changes: list[tuple[float, int]] = []
        self.reasons: set[str] = set()
        self.halt = threading.Event()

    def run(self) -> None:
        began = time.monotonic()
        with httpx.Client(timeout=3) as client:
            while not self.halt.is_set():
                try:
                    answer = client.get(self.url)
                    status = answer.status_code
                    if status != 200:
                        self.reasons.add(answer.text)
                except httpx.HTTPError as exc:
                    status = 0
                    self.reasons.add(type(exc).__name__)
                if not self.changes or self.changes[-1][1] != status:
                    self.changes.append((round(time.monotonic() - began, 1), status))
                time.sleep(0.2)


def test_postgres_restarted_during_the_actions_fails_requests_typed_and_loses_nothing(
    replicated: Platform, postgres: PostgresHandle
) -> None:
    replica = replicated.processes["membership-api-1"]
    readiness = Readiness(replica.ready_url.replace("/healthz", "/readyz"))
    restarted: list[str] = []

    def outage() -> None:
        down = time.monotonic()
        postgres.outage(OUTAGE)
        restarted.append(f"PostgreSQL down {time.monotonic() - down:.1f}s (fast shutdown)")

    ledger = Ledger(
        f"PostgreSQL restarted ({OUTAGE:.0f}s down) during {ACTIONS} actions", replicated, postgres
    )
    load = Load(replicated)
    readiness.start()
    try:
        load.run(ACTIONS, at={ACTIONS // 3: outage})
        # The actions sent while it was down failed at once; it is back now: ready again soon.
        back = time.monotonic()
        while readiness.changes[-1][1] != 200 and time.monotonic() - back < 60:
            time.sleep(0.2)
        after = Load(replicated)
        after.run(ACTIONS // 4)
    finally:
        readiness.halt.set()
        readiness.join()
    ledger.figures.actions_done = load.done + after.done
    ledger.figures.actions_failed = dict(load.failed + after.failed)
    ledger.figures.notes.append(
        f"{load.done} of the first {ACTIONS} done; then {after.done} of {ACTIONS // 4} after "
        "the restart"
    )
    internal = [
        line.strip()
        for proc in replicated.processes.values()
        if proc.log_file.exists()
        for line in proc.log_file.read_text(errors="replace").splitlines()
        if "Error" in line and "Traceback" not in line
    ]
    ledger.figures.notes.extend(sorted(set(internal))[-20:])
    ledger.figures.notes.extend(restarted)
    ledger.figures.notes.append(
        "membership-api-1 /readyz: "
        + ", ".join(f"{status or 'no answer'} at {at}s" for at, status in readiness.changes)
        + f" ({'; '.join(sorted(readiness.reasons))})"
    )
    figures = ledger.settle(within=180)
    assert restarted, "the outage did not run"
    # Not ready while the database is away, ready again once it is back.
    statuses = [status for _, status in readiness.changes]
    assert statuses[0] == 200 and statuses[-1] == 200 and 503 in statuses, readiness.changes
    # Every failure a client saw is the typed, retryable one; the rest were done.
    assert set(load.failed) <= {"HTTP 503 SERVICE_UNAVAILABLE"}, load.failed
    assert load.failed, "no request met the outage: the fault missed the load"
    assert load.done + sum(load.failed.values()) == ACTIONS
    # Once it is back, the pools have recovered by themselves: everything succeeds.
    assert after.done == ACTIONS // 4 and not after.failed, after.failed
    assert figures.lost == 0 and figures.doubled == 0

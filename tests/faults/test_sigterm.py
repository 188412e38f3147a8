"""A rolling restart during the actions, as a deployment does it: API replicas and workers
asked to stop (SIGTERM), one after another, each started again once it has gone. Each drains
what it has in hand (uvicorn finishes the requests under way; the consumers finish their
events and give the rest back) and exits by itself well within a pod's grace period; nothing
is lost or doubled, and nothing a client sees is an untyped error."""

from __future__ import annotations

import time
from pathlib import Path

from devkit.local.platform import Platform
from devkit.testing.handles import PostgresHandle
from tests.faults.conftest import ACTIONS
from tests.faults.ledger import Ledger
from tests.faults.load import Load

GRACE_SECONDS = 30.0
"""The pods' terminationGracePeriodSeconds in the chart's defaults."""

ROLLED = [
    "membership-api-1",
    "membership-worker-1",
    "notifications-worker-2",
    "governance-api-2",
    "membership-api-2",
]


def _completed_shutdowns(log: Path) -> int:
    return log.read_text(errors="replace").count("Application shutdown complete.")


def test_a_rolling_restart_drains_each_process_and_loses_no_event(
    replicated: Platform, postgres: PostgresHandle
) -> None:
    exits: list[str] = []
    slow: list[str] = []

    def roll() -> None:
        for name in ROLLED:
            proc = replicated.processes[name]
            assert proc.process is not None
            shutdowns = _completed_shutdowns(proc.log_file)
            asked = time.monotonic()
            proc.terminate()
            code = proc.process.wait(timeout=GRACE_SECONDS + 30)
            took = time.monotonic() - asked
            # uvicorn re-raises the signal once its graceful shutdown is over (exit -15); what
            # says it drained is its lifespan's shutdown (the relay and consumers stopped).
            drained = _completed_shutdowns(proc.log_file) == shutdowns + 1
            exits.append(f"{name} drained and exited ({code}) {took:.1f}s after SIGTERM")
            if took > GRACE_SECONDS or not drained or code not in (0, -15):
                slow.append(f"{name}: exit {code} after {took:.1f}s, drained {drained}")
            replicated.restart(name)
            time.sleep(0.5)

    ledger = Ledger(
        f"rolling restart of {len(ROLLED)} during {ACTIONS} actions", replicated, postgres
    )
    load = Load(replicated)
    load.run(ACTIONS, at={ACTIONS // 5: roll})
    ledger.figures.actions_done, ledger.figures.actions_failed = load.done, dict(load.failed)
    ledger.figures.notes.extend(exits)
    figures = ledger.settle(within=120)
    assert len(exits) == len(ROLLED), exits
    assert not slow, f"not drained within the grace period, or not cleanly: {slow}"
    # A request sent on a kept-alive connection just as its replica closes it is refused
    # typed (503, retry); nothing else fails.
    assert set(load.failed) <= {"HTTP 503 SERVICE_UNAVAILABLE"}, load.failed
    assert sum(load.failed.values()) <= len(ROLLED), load.failed
    assert figures.lost == 0 and figures.doubled == 0

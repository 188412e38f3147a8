"""Processes SIGKILLed at random moments during the actions, and started again: an API replica
(its requests in flight fail; the balancer sends the next ones to the other replica) and worker
processes with messages in hand (JetStream gives them to the other worker after the ack wait)."""

from __future__ import annotations

import random
import time

from devkit.local.platform import Platform
from devkit.testing.handles import PostgresHandle
from tests.faults.conftest import ACTIONS
from tests.faults.ledger import Ledger
from tests.faults.load import Load

VICTIMS = [
    "membership-api-1",
    "notifications-worker-1",
    "membership-worker-2",
    "governance-worker-1",
    "finance-api-2",
    "notifications-api-2",
]


def test_processes_killed_at_random_moments_and_restarted_lose_no_event_and_double_none(
    replicated: Platform, postgres: PostgresHandle
) -> None:
    chance = random.Random(15)
    moments = sorted(chance.sample(range(ACTIONS // 10, ACTIONS * 8 // 10), len(VICTIMS)))
    killed: list[str] = []

    def crash(name: str) -> None:
        replicated.kill(name)
        killed.append(f"{name} killed at {time.strftime('%H:%M:%S')}")
        time.sleep(chance.uniform(1.0, 4.0))
        replicated.restart(name)

    ledger = Ledger(f"SIGKILL x{len(VICTIMS)} during {ACTIONS} actions", replicated, postgres)
    load = Load(replicated)
    load.run(
        ACTIONS,
        at={m: (lambda n=name: crash(n)) for m, name in zip(moments, VICTIMS, strict=True)},
    )
    ledger.figures.actions_done, ledger.figures.actions_failed = load.done, dict(load.failed)
    ledger.figures.notes.extend(killed)
    figures = ledger.settle(within=120)
    assert len(killed) == len(VICTIMS)
    # only the requests in flight on a killed API replica may fail
    assert load.done >= ACTIONS - 2 * len(VICTIMS), load.failed
    assert figures.lost == 0 and figures.doubled == 0

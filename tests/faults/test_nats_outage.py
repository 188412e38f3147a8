"""NATS stopped for a while in the middle of the actions: the outboxes hold the events, the
relays publish them once NATS is back, the consumers handle each once."""

from __future__ import annotations

import os

from devkit.local.platform import Platform
from devkit.testing.handles import NatsHandle, PostgresHandle
from tests.faults.conftest import ACTIONS
from tests.faults.ledger import Ledger
from tests.faults.load import Load

OUTAGE = float(os.environ.get("CONCORD_FAULTS_NATS_OUTAGE", "20"))


def test_nats_stopped_in_the_middle_of_the_actions_loses_no_event_and_doubles_none(
    replicated: Platform, postgres: PostgresHandle, nats_server: NatsHandle
) -> None:
    def outage() -> None:
        with nats_server.outage(seconds=OUTAGE):
            pass

    ledger = Ledger(f"NATS stopped {OUTAGE:.0f}s during {ACTIONS} actions", replicated, postgres)
    load = Load(replicated)
    load.run(ACTIONS, at={ACTIONS // 3: outage})
    ledger.figures.actions_done, ledger.figures.actions_failed = load.done, dict(load.failed)
    figures = ledger.settle(within=120)
    # NATS is not on the path of a request: every action is done while it is away
    assert load.done == ACTIONS and not load.failed
    assert figures.recorded >= 3 * ACTIONS
    assert figures.lost == 0 and figures.doubled == 0

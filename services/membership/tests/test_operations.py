"""What the operator runs and watches on a membership service: the parked events (dead
letters) and the metrics."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from devkit.testing.events import eventually
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.events import parked


async def test_the_operator_lists_parked_events_with_the_command_line(
    membership_settings: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``concord-parked membership list``: nothing parked on a healthy service, said so."""
    monkeypatch.setenv("MEMBERSHIP_DATABASE_URL", membership_settings.database_url)
    monkeypatch.setenv("MEMBERSHIP_NATS_URL", membership_settings.nats_url)
    monkeypatch.setenv("MEMBERSHIP_SIGNING_SECRET", membership_settings.signing_secret)
    monkeypatch.setenv("ENVIRONMENT", "development")
    code = await asyncio.to_thread(parked.main, ["membership", "list"])
    assert code == 0 and capsys.readouterr().out.strip() == "nothing parked"
    code = await asyncio.to_thread(parked.main, ["membership", "replay", "not-an-id"])
    assert code == 2 and "badly formed" in capsys.readouterr().err


async def test_the_service_exposes_its_figures_for_prometheus(membership: SubgraphClient) -> None:
    """Requests by route and status, operations by root field and outcome, the outbox, the
    consumers' lag and the pool; a name the client made up never becomes a label."""
    someone = claims_for("metrics-reader")
    await membership.data("{ alliances { slug } }", claims=someone)
    refused = await membership.execute("{ madeUpFieldXyz }", claims=someone)
    assert refused["errors"]

    async def scraped() -> str | None:
        response = await membership.http.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        # (the relay and the consumers sample their figures every few seconds)
        return (
            text
            if "concord_outbox_backlog{" in text and "concord_consumer_pending{" in text
            else None
        )

    text = await eventually(scraped, within=15)
    assert (
        'concord_graphql_operations_total{field="alliances",operation_type="query",'
        'outcome="ok",service="membership"}'
    ) in text
    assert 'field="(invalid)"' in text and "madeUpFieldXyz" not in text
    assert (
        'http_server_request_duration_seconds_count{http_request_method="POST",'
        'http_response_status_code="200",http_route="/graphql",service="membership"}'
    ) in text
    assert 'concord_db_pool_size{service="membership"}' in text
    assert 'concord_outbox_backlog{service="membership"}' in text
    assert 'concord_consumer_pending{consumer="membership-' in text

"""What the operator runs and watches on a membership service: the parked events (dead
letters) and the metrics."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from devkit.testing.events import eventually
from devkit.testing.subgraph import SubgraphClient, claims_for, running
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


async def test_a_request_while_the_database_is_unreachable_is_a_typed_retryable_error(
    membership_settings: Any,
) -> None:
    """Readiness drops, and a request gets SERVICE_UNAVAILABLE (retryable), not a 500."""
    import socket

    from membership.app import create_app

    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = membership_settings.model_copy(
        update={
            "database_url": f"postgresql+asyncpg://concord_app@127.0.0.1:{port}/nowhere",
            "run_workers": False,
        }
    )
    async with running(lambda: create_app(down)) as client:
        ready = await client.http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith(
            "unreachable"
        )
        for query in ("{ alliances { slug } }", 'mutation { revokeRole(id: "x") { userId } }'):
            result = await client.execute(query, claims=claims_for("someone", operator=True))
            assert result["data"] is None or result["data"] == {}
            (error,) = result["errors"]
            assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "retryable": True}
            assert "nothing was changed" in error["message"]

"""Subscriptions through the gateway (SSE to the gateway, a signed WebSocket per subscription
to the subgraph): a person hears of their own new notices and nobody else's; a vote's turnout
is followed ballot by ballot; the gateway's authentication applies as to any query."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from devkit.local.platform import Platform
from servicekit.auth.devtoken import mint
from tests.e2e.client import SUBMIT, Caller, application, ensure_alliances, staff
from tests.e2e.test_permissions import World, _ballot

ADDED = "subscription { notificationAdded { id kind title eventType alliance { id } } }"
TURNOUT = """subscription($s: ID!) { voteTurnout(stage: $s) { stageId status
  turnout { ballots yes no abstain } result { yes outcome rule } } }"""
WIRED = 1.5
"""Seconds for the gateway to open the socket to the subgraph and the subgraph to LISTEN (the
notice below takes longer than that anyway: outbox, NATS, the notifications consumer)."""


@pytest.fixture(scope="module", autouse=True)
def alliances(platform: Platform) -> None:
    ensure_alliances(platform, ("aii", "aitisa"))


def test_a_person_hears_of_their_new_notice_through_the_gateway_and_another_person_does_not(
    platform: Platform,
) -> None:
    contact = Caller(platform, f"live-contact-{uuid.uuid4().hex[:6]}", locale="en")
    bystander = Caller(platform, f"live-bystander-{uuid.uuid4().hex[:6]}")
    with contact.subscribe(ADDED) as mine, bystander.subscribe(ADDED) as theirs:
        time.sleep(WIRED)
        submitted = contact.data(SUBMIT, application("aii", f"实时通知{uuid.uuid4().hex[:5]}"))
        assert submitted["submitApplication"]["status"]
        heard = mine.next()
        assert not heard.get("errors"), heard
        notice = heard["data"]["notificationAdded"]
        assert notice["kind"] == "application_received"
        assert notice["eventType"] == "membership.application.submitted"
        assert notice["title"].startswith("Membership application received")
        # The same node as the inbox shows, once.
        inbox = contact.data("{ myNotifications(first: 5) { edges { node { id } } } }")
        assert notice["id"] in [e["node"]["id"] for e in inbox["myNotifications"]["edges"]]
        mine.nothing_within(1.0)
        theirs.nothing_within(0.5)


def test_a_subscription_without_a_valid_token_is_unauthenticated(platform: Platform) -> None:
    caller = Caller(platform, "live-nobody")
    forged = mint("not-the-platforms-secret-0123456789", sub="live-nobody")
    for token in ("", forged):
        with caller.subscribe(ADDED, token=token) as refused:
            kind, payload = refused.event()
            assert kind == "next", (kind, payload)
            codes = [e["extensions"]["code"] for e in payload["errors"]]
            assert codes == ["UNAUTHENTICATED"], payload


def test_a_votes_turnout_is_followed_through_the_gateway_until_its_result(
    platform: Platform,
) -> None:
    world = World(platform)
    ballot = _ballot(world)  # an open council vote, a seat held by the world's contact person
    clerk = staff(platform, "aii")
    with clerk.subscribe(TURNOUT, {"s": ballot["stage"]}) as following:
        now = following.next()
        assert not now.get("errors"), now
        assert now["data"]["voteTurnout"]["status"] == "OPEN"
        assert now["data"]["voteTurnout"]["turnout"]["ballots"] == 0
        world.caller("contact").data(
            "mutation($s: ID!, $t: ID!) { castBallot(stage: $s, seat: $t, choice: YES) "
            "{ receipt } }",
            {"s": ballot["stage"], "t": ballot["seat"]},
        )
        cast = following.next()["data"]["voteTurnout"]
        assert cast["turnout"] == {"ballots": 1, "yes": 1, "no": 0, "abstain": 0}
        clerk.data("mutation($s: ID!) { closeVote(stage: $s) { id } }", {"s": ballot["stage"]})
        closed = following.next()["data"]["voteTurnout"]
        assert closed["status"] == "CLOSED" and closed["result"]["rule"]
        assert following.event()[0] == "complete"


def test_another_alliances_vote_or_no_vote_at_all_cannot_be_followed(platform: Platform) -> None:
    world = World(platform)
    ballot = _ballot(world)
    outsider = Caller(platform, "live-aitisa", alliances={"aitisa": ["secretariat"]})
    for caller, stage, code in (
        (outsider, ballot["stage"], "NOT_FOUND"),
        (staff(platform, "aii"), str(uuid.uuid4()), "NOT_FOUND"),
        (staff(platform, "aii"), "not-an-id", "BAD_USER_INPUT"),
    ):
        with caller.subscribe(TURNOUT, {"s": stage}) as refused:
            result = refused.next()
            assert [e["extensions"]["code"] for e in result["errors"]] == [code], result


def sockets_to(port: int) -> int:
    """Established TCP connections to ``port`` on this machine (from /proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote, state = fields[2], fields[3]
        if state == "01" and int(remote.split(":")[1], 16) == port:
            count += 1
    return count


def test_a_subscription_the_client_leaves_closes_its_socket_to_the_service(
    platform: Platform,
) -> None:
    world = World(platform)
    stage = _ballot(world)["stage"]
    port = platform.config.service_ports["governance"]
    before = sockets_to(port)
    with staff(platform, "aii").subscribe(TURNOUT, {"s": stage}) as following:
        assert following.next()["data"]["voteTurnout"]["status"] == "OPEN"
        assert sockets_to(port) > before
    deadline = time.monotonic() + 10
    while sockets_to(port) > before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sockets_to(port) <= before, "the gateway kept the subgraph socket open"

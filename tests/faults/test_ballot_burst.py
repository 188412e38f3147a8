"""Governance's API replicas SIGKILLed in the middle of a burst of ballots, one after the
other, and started again: no acknowledged ballot is lost, no seat has two, and the close counts
exactly what was stored.

The voters are the contact persons of the director members admitted by the load: each holds
its organisation's council seat (AITISA's defaults), which governance opened from membership's
event. A voter whose request fails (the replica died under it) casts again, as a person would;
a ballot stored before the kill but not acknowledged answers ``ALREADY_VOTED`` to the retry.
"""

from __future__ import annotations

import asyncio
import collections
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg
import httpx

from devkit.local.platform import Platform
from servicekit.auth.devtoken import mint
from tests.faults.load import Load

CLIENTS = 8
CAST = (
    "mutation($s: ID!, $t: ID!, $c: BallotChoice!) { castBallot(stage: $s, seat: $t, "
    "choice: $c) { receipt } }"
)


def _call(platform: Platform, token: str, query: str, variables: dict[str, Any]) -> Any:
    response = httpx.post(
        platform.graphql_url,
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
        timeout=60,
    )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


async def _stored(dsn: str, stage: str) -> collections.Counter[str]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        rows = await conn.fetch(
            "SELECT seat_id::text FROM ballots WHERE stage_id = $1::uuid", stage
        )
        return collections.Counter(r[0] for r in rows)
    finally:
        await conn.close()


def test_a_governance_replica_killed_during_a_ballot_burst_loses_no_acknowledged_ballot(
    replicated: Platform,
) -> None:
    secret = replicated.config.jwt_secret
    clerk = mint(secret, sub="aitisa-secretariat", alliances={"aitisa": ["secretariat"]})
    load = Load(replicated)
    load.run(120)  # admissions of director members: their contacts hold council seats

    def seats() -> list[dict[str, str]]:
        bodies = _call(
            replicated,
            clerk,
            'query { alliance(slug: "aitisa") { bodies { kind seats { id holderUserId } } } }',
            {},
        )["alliance"]["bodies"]
        found = next(b["seats"] for b in bodies if b["kind"] == "COUNCIL")
        return [s for s in found if s["holderUserId"]]

    deadline = time.monotonic() + 60
    while len(seated := seats()) < load.done and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(seated) >= 120, len(seated)
    motion = _call(
        replicated,
        clerk,
        "mutation($i: ProposeMotionInput!) { proposeMotion(input: $i) { id } }",
        {
            "i": {
                "alliance": "aitisa",
                "body": "COUNCIL",
                "matter": "ORDINARY_RESOLUTION",
                "title": f"故障测试决议 {uuid.uuid4().hex[:4]}",
            }
        },
    )["proposeMotion"]["id"]
    meeting = _call(
        replicated,
        clerk,
        "mutation($i: ConveneMeetingInput!) { conveneMeeting(input: $i) { id } }",
        {
            "i": {
                "alliance": "aitisa",
                "body": "COUNCIL",
                "title": f"故障测试理事会 {uuid.uuid4().hex[:4]}",
                "mode": "IN_PERSON",
                "startsAt": "2026-11-20T09:00:00+08:00",
                "place": "北京",
                "agenda": [motion],
            }
        },
    )["conveneMeeting"]["id"]
    for i in range(0, len(seated), 100):
        _call(
            replicated,
            clerk,
            "mutation($g: ID!, $e: [AttendanceInput!]!) { recordAttendance(meeting: $g, "
            "entries: $e) { id } }",
            {
                "g": meeting,
                "e": [{"seat": s["id"], "status": "PRESENT"} for s in seated[i : i + 100]],
            },
        )
    stage = _call(
        replicated,
        clerk,
        "mutation($m: ID!, $g: ID!) { openVote(motion: $m, meeting: $g) { id } }",
        {"m": motion, "g": meeting},
    )["openVote"]["id"]

    acknowledged: dict[str, str] = {}
    already: list[str] = []
    failures: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def vote(seat: dict[str, str]) -> None:
        token = mint(secret, sub=seat["holderUserId"], alliances={"aitisa": ["contact_person"]})
        with httpx.Client(timeout=30) as client:
            for _ in range(30):
                try:
                    response = client.post(
                        replicated.graphql_url,
                        json={
                            "query": CAST,
                            "variables": {"s": stage, "t": seat["id"], "c": "YES"},
                        },
                        headers={"authorization": f"Bearer {token}"},
                    )
                    body = response.json()
                except (httpx.HTTPError, ValueError) as exc:
                    with lock:
                        failures[type(exc).__name__] += 1
                    time.sleep(0.5)
                    continue
                errors = body.get("errors") or []
                code = errors[0].get("extensions", {}).get("code") if errors else None
                with lock:
                    if code is None:
                        acknowledged[seat["id"]] = body["data"]["castBallot"]["receipt"]
                        return
                    if code == "ALREADY_VOTED":
                        already.append(seat["id"])
                        return
                    failures[f"HTTP {response.status_code} {code}"] += 1
                time.sleep(0.5)
        raise AssertionError(f"seat {seat['id']} could not vote: {failures}")

    dsn = replicated.databases["governance"].migration_dsn
    kills: list[str] = []

    def crash() -> None:
        """Each API replica in turn, once the burst is under way on the platform."""
        for victim, share in (("governance-api-1", 0.15), ("governance-api-2", 0.5)):
            deadline = time.monotonic() + 60
            while sum(asyncio.run(_stored(dsn, stage)).values()) < share * len(seated):
                if time.monotonic() > deadline:
                    return
                time.sleep(0.05)
            replicated.kill(victim)
            kills.append(f"{victim} at {sum(asyncio.run(_stored(dsn, stage)).values())} stored")
            time.sleep(1.0)
            replicated.restart(victim)

    fault = threading.Thread(target=crash)
    fault.start()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for done in [pool.submit(vote, s) for s in seated]:
            done.result()
    fault.join()
    stored = asyncio.run(_stored(dsn, stage))
    result = _call(
        replicated,
        clerk,
        "mutation($s: ID!) { closeVote(stage: $s) { result { yes passed } } }",
        {"s": stage},
    )["closeVote"]["result"]
    print(
        f"\n[governance API replicas SIGKILLed during {len(seated)} ballots: {'; '.join(kills)}] "
        f"acknowledged "
        f"{len(acknowledged)}, stored before their acknowledgement was lost {len(already)}, "
        f"failed attempts {dict(failures)}; stored {sum(stored.values())}; close counted "
        f"{result['yes']}"
    )
    assert len(kills) == 2, kills
    assert not [s for s in acknowledged if s not in stored], "an acknowledged ballot was lost"
    assert all(n == 1 for n in stored.values()), "a seat has two ballots"
    assert set(stored) == set(acknowledged) | set(already)
    assert result["yes"] == sum(stored.values()) == len(seated)

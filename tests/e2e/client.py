"""Speaking GraphQL to the gateway as a given person."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx

import charter
from devkit.local.platform import Platform
from membership import credit_code
from servicekit.auth.devtoken import mint


class Caller:
    def __init__(
        self,
        platform: Platform,
        sub: str,
        *,
        operator: bool = False,
        alliances: dict[str, list[str]] | None = None,
        locale: str = "zh",
    ) -> None:
        self.url = platform.graphql_url
        self.sub = sub
        self.token = mint(
            platform.config.jwt_secret,
            sub=sub,
            operator=operator,
            alliances=alliances,
            locale=locale,
        )

    def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = httpx.post(
            self.url,
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.token}", **(headers or {})},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body = self.execute(query, variables, headers)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    @contextlib.contextmanager
    def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> Iterator[Stream]:
        """A subscription through the gateway over SSE, with the caller's token (or ``token``;
        ``""`` sends none), read by a thread while the block runs."""
        stream = Stream(self.url, query, variables or {}, self.token if token is None else token)
        try:
            yield stream
        finally:
            stream.close()


class Stream:
    """The events of one SSE subscription: ``next`` payloads, then ``complete``."""

    def __init__(self, url: str, query: str, variables: dict[str, Any], token: str) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.status: int | None = None
        self._closing = threading.Event()
        self._response: httpx.Response | None = None
        headers = {"accept": "text/event-stream"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        body = {"query": query, "variables": variables}
        self._thread = threading.Thread(target=self._read, args=(url, body, headers), daemon=True)
        self._thread.start()

    def _read(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(30, read=None)) as client,
                client.stream("POST", url, json=body, headers=headers) as response,
            ):
                self._response = response
                self.status = response.status_code
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    self.events.put(("next", json.loads(response.read())))
                    return
                event, data = None, []
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "" and event:
                        text = "".join(data)
                        self.events.put((event, json.loads(text) if text else None))
                        event, data = None, []
        except Exception as exc:  # closed by close(), or the connection failed
            if not self._closing.is_set():
                self.events.put(("failed", repr(exc)))
        finally:
            self.events.put(("closed", None))

    def event(self, timeout: float = 20.0) -> tuple[str, Any]:
        return self.events.get(timeout=timeout)

    def next(self, timeout: float = 20.0) -> dict[str, Any]:
        """The next result; fails on anything else."""
        kind, payload = self.event(timeout)
        assert kind == "next", (kind, payload)
        result: dict[str, Any] = payload
        return result

    def nothing_within(self, seconds: float) -> None:
        try:
            kind, payload = self.events.get(timeout=seconds)
        except queue.Empty:
            return
        raise AssertionError(f"expected nothing, got {kind}: {payload}")

    def close(self) -> None:
        self._closing.set()
        if self._response is not None:
            with contextlib.suppress(Exception):
                self._response.close()
        self._thread.join(timeout=5)


CREATE = """mutation($i: CreateAllianceInput!) { createAlliance(input: $i) { id slug } }"""
SUBMIT = """mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id status } }"""
FORWARD = """mutation($id: ID!) { forwardApplication(id: $id) { id status } }"""
DECIDE = """mutation($id: ID!, $d: DecisionInput!) { recordDecision(id: $id, input: $d) {
  id status membership { id tier status certificateNumber } } }"""
# The body each seed charter names for admissions (AII Art.11: the standing council).
DECIDING_BODY = {"aii": "STANDING_COUNCIL", "aitisa": "COUNCIL", "china-asean": "COUNCIL"}


def operator(platform: Platform) -> Caller:
    return Caller(platform, "operator-1", operator=True)


def staff(platform: Platform, slug: str) -> Caller:
    return Caller(platform, f"{slug}-secretariat", alliances={slug: ["secretariat"]})


def decision(body: str, approved: bool = True, meeting: str = "2026年第3次会议") -> dict[str, Any]:
    return {"approved": approved, "body": body, "meeting": meeting, "decidedOn": "2026-11-20"}


def approve(platform: Platform, slug: str, application_id: str) -> dict[str, Any]:
    """The secretariat forwards the application and records the deciding body's approval."""
    clerk = staff(platform, slug)
    clerk.data(FORWARD, {"id": application_id})
    decided: dict[str, Any] = clerk.data(
        DECIDE, {"id": application_id, "d": decision(DECIDING_BODY[slug])}
    )
    return decided["recordDecision"]


def new_code() -> str:
    digits = "".join(str(int(c, 16) % 10) for c in uuid.uuid4().hex[:8])
    return credit_code.complete("91440300" + digits)


def application(
    slug: str,
    name: str,
    tier: str = "DIRECTOR",
    country: str = "CN",
    registration: str | None = None,
) -> dict[str, Any]:
    """An application with every material the seed charter asks for (as references)."""
    materials = [
        {"material": m.id, "reference": f"纸质件 {m.id}"}
        for m in charter.load_template(slug).membership.application_materials
    ]
    return {
        "i": {
            "alliance": slug,
            "tier": tier,
            "contactName": "陈静",
            "contactEmail": "chen.jing@example.cn",
            "materials": materials,
            "organization": {
                "nameZh": name,
                "kind": "ENTERPRISE",
                "country": country,
                "registrationNumber": registration or new_code(),
            },
        }
    }


def until(probe: Callable[[], Any], within: float = 30.0) -> Any:
    """``probe()`` until it answers something truthy (the services work asynchronously);
    an assertion error after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        found = probe()
        if found:
            return found
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.2)


def ensure_alliances(
    platform: Platform,
    slugs: Iterable[str],
    *,
    name_zh: Callable[[str], str] = lambda slug: f"{slug} 联盟",
    name_en: Callable[[str], str | None] = lambda slug: slug,
) -> None:
    """The seed alliances a test module needs, created from their templates by the operator
    unless an earlier module of the session created them already."""
    op = operator(platform)
    existing = {a["slug"] for a in op.data("{ alliances { slug } }")["alliances"]}
    for slug in slugs:
        if slug not in existing:
            fields = {"slug": slug, "nameZh": name_zh(slug), "template": slug}
            if (english := name_en(slug)) is not None:
                fields["nameEn"] = english
            op.data(CREATE, {"i": fields})
    for slug in slugs:  # (also those an earlier module or the demo loader created)
        wait_until_known(op, slug)


def create_alliance(op: Caller, fields: dict[str, str]) -> None:
    """The operator creates an alliance; back once every service knows it."""
    op.data(CREATE, {"i": fields})
    wait_until_known(op, fields["slug"])


def wait_until_known(op: Caller, slug: str) -> None:
    """Until governance has the bodies of ``slug``'s charter and finance knows its books: both
    learn of an alliance from membership's events, a moment after it is created."""

    def known() -> bool:
        found = op.execute(
            "query($s: String!) { alliance(slug: $s) { bodies { kind } } "
            "books(alliance: $s) { funds { code } } }",
            {"s": slug},
        )
        if errors := found.get("errors"):
            if any((e.get("extensions") or {}).get("code") != "NOT_FOUND" for e in errors):
                raise AssertionError(errors)  # anything but "not known yet" is a failure
            return False
        return bool(found["data"]["alliance"]["bodies"] and found["data"]["books"])

    until(known)

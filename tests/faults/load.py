"""N actions through the gateway from a few clients at once, with a fault in the middle.

An action is one application to the AITISA alliance taken through its steps: its contact gives
an email address for the notices, submits, the secretariat forwards it and records the
council's approval (four mutations; three record events that other services consume, and the
contact is emailed). Each mutation is sent once, never retried: what failed is
counted by its error code (a typed ``SERVICE_UNAVAILABLE`` while a subgraph is away, or the HTTP
status), so the figures say what a client saw.
"""

from __future__ import annotations

import collections
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from devkit.local.platform import Platform
from servicekit.auth.devtoken import mint
from tests.e2e.client import DECIDE, DECIDING_BODY, FORWARD, SUBMIT, application, decision

CLIENTS = 4
SETTINGS = """mutation($a: String!, $e: String, $l: String!) {
  setMyNotificationSettings(alliance: $a, email: $e, language: $l) { email } }"""


class Failed(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Load:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        secret = platform.config.jwt_secret
        self.clerk = mint(secret, sub="aitisa-secretariat", alliances={"aitisa": ["secretariat"]})
        self.done = 0
        self.failed: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def _call(self, client: httpx.Client, token: str, query: str, variables: Any) -> Any:
        try:
            response = client.post(
                self.platform.graphql_url,
                json={"query": query, "variables": variables},
                headers={"authorization": f"Bearer {token}"},
                timeout=30,
            )
        except httpx.HTTPError as exc:
            raise Failed(type(exc).__name__) from exc
        try:
            body = response.json()
        except ValueError:
            raise Failed(f"HTTP {response.status_code}") from None
        if body.get("errors"):
            code = body["errors"][0].get("extensions", {}).get("code", "no code")
            raise Failed(f"HTTP {response.status_code} {code}")
        return body["data"]

    def action(self, client: httpx.Client, i: int) -> None:
        contact = mint(self.platform.config.jwt_secret, sub=f"contact-{uuid.uuid4().hex[:8]}")
        try:
            name = f"负载测试{uuid.uuid4().hex[:6]}号有限公司"
            address = f"{uuid.uuid4().hex[:10]}@example.cn"
            self._call(client, contact, SETTINGS, {"a": "aitisa", "e": address, "l": "zh"})
            submitted = self._call(client, contact, SUBMIT, application("aitisa", name))
            app_id = submitted["submitApplication"]["id"]
            self._call(client, self.clerk, FORWARD, {"id": app_id})
            self._call(
                client,
                self.clerk,
                DECIDE,
                {"id": app_id, "d": decision(DECIDING_BODY["aitisa"])},
            )
        except Failed as exc:
            with self._lock:
                self.failed[exc.code] += 1
            return
        with self._lock:
            self.done += 1

    def run(self, n: int, *, at: dict[int, Callable[[], None]] | None = None) -> None:
        """``n`` actions from ``CLIENTS`` clients; ``at[k]`` runs (in its own thread, not
        holding up the load) once the ``k``-th action has been started."""
        faults = at or {}
        threads: list[threading.Thread] = []
        clients = [httpx.Client() for _ in range(CLIENTS)]
        # a short queue, so that a fault "at k" falls among the actions under way
        room = threading.Semaphore(CLIENTS * 2)

        def one(i: int) -> None:
            try:
                self.action(clients[i % CLIENTS], i)
            finally:
                room.release()

        with ThreadPoolExecutor(CLIENTS) as pool:
            futures = []
            for i in range(n):
                if i in faults:
                    thread = threading.Thread(target=faults[i], name=f"fault-at-{i}")
                    thread.start()
                    threads.append(thread)
                room.acquire()
                futures.append(pool.submit(one, i))
            for f in futures:
                f.result()
        for c in clients:
            c.close()
        for thread in threads:
            thread.join()

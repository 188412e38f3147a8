"""Speaking GraphQL to the gateway as a given person."""

from __future__ import annotations

from typing import Any

import httpx

from servicekit.auth.devtoken import mint
from servicekit.local.platform import Platform


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

"""GraphiQL of the development gateway (Hive Laboratory), in headless Chromium: the schema
comes up and the README's query runs as the platform operator that ``make up`` prints."""

from __future__ import annotations

import json
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from devkit.local.platform import Platform
from tests.e2e.client import ensure_alliances
from tests.support.browser import artifact_path

README_QUERY = """{ alliance(slug: "aii") { name members(first: 3) { totalCount totalsByTier {
  tier count } } bodies { kind name } budgets { fiscalYear status }
  myNotifications { totalCount } } }"""


def test_graphiql_shows_the_schema_and_runs_the_readme_query_as_the_operator(
    platform: Platform, page: Page
) -> None:
    ensure_alliances(platform, ("aii",), name_zh=lambda slug: slug, name_en=lambda slug: None)
    # What the API answers the operator that make up prints (and GraphiQL is signed in as),
    # once governance has set up the bodies of a just-created alliance (ensure_alliances waits).
    assert platform.operator_token is not None

    def answer() -> dict[str, Any]:
        body: dict[str, Any] = httpx.post(
            platform.graphql_url,
            json={"query": README_QUERY},
            headers={"authorization": f"Bearer {platform.operator_token}"},
            timeout=30,
        ).json()
        assert "errors" not in body, body
        return body

    expected = answer()
    assert expected["data"]["alliance"]["bodies"]

    page.goto(platform.graphql_url)
    # The schema is there: the builder lists the Query fields from the introspection result.
    expect(page.get_by_role("button", name="alliances : [Alliance!]!")).to_be_visible(
        timeout=30_000
    )
    operation = page.get_by_role("code").first
    expect(operation).to_contain_text("Signed in as the platform operator")
    expect(operation).to_contain_text('alliance(slug: "aii")')

    page.get_by_role("button", name="Run", exact=True).click()
    response = page.get_by_role("tabpanel", name="Response")
    name = expected["data"]["alliance"]["name"]
    expect(response).to_contain_text(f'"name": "{name}"', timeout=30_000)
    expect(page.get_by_text("200", exact=True)).to_be_visible()
    # Everything it shows is what the API answers this operator (the page keeps its history).
    history = page.evaluate("localStorage.getItem('hive-laboratory:history')")
    shown = json.loads(json.loads(history)[0]["response"])
    assert shown == expected == answer()
    assert page.get_by_text("schema polling error").count() == 0

    screenshot = artifact_path("graphiql-readme-query.png")
    page.screenshot(path=screenshot)
    print(f"GraphiQL screenshot: {screenshot}")

"""What the browser tests of the dashboards page share: signing in with a pasted token, the
window the page asked for, and reading its tables, charts and downloads; and the API's answer
to the same question, to compare with."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openpyxl
from playwright.sync_api import Page, expect

from devkit.local.platform import Platform

MONEY = "amount currency"
OVERVIEW = f"""query($since: Date!, $until: Date!, $grouping: Grouping!) {{ alliances {{
  slug nameZh nameEn
  membershipFigures(since: $since, until: $until, grouping: $grouping) {{
    members admissions withdrawals pendingTotal }}
  governanceFigures(since: $since, until: $until, grouping: $grouping) {{
    meetingsHeld motionsPassed }}
  financeFigures(since: $since, until: $until, grouping: $grouping) {{
    fees {{ invoiced {{ {MONEY} }} paid {{ {MONEY} }} }}
    overdue {{ invoices outstanding {{ {MONEY} }} }} }} }} }}"""


def api(platform: Platform, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(
        platform.graphql_url,
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


def sign_in(page: Page, platform: Platform, token: str) -> None:
    page.goto(platform.dashboard_url)
    expect(page.locator("#sign-in")).to_be_visible()
    page.locator("#token").fill(token)
    page.locator("#sign-in-button").click()
    expect(page.locator("#content[data-ready=overview]")).to_be_attached(timeout=30_000)


def window(page: Page) -> dict[str, str]:
    """The window the page asked for (its date inputs and grouping)."""
    return {
        "since": page.locator("#since").input_value(),
        "until": page.locator("#until").input_value(),
        "grouping": page.locator("#grouping").input_value(),
    }


def money_totals(moneys: list[dict[str, str]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for m in moneys:
        totals[m["currency"]] = totals.get(m["currency"], Decimal(0)) + Decimal(m["amount"])
    return totals


def shown_money(text: str) -> dict[str, Decimal]:
    """``CNY 1200.00; SGD 3.00`` (or ``0``) as totals per currency."""
    if text == "0":
        return {}
    return {c: Decimal(a) for c, a in (part.split(" ") for part in text.split("; "))}


def table_rows(page: Page, table: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = page.evaluate(
        """(table) => [...document.querySelectorAll(`table[data-table="${table}"] tbody tr`)]
          .map((tr) => Object.fromEntries([...tr.querySelectorAll('td')]
            .map((td) => [td.dataset.col, td.textContent])))""",
        table,
    )
    return rows


def chart_data(page: Page, chart: str) -> list[list[float]]:
    data: list[list[float]] = page.evaluate(
        """(id) => Chart.getChart(document.querySelector(`canvas[data-chart="${id}"]`))
          .data.datasets.map((d) => d.data)""",
        chart,
    )
    return data


def download(page: Page, table: str) -> list[list[Any]]:
    with page.expect_download() as info:
        page.locator(f'[data-download="{table}"]').click()
    path = info.value.path()
    assert path is not None and info.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))
    return [list(row) for row in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]

"""``make up``'s demo data loads through the real platform, and loading it again is harmless."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from devkit.local.platform import Platform
from membership.demo import months_back, seed
from servicekit.auth.devtoken import mint
from tests.e2e.client import operator, until
from tests.support.dashboard import chart_data, sign_in, table_rows

TEMPLATES = ("aii", "aitisa", "china-asean")
QUERY = """query($slug: String!) { alliance(slug: $slug) {
  template members(first: 50) { totalCount totalsByTier { tier count }
    edges { node { organization { country } } } }
  applications(first: 100) { edges { node { kind status } } }
  people { role } budgets { fiscalYear status } } }"""


def test_demo_data_loads_and_loading_again_changes_nothing(platform: Platform) -> None:
    copies = [(f"demo-{t}", f"演示{t}", f"Demo {t}", t) for t in TEMPLATES]
    url, secret = platform.graphql_url, platform.config.jwt_secret
    assert seed(url, secret, per_alliance=12, alliances=copies) == [c[0] for c in copies]
    assert seed(url, secret, per_alliance=12, alliances=copies) == []
    op = operator(platform)
    for slug, _, _, template in copies:
        alliance = op.data(QUERY, {"slug": slug})["alliance"]
        assert alliance["template"] == template
        states = {
            (a["node"]["kind"], a["node"]["status"]) for a in alliance["applications"]["edges"]
        }
        assert {
            ("admission", s) for s in ("SUBMITTED", "FORWARDED", "RETURNED", "REJECTED", "APPROVED")
        } <= {(k.lower(), s) for k, s in states}
        assert (
            "WITHDRAWAL",
            "APPROVED"
            if template == "aitisa"
            else "SUBMITTED"
            if template == "aii"
            else "FORWARDED",
        ) in states
        members = alliance["members"]
        assert members["totalCount"] == (7 if template == "aitisa" else 8)
        assert len(members["totalsByTier"]) >= 2
        countries = {e["node"]["organization"]["country"] for e in members["edges"]}
        assert (len(countries) > 1) is (template == "china-asean")
        assert alliance["people"] == [{"role": "secretariat"}]
        assert alliance["budgets"] == [{"fiscalYear": 2026, "status": "DRAFT"}]


HISTORY = [(f"year-{t}", f"一年{t}", f"A year of {t}", t) for t in TEMPLATES]
MONEY = "amount currency"
FIGURES = f"""query($slug: String!, $since: Date!, $until: Date!, $grouping: Grouping!) {{
  alliance(slug: $slug) {{
    membershipFigures(since: $since, until: $until, grouping: $grouping) {{
      members admissions withdrawals expulsions demotions
      series {{ period members admissions withdrawals expulsions demotions }} }}
    governanceFigures(since: $since, until: $until, grouping: $grouping) {{
      meetingsHeld motionsPassed motionsFailed quorumFailures
      series {{ period meetingsHeld motionsPassed motionsFailed votesClosed quorumFailures
        turnout }}
      bodies {{ body year held minimum }}
      workingGroups {{ active members meetingsHeld }} }}
    financeFigures(since: $since, until: $until, grouping: $grouping) {{
      fees {{ period invoices invoiced {{ {MONEY} }} payments paid {{ {MONEY} }} }}
      overdue {{ invoices outstanding {{ {MONEY} }} }} }} }} }}"""


def _months(series: list[dict[str, Any]], field: str) -> set[str]:
    return {p["period"] for p in series if p[field]}


@pytest.fixture(scope="module")
def history(platform: Platform) -> list[str]:
    """The three seed charters with a year of history, as ``make up`` loads them."""
    url, secret = platform.graphql_url, platform.config.jwt_secret
    started = time.monotonic()
    assert seed(url, secret, alliances=HISTORY, history=True) == [h[0] for h in HISTORY]
    took = time.monotonic() - started
    print(f"three alliances with a year of history seeded in {took:.1f} s")
    return [h[0] for h in HISTORY]


def test_a_year_of_history_fills_every_figure_of_the_dashboard_across_the_months(
    platform: Platform, history: list[str]
) -> None:
    url, secret = platform.graphql_url, platform.config.jwt_secret
    today = datetime.now(UTC).date()
    window = {
        "since": months_back(today, 11, day=1).isoformat(),
        "until": today.isoformat(),
        "grouping": "MONTH",
    }
    op = operator(platform)

    def figures() -> dict[str, dict[str, Any]]:
        return {
            slug: op.data(FIGURES, {"slug": slug} | window)["alliance"] for slug, _, _, _ in HISTORY
        }

    def settled() -> dict[str, dict[str, Any]] | None:
        """The figures once the charter's own demotion (from governance's attendance event)
        has reached membership."""
        found = figures()
        return found if found["year-aii"]["membershipFigures"]["demotions"] else None

    first: dict[str, dict[str, Any]] = until(settled, within=60)
    for slug, _, _, template in HISTORY:
        m, g, f = (
            first[slug][k] for k in ("membershipFigures", "governanceFigures", "financeFigures")
        )
        assert len(m["series"]) == 12
        # Admissions in most months, the members in force growing through the year.
        assert len(_months(m["series"], "admissions")) >= 8, m["series"]
        counts = [p["members"] for p in m["series"]]
        assert counts[0] < counts[-1] and m["members"] == counts[-1]
        assert m["expulsions"] >= 1
        # Members who left months before today (AITISA: free withdrawal takes effect now).
        current = m["series"][-1]["period"]
        left_earlier = {p for p in _months(m["series"], "withdrawals") if p != current}
        assert bool(left_earlier) is (template != "aitisa"), m["series"]
        assert m["withdrawals"] >= 2
        # AII Art.13: a director absent from three council meetings in a row is demoted,
        # in the month of the third one.
        assert (m["demotions"] >= 1) is (template == "aii")
        if template == "aii":
            assert current not in _months(m["series"], "demotions")
        # Meetings held in several months, motions passed and failed, one vote not quorate.
        assert len(_months(g["series"], "meetingsHeld")) >= 4, g["series"]
        assert len(_months(g["series"], "motionsPassed")) >= 3
        assert g["motionsFailed"] >= 2 and g["quorumFailures"] == 1
        turnouts = [p["turnout"] for p in g["series"] if p["turnout"] is not None]
        assert len(turnouts) >= 4 and min(turnouts) < 0.5 < max(turnouts) <= 1
        council = [b for b in g["bodies"] if b["body"] == "COUNCIL"]
        assert all(b["held"] >= 4 for b in council if b["year"] == today.year)
        # AITISA: a working group of five, founded and meeting twice since (Art.4, Art.10(1)).
        groups = g["workingGroups"]
        expected = (1, 5, 2) if template == "aitisa" else (0, 0, 0)
        assert (groups["active"], groups["members"], groups["meetingsHeld"]) == expected
        # Fees invoiced, paid over several months, some overdue.
        assert sum(p["invoices"] for p in f["fees"]) >= 10
        assert len({p["period"] for p in f["fees"] if p["payments"]}) >= 3, f["fees"]
        assert f["overdue"] and all(o["invoices"] > 0 for o in f["overdue"])

    # Loading again changes nothing.
    assert seed(url, secret, alliances=HISTORY, history=True) == []
    assert figures() == first


def test_the_dashboard_of_a_year_of_history_draws_real_charts_for_the_three_seed_charters(
    platform: Platform, history: list[str], page: Page, artifacts_dir: Path
) -> None:
    """What ``make up`` shows: the operator's overview with the three alliances' bars, and an
    alliance page whose series run through the year (screenshots kept as artefacts)."""
    token = mint(
        platform.config.jwt_secret, sub="operator", name="Platform operator", operator=True
    )
    sign_in(page, platform, token)
    rows = {r["slug"]: r for r in table_rows(page, "overview")}
    assert set(history) <= set(rows)
    assert all(int(rows[slug]["members"]) > 0 for slug in history)
    page.screenshot(path=artifacts_dir / "demo-overview.png", full_page=True)
    for slug in history:
        page.goto(f"{platform.dashboard_url}#/alliance/{slug}")
        expect(page.locator("#content[data-ready=alliance]")).to_be_attached(timeout=30_000)
        [members] = chart_data(page, "members-over-time")
        admissions = chart_data(page, "membership-changes")[0]
        assert len(members) == 12 and members[0] < members[-1], members
        assert sum(1 for a in admissions if a) >= 8, admissions
        page.screenshot(path=artifacts_dir / f"demo-{slug}.png", full_page=True)

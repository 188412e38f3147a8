"""The dashboards page (gateway/dashboard/, served by the gateway at /dashboard/) in headless
Chromium: signed in with a minted token, it shows the figures the API answers that caller,
in Chinese and in English, and each table downloads as the same spreadsheet (issue 12); the
alliance page's budget execution is the council's approved budget against the books.

The page reads only the gateway's GraphQL; these tests ask the API the same questions with the
same token and window and compare what the page shows with the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from devkit.local.platform import Platform
from membership.demo import seed
from servicekit.auth.devtoken import mint
from tests.e2e.alliances import YEAR, ChinaAsean, cast
from tests.e2e.client import until
from tests.support.dashboard import (
    OVERVIEW,
    api,
    chart_data,
    download,
    money_totals,
    shown_money,
    sign_in,
    table_rows,
    window,
)

ALLIANCES = [
    ("dash-aii", "看板工业互联网联盟", "Dashboard Industrial Internet Alliance", "aii"),
    ("dash-asean", "看板中国—东盟联盟", "Dashboard China-ASEAN Alliance", "china-asean"),
]
ALLIANCE = """query($slug: String!, $since: Date!, $until: Date!, $grouping: Grouping!) {
  alliance(slug: $slug) { nameZh nameEn
    membershipFigures(since: $since, until: $until, grouping: $grouping) {
      members admissions withdrawals expulsions pendingTotal byTier { tier count }
      byCountry { country count }
      series { period members admissions withdrawals expulsions terminations demotions } }
    governanceFigures(since: $since, until: $until, grouping: $grouping) {
      meetingsHeld motionsPassed motionsFailed openMotions quorumFailures
      bodies { body year held minimum belowMinimum source } } } }"""
OPEN_VOTES = """query($slug: String!) { alliance(slug: $slug) { motions(status: OPEN, first: 20) {
  edges { node { title stages { status turnout { ballots yes no abstain } } } } } } }"""


@pytest.fixture(scope="module")
def seeded(platform: Platform) -> list[str]:
    """Two alliances with members through their charters' admission paths (the demo loader)."""
    seed(platform.graphql_url, platform.config.jwt_secret, per_alliance=6, alliances=ALLIANCES)
    return [a[0] for a in ALLIANCES]


def operator_token(platform: Platform) -> str:
    return mint(platform.config.jwt_secret, sub="operator", name="Platform operator", operator=True)


def secretariat_token(platform: Platform, slug: str) -> str:
    return mint(
        platform.config.jwt_secret,
        sub=f"{slug}-secretariat",
        name="秘书处",
        alliances={slug: ["secretariat"]},
    )


@pytest.fixture
def requests_seen(page: Page) -> Iterator[list[str]]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    yield seen


def test_the_operator_sees_every_alliance_side_by_side_with_the_figures_the_api_answers(
    platform: Platform,
    seeded: list[str],
    page: Page,
    requests_seen: list[str],
    artifacts_dir: Path,
) -> None:
    token = operator_token(platform)
    sign_in(page, platform, token)
    expected = api(platform, token, OVERVIEW, window(page))["alliances"]
    assert set(seeded) <= {a["slug"] for a in expected}

    rows = table_rows(page, "overview")
    assert [r["slug"] for r in rows] == [a["slug"] for a in expected]
    for row, alliance in zip(rows, expected, strict=True):
        m, g, f = (
            alliance["membershipFigures"],
            alliance["governanceFigures"],
            alliance["financeFigures"],
        )
        assert row["alliance"] in (alliance["nameZh"], alliance["nameEn"])
        assert int(row["members"]) == m["members"]
        assert int(row["admissions"]) == m["admissions"]
        assert int(row["withdrawals"]) == m["withdrawals"]
        assert int(row["pending"]) == m["pendingTotal"]
        assert int(row["meetingsHeld"]) == g["meetingsHeld"]
        assert int(row["motionsPassed"]) == g["motionsPassed"]
        assert shown_money(row["invoiced"]) == money_totals([p["invoiced"] for p in f["fees"]])
        assert shown_money(row["paid"]) == money_totals([p["paid"] for p in f["fees"]])
        assert shown_money(row["overdue"]) == money_totals([o["outstanding"] for o in f["overdue"]])
        assert int(row["overdueInvoices"]) == sum(o["invoices"] for o in f["overdue"])
    by_slug = {a["slug"]: a for a in expected}
    assert by_slug["dash-aii"]["membershipFigures"]["members"] > 0

    # The charts draw the same figures, one bar per alliance.
    assert chart_data(page, "members-by-alliance") == [
        [a["membershipFigures"]["members"] for a in expected]
    ]
    meetings, passed = chart_data(page, "governance-by-alliance")
    assert meetings == [a["governanceFigures"]["meetingsHeld"] for a in expected]
    assert passed == [a["governanceFigures"]["motionsPassed"] for a in expected]
    assert page.locator("canvas[data-chart]").count() == 3

    # Nothing came from anywhere but the gateway (Chart.js is shipped with the page).
    origin = platform.dashboard_url.split("/dashboard/")[0]
    assert requests_seen and all(u.startswith((origin, "blob:")) for u in requests_seen), (
        requests_seen
    )
    # Drawn well within a second of the answer (the page measures from answer to drawn).
    assert int(page.locator("#content").get_attribute("data-render-ms") or "0") < 1000
    page.screenshot(path=artifacts_dir / "dashboard-overview.png", full_page=True)


def test_an_alliance_page_shows_its_series_and_its_bodies_against_the_charter_minimum(
    platform: Platform, seeded: list[str], page: Page, artifacts_dir: Path
) -> None:
    token = operator_token(platform)
    sign_in(page, platform, token)
    page.locator('tr[data-slug="dash-asean"] td[data-col="alliance"] a').click()
    expect(page.locator("#content[data-ready=alliance]")).to_be_attached(timeout=30_000)
    assert page.url.endswith("#/alliance/dash-asean")
    answer = api(platform, token, ALLIANCE, {"slug": "dash-asean", **window(page)})["alliance"]
    m, g = answer["membershipFigures"], answer["governanceFigures"]

    def figure(key: str) -> str:
        return page.locator(f'[data-figure="{key}"] dd').inner_text()

    for key, value in [
        ("members", m["members"]),
        ("admissions", m["admissions"]),
        ("withdrawals", m["withdrawals"]),
        ("expulsions", m["expulsions"]),
        ("pending", m["pendingTotal"]),
        ("meetingsHeld", g["meetingsHeld"]),
        ("motionsPassed", g["motionsPassed"]),
        ("motionsFailed", g["motionsFailed"]),
        ("openMotions", g["openMotions"]),
        ("quorumFailures", g["quorumFailures"]),
    ]:
        assert figure(key) == str(value), key
    assert m["members"] > 0

    # Members over time and the changes per period: one point per period of the window.
    series = table_rows(page, "membership")
    assert len(series) == len(m["series"]) > 0
    for row, period in zip(series, m["series"], strict=True):
        assert [int(row[k]) for k in ("members", "admissions", "withdrawals", "expulsions")] == [
            period[k] for k in ("members", "admissions", "withdrawals", "expulsions")
        ]
    assert chart_data(page, "members-over-time") == [[p["members"] for p in m["series"]]]
    assert chart_data(page, "membership-changes")[0] == [p["admissions"] for p in m["series"]]
    countries = table_rows(page, "by-country")
    assert [(r["country"], int(r["count"])) for r in countries] == [
        (c["country"], c["count"]) for c in m["byCountry"]
    ]
    assert len(countries) > 1  # China-ASEAN: members from more than one country

    # Each body's meetings against its charter minimum, the article cited.
    bodies = table_rows(page, "bodies")
    assert [(int(r["year"]), int(r["held"]), int(r["minimum"]), r["source"]) for r in bodies] == [
        (b["year"], b["held"], b["minimum"], b["source"]) for b in g["bodies"]
    ]
    held, minimum = chart_data(page, "body-meetings")
    assert held == [b["held"] for b in g["bodies"]]
    assert minimum == [b["minimum"] for b in g["bodies"]]
    below = page.locator('table[data-table="bodies"] tbody tr.below').count()
    assert below == sum(b["belowMinimum"] for b in g["bodies"])
    assert page.locator("canvas[data-chart]").count() == 5

    # The open votes with their turnout so far (ballots; the running count if named).
    motions = api(platform, token, OPEN_VOTES, {"slug": "dash-asean"})["alliance"]["motions"]
    open_stages = [
        (edge["node"]["title"], stage["turnout"])
        for edge in motions["edges"]
        for stage in edge["node"]["stages"]
        if stage["status"] == "OPEN"
    ]
    votes = table_rows(page, "open-votes")
    assert [(r["motion"], int(r["ballots"])) for r in votes] == [
        (title, turnout["ballots"]) for title, turnout in open_stages
    ]
    for row, (_, turnout) in zip(votes, open_stages, strict=True):
        assert row["yes"] == ("" if turnout["yes"] is None else str(turnout["yes"]))
    print(f"open votes shown: {len(votes)}")
    page.screenshot(path=artifacts_dir / "dashboard-alliance.png", full_page=True)

    page.locator("a.back").click()
    expect(page.locator("#content[data-ready=overview]")).to_be_attached(timeout=30_000)


def test_the_language_switch_shows_the_same_figures_in_chinese_and_in_english(
    platform: Platform, seeded: list[str], page: Page, artifacts_dir: Path
) -> None:
    token = operator_token(platform)
    sign_in(page, platform, token)
    names = {
        a["slug"]: a
        for a in api(platform, token, "{ alliances { slug nameZh nameEn } }", {})["alliances"]
    }

    def lang() -> str:
        return "zh" if page.evaluate("document.documentElement.lang") == "zh-CN" else "en"

    def name(slug: str) -> str:
        return page.locator(f'tr[data-slug="{slug}"] td[data-col="alliance"]').inner_text()

    figures: dict[str, list[dict[str, str]]] = {}
    for _ in range(2):
        now = lang()
        assert name("dash-aii") == names["dash-aii"]["nameZh" if now == "zh" else "nameEn"]
        header = page.locator('table[data-table="overview"] thead').inner_text()
        assert ("成员" in header) is (now == "zh")
        assert ("Members" in header) is (now == "en")
        button = page.locator("#lang").inner_text()
        assert button == ("English" if now == "zh" else "中文")
        figures[now] = [
            {k: v for k, v in r.items() if k != "alliance"} for r in table_rows(page, "overview")
        ]
        page.screenshot(path=artifacts_dir / f"dashboard-overview-{now}.png", full_page=True)
        page.locator("#lang").click()
    # Both languages were shown, and only the words changed: the figures are the same answer.
    assert set(figures) == {"zh", "en"}
    assert figures["zh"] == figures["en"]
    # The choice is kept for the next visit (and the token for the tab).
    page.locator("#lang").click()
    chosen = lang()
    page.reload()
    expect(page.locator("#content[data-ready=overview]")).to_be_attached(timeout=30_000)
    assert lang() == chosen


def test_each_table_downloads_as_a_spreadsheet_of_what_the_page_shows(
    platform: Platform, seeded: list[str], page: Page
) -> None:
    sign_in(page, platform, operator_token(platform))
    sheet = download(page, "overview")
    header = page.locator('table[data-table="overview"] thead th').all_inner_texts()
    assert sheet[0] == header
    shown = table_rows(page, "overview")
    assert len(sheet) == len(shown) + 1
    for line, row in zip(sheet[1:], shown, strict=True):
        assert [str(v) if v is not None else "" for v in line] == list(row.values())
        assert isinstance(line[2], int)  # numbers stay numbers

    page.goto(platform.dashboard_url + "#/alliance/dash-aii")
    expect(page.locator("#content[data-ready=alliance]")).to_be_attached(timeout=30_000)
    sheet = download(page, "membership")
    rows = table_rows(page, "membership")
    assert sheet[0] == page.locator('table[data-table="membership"] thead th').all_inner_texts()
    assert [[str(v) for v in line] for line in sheet[1:]] == [list(r.values()) for r in rows]


def test_a_secretariat_sees_only_its_own_alliance_and_a_bad_token_is_sent_back_to_sign_in(
    platform: Platform, seeded: list[str], page: Page
) -> None:
    sign_in(page, platform, secretariat_token(platform, "dash-aii"))
    assert [r["slug"] for r in table_rows(page, "overview")] == ["dash-aii"]
    page.goto(platform.dashboard_url + "#/alliance/dash-asean")
    expect(page.locator("#content[data-ready=alliance]")).to_be_attached(timeout=30_000)
    expect(page.locator(".page .empty")).to_be_visible()

    page.locator("#sign-out").click()
    expect(page.locator("#sign-in")).to_be_visible()
    page.locator("#token").fill("not-a-token")
    page.locator("#sign-in-button").click()
    expect(page.locator("#error")).to_have_attribute("data-code", "UNAUTHENTICATED")
    expect(page.locator("#sign-in")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_the_page_needs_no_token_but_every_figure_does_and_it_loads_only_from_the_gateway(
    platform: Platform,
) -> None:
    page = httpx.get(platform.dashboard_url, timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    chart = httpx.get(platform.dashboard_url + "vendor/chart.umd.min.js", timeout=10)
    assert chart.status_code == 200 and "Chart" in chart.text[:2000]
    bare = httpx.get(platform.dashboard_url.rstrip("/"), timeout=10)
    assert bare.status_code == 308 and bare.headers["location"] == "/dashboard/"
    # Only the page's own files: nothing else of the gateway's folder.
    assert httpx.get(platform.dashboard_url + "%2e%2e/package.json", timeout=10).status_code == 404
    assert httpx.get(platform.dashboard_url + "gateway.config.ts", timeout=10).status_code == 404
    assert httpx.post(platform.dashboard_url, timeout=10).status_code == 404
    answer = httpx.post(platform.graphql_url, json={"query": "{ alliances { slug } }"}, timeout=10)
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_an_open_vote_shows_its_turnout_live_on_the_alliance_page(
    platform: Platform, page: Page, artifacts_dir: Path
) -> None:
    """China-ASEAN Art.27: the council votes on the annual budget; while the named vote is
    open the page shows the ballots cast so far and the running count, and follows it."""
    alliance = ChinaAsean(platform, directors=3)
    alliance.budget()
    motion = alliance.pending_motion(set())
    stage = alliance.open_council_vote(motion, f"{YEAR}年度预算审议")

    cast(platform, alliance.slug, alliance.seats[0], stage, "YES")
    cast(platform, alliance.slug, alliance.seats[1], stage, "NO")
    sign_in(page, platform, operator_token(platform))
    page.goto(platform.dashboard_url + f"#/alliance/{alliance.slug}")
    expect(page.locator("#content[data-ready=alliance]")).to_be_attached(timeout=30_000)
    row = page.locator('table[data-table="open-votes"] tbody tr')
    expect(row).to_have_count(1)
    (shown,) = table_rows(page, "open-votes")
    assert shown["motion"] and shown["deadline"] is not None
    assert (shown["ballots"], shown["yes"], shown["no"], shown["abstain"]) == ("2", "1", "1", "0")
    page.screenshot(path=artifacts_dir / "dashboard-open-vote.png", full_page=True)

    # The third ballot shows up without reloading, by the voteTurnout subscription: well before
    # the page would read the list again (every 60 s, for votes opened since).
    block = page.locator('[data-table-block="open-votes"]')
    assert block.get_attribute("data-live") == "subscription"
    assert block.get_attribute("data-live-seconds") == "60"
    cast(platform, alliance.slug, alliance.seats[2], stage, "YES")
    expect(row.locator('td[data-col="ballots"]')).to_have_text("3", timeout=10_000)
    expect(row.locator('td[data-col="yes"]')).to_have_text("2")


BUDGET_FIGURES = """query($slug: String!, $y: Int!) { alliance(slug: $slug) {
  budgetFigures(fiscalYear: $y) { fiscalYear lines { code nameZh nameEn fund restriction
    budgeted { amount currency } actual { amount currency } remaining { amount currency }
    rate } } } }"""


def test_an_alliance_page_shows_its_approved_budget_against_the_books_per_line_and_fund(
    platform: Platform, page: Page, artifacts_dir: Path
) -> None:
    """China-ASEAN Art.27: the council approves the annual budget; the page shows each line
    (account and fund) budgeted against what the books hold, as the API answers it."""
    this_year = datetime.now(UTC).year
    alliance = ChinaAsean(platform, directors=3)
    budget = alliance.budget(this_year)
    assert alliance.council_vote(alliance.pending_motion(set()), yes=3)["passed"]

    def approved() -> bool:
        found = alliance.clerk.data("query($b: ID!) { budget(id: $b) { status } }", {"b": budget})
        return bool(found["budget"]["status"] == "APPROVED")

    until(approved, within=90)
    alliance.clerk.data(
        "mutation($i: ExpenseInput!) { recordExpense(input: $i) { id } }",
        {
            "i": {
                "alliance": alliance.slug,
                "use": "OFFICE",
                "amount": "1234.50",
                "date": datetime.now(UTC).date().isoformat(),
                "payee": "办公用品公司",
                "memo": "办公费",
            }
        },
    )

    token = operator_token(platform)
    sign_in(page, platform, token)
    page.goto(platform.dashboard_url + f"#/alliance/{alliance.slug}")
    expect(page.locator("#content[data-ready=alliance]")).to_be_attached(timeout=30_000)
    year = int(window(page)["until"][:4])
    assert year == this_year
    figures = api(platform, token, BUDGET_FIGURES, {"slug": alliance.slug, "y": year})
    lines = figures["alliance"]["budgetFigures"]["lines"]
    # the lines the test budgeted (ChinaAsean.budget: no fund named) and the expense it posted
    assert [
        (x["code"], x["fund"], x["budgeted"]["amount"], x["actual"]["amount"]) for x in lines
    ] == [
        ("510101", None, "120000.00", "0.00"),
        ("520101", None, "30000.00", "1234.50"),
    ]
    shown = table_rows(page, "budget")
    assert len(shown) == len(lines)
    for row, line in zip(shown, lines, strict=True):
        assert row["account"] == line["code"]
        assert row["fund"] in ((line["fund"],) if line["fund"] else ("全部基金", "All funds"))
        assert row["currency"] == line["budgeted"]["currency"]
        for key in ("budgeted", "actual", "remaining"):
            assert Decimal(row[key]) == Decimal(line[key]["amount"]), key
        assert Decimal(row["rate"].rstrip("%")) == Decimal(line["rate"]) * 100
    page.screenshot(path=artifacts_dir / "dashboard-budget.png", full_page=True)

    sheet = download(page, "budget")
    assert sheet[0] == page.locator('table[data-table="budget"] thead th').all_inner_texts()
    assert [[str(v) if v is not None else "" for v in line] for line in sheet[1:]] == [
        list(r.values()) for r in shown
    ]
    assert all(isinstance(line[5], int | float) for line in sheet[1:])  # numbers stay numbers

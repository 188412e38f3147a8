"""Finance's dashboard figures, checked against the invoices and payments the test made: fees
invoiced and paid per period and currency, the invoices overdue now; budget execution of the
approved annual budget per account and fund against the entries the test posted; one
alliance's figures cost the statements of fifty."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from charter.ids import BodyId, MatterKind, Outcome
from contracts.governance import MotionDecided, VoteCounts
from contracts.membership import AllianceCreated, MemberAdmitted, MembershipStatus
from devkit.local.provision import ServiceDatabase
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import TEST_SECRET, SubgraphClient, claims_for, running, statements_of
from finance import income
from finance.app import create_app
from finance.settings import Settings
from servicekit.db import Database
from servicekit.tenancy import TenantScope, alliance_id

SLUG = "ca-figures"
AID = alliance_id(SLUG)
TODAY = datetime.now(UTC).date()
YEAR = TODAY.year
CLERK = claims_for("fig-clerk", alliances={SLUG: ["secretariat"]})
OPERATOR = claims_for("op", operator=True)
FIGURES = """query($r: [_Any!]!, $s: Date!, $u: Date!) { _entities(representations: $r) {
  ... on Alliance { financeFigures(since: $s, until: $u) {
    fees { period invoices invoiced { amount currency } payments paid { amount currency } }
    overdue { invoices outstanding { amount currency } } } } } }"""
INVOICES = """query { books(alliance: "ca-figures") { invoices(fiscalYear: @Y) { id } } }"""


async def admitted(nats_url: str, tier: str) -> None:
    member = MemberAdmitted(
        membership_id=uuid.uuid4(),
        alliance_id=AID,
        alliance_slug=SLUG,
        alliance_name_zh="x",
        alliance_name_en="x",
        organization_id=uuid.uuid4(),
        organization_name_zh="某公司",
        tier=tier,
        status=MembershipStatus.ACTIVE,
    )
    await publish(nats_url, event(MemberAdmitted.TYPE, member.to_data(), alliance_id=AID))


def window() -> dict[str, str]:
    return {"s": date(YEAR, 1, 1).isoformat(), "u": TODAY.isoformat()}


async def test_fees_invoiced_paid_and_overdue_are_counted_per_period_and_currency(
    finance: SubgraphClient, finance_db: ServiceDatabase, nats_url: str
) -> None:
    created = AllianceCreated(alliance_id=AID, slug=SLUG, name_zh="中国—东盟", name_en="CA")
    await publish(nats_url, event(AllianceCreated.TYPE, created.to_data(), alliance_id=AID))

    async def ready() -> bool:
        result = await finance.execute(INVOICES.replace("@Y", str(YEAR)), claims=CLERK)
        return not result.get("errors")

    await eventually(ready, within=10)
    await finance.data(
        f'mutation {{ setMembershipFee(alliance: "{SLUG}", fiscalYear: {YEAR}, tier: "director", '
        'amount: "20000", decidedBy: "理事会决议") { tier } }',
        claims=CLERK,
    )
    await admitted(nats_url, "director")
    await admitted(nats_url, "director")

    async def two_invoices() -> list[dict[str, Any]] | None:
        data = await finance.data(INVOICES.replace("@Y", str(YEAR)), claims=CLERK)
        found: list[dict[str, Any]] = data["books"]["invoices"]
        return found if len(found) == 2 else None

    first, _ = await eventually(two_invoices, within=10)
    await finance.data(
        'mutation($i: ID!) { recordPayment(alliance: "ca-figures", invoiceId: $i, '
        f'amount: "5000", paidOn: "{TODAY.isoformat()}", idempotencyKey: "fig-pay") '
        "{ status } }",
        {"i": first["id"]},
        claims=CLERK,
    )
    database = Database(finance_db.app_url)
    try:
        async with database.transaction(TenantScope.of(AID)) as session:
            overdue = await income.flag_overdue(
                session, alliance=AID, as_of=TODAY + timedelta(days=400)
            )
    finally:
        await database.dispose()
    assert len(overdue) == 2

    body = await finance.execute(
        FIGURES, {"r": [{"__typename": "Alliance", "id": str(AID)}], **window()}, claims=CLERK
    )
    assert not body.get("errors"), body
    found = body["data"]["_entities"][0]["financeFigures"]
    (month,) = found["fees"]
    assert month == {
        "period": date(YEAR, TODAY.month, 1).isoformat(),
        "invoices": 2,
        "invoiced": {"amount": "40000.00", "currency": "CNY"},
        "payments": 1,
        "paid": {"amount": "5000.00", "currency": "CNY"},
    }
    (late,) = found["overdue"]
    assert late["invoices"] == 2
    assert Decimal(late["outstanding"]["amount"]) == Decimal("35000.00")

    stranger = claims_for("other", alliances={"aii": ["secretariat"]})
    refused = await finance.execute(
        FIGURES, {"r": [{"__typename": "Alliance", "id": str(AID)}], **window()}, claims=stranger
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    total = await finance.data(
        "query($s: Date!, $u: Date!) { financeFigures(since: $s, until: $u) "
        "{ fees { invoices } } }",
        window(),
        claims=OPERATOR,
    )
    assert sum(f["invoices"] for f in total["financeFigures"]["fees"]) >= 2


async def test_figures_of_fifty_alliances_cost_the_statements_of_one(
    finance_db: ServiceDatabase, nats_url: str
) -> None:
    settings = Settings(
        database_url=finance_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        run_workers=False,
    )
    ids = [str(AID)] + [str(alliance_id(f"ffig-{n}")) for n in range(49)]
    counts = []
    async with running(lambda: create_app(settings)) as client:
        for take in (ids[:1], ids):
            reps = [{"__typename": "Alliance", "id": i} for i in take]
            with statements_of(client.app) as statements:
                data = await client.data(FIGURES, {"r": reps, **window()}, claims=OPERATOR)
            assert len(data["_entities"]) == len(take)
            counts.append(len(statements))
    assert counts[0] == counts[1], counts


BSLUG = "ca-budget-figures"
BAID = alliance_id(BSLUG)
BCLERK = claims_for("bud-clerk", alliances={BSLUG: ["secretariat"]})
BUDGET_FIGURES = """query($r: [_Any!]!, $y: Int!) { _entities(representations: $r) {
  ... on Alliance { budgetFigures(fiscalYear: $y) { fiscalYear lines { code nameEn kind fund
    restriction budgeted { amount currency } actual { amount currency }
    remaining { amount currency } rate } } } } }"""
PLATFORM_BUDGET = """query($y: Int!) { budgetFigures(fiscalYear: $y) { fiscalYear lines {
  code fund budgeted { amount currency } actual { amount currency } } } }"""


async def _decided(nats_url: str, matter: str, passed: bool) -> None:
    """Stands in for governance: the council's decision on the budget (China-ASEAN Art.27)."""
    decided = MotionDecided(
        motion_id=uuid.uuid4(),
        alliance_id=BAID,
        matter=MatterKind.BUDGET_APPROVAL,
        matter_id=uuid.UUID(matter),
        title="预算",
        body=BodyId.COUNCIL,
        outcome=Outcome.PASSED if passed else Outcome.FAILED,
        passed=passed,
        decided_on=TODAY,
        counts=VoteCounts(entitled=9, present=7, yes=6, no=1, abstain=0),
        rule="China-ASEAN Art.27",
        explanation_zh="",
        explanation_en="",
    )
    await publish(nats_url, event(MotionDecided.TYPE, decided.to_data(), alliance_id=BAID))


async def _budget_lines(
    finance: SubgraphClient, claims: dict[str, Any], year: int = YEAR
) -> list[dict[str, Any]]:
    reps = [{"__typename": "Alliance", "id": str(BAID)}]
    data = await finance.data(BUDGET_FIGURES, {"r": reps, "y": year}, claims=claims)
    lines: list[dict[str, Any]] = data["_entities"][0]["budgetFigures"]["lines"]
    return lines


async def test_budget_execution_is_the_approved_budget_against_the_books_per_line_and_fund(
    finance: SubgraphClient, nats_url: str
) -> None:
    created = AllianceCreated(alliance_id=BAID, slug=BSLUG, name_zh="中国—东盟", name_en="CB")
    await publish(nats_url, event(AllianceCreated.TYPE, created.to_data(), alliance_id=BAID))

    async def ready() -> bool:
        result = await finance.execute(
            f'query {{ books(alliance: "{BSLUG}") {{ funds {{ code }} }} }}', claims=BCLERK
        )
        return not result.get("errors")

    await eventually(ready, within=10)
    await finance.data(
        "mutation($i: CreateFundInput!) { createFund(input: $i) { code } }",
        {
            "i": {
                "alliance": BSLUG,
                "code": "gx-grant",
                "nameZh": "自治区科技厅专项",
                "nameEn": "Guangxi S&T grant",
                "source": "GOVERNMENT_GRANT",
                "purposes": ["TECHNOLOGY_RESEARCH"],
                "rules": "桂科计字〔2026〕1号",
            }
        },
        claims=BCLERK,
    )
    day = f"{YEAR}-01-15"
    for source, fund, amount in (
        ("GOVERNMENT_GRANTS", "gx-grant", "1000.00"),
        ("MEMBERSHIP_FEES", "general", "300.00"),
    ):
        await finance.data(
            "mutation($i: IncomeInput!) { recordIncome(input: $i) { id } }",
            {
                "i": {
                    "alliance": BSLUG,
                    "source": source,
                    "fund": fund,
                    "amount": amount,
                    "date": day,
                    "payer": "某单位",
                    "memo": "收入",
                }
            },
            claims=BCLERK,
        )
    for use, fund, amount in (
        ("TECHNOLOGY_RESEARCH", "gx-grant", "400.00"),
        ("TECHNOLOGY_RESEARCH", "general", "150.00"),
        ("OFFICE", "general", "50.25"),
    ):
        await finance.data(
            "mutation($i: ExpenseInput!) { recordExpense(input: $i) { id } }",
            {
                "i": {
                    "alliance": BSLUG,
                    "use": use,
                    "fund": fund,
                    "amount": amount,
                    "date": day,
                    "payee": "某研究院",
                    "memo": "支出",
                }
            },
            claims=BCLERK,
        )
    budget = (
        await finance.data(
            f'mutation {{ createBudget(alliance: "{BSLUG}", fiscalYear: {YEAR}) {{ id }} }}',
            claims=BCLERK,
        )
    )["createBudget"]["id"]
    for account, fund, amount in (
        ("510102", "gx-grant", "800.00"),
        ("510102", "general", "200.00"),
        ("520101", "general", "100.00"),
        ("4101", None, "5000.00"),
    ):
        await finance.data(
            """mutation($b: ID!, $a: String!, $m: Decimal!, $f: String) {
              setBudgetLine(budgetId: $b, account: $a, amount: $m, fund: $f) { id } }""",
            {"b": budget, "a": account, "m": amount, "f": fund},
            claims=BCLERK,
        )
    submitted = await finance.data(
        "mutation($b: ID!) { submitBudget(budgetId: $b) { matters { id } } }",
        {"b": budget},
        claims=BCLERK,
    )
    # a budget the council has not approved is not executed: no lines yet
    assert await _budget_lines(finance, BCLERK) == []
    await _decided(nats_url, submitted["submitBudget"]["matters"][0]["id"], passed=True)

    async def executed() -> list[dict[str, Any]] | None:
        return await _budget_lines(finance, BCLERK) or None

    lines = await eventually(executed, within=10)

    def money(amount: str) -> dict[str, str]:
        return {"amount": amount, "currency": "CNY"}

    def line(
        code: str,
        fund: str | None,
        budgeted: str,
        actual: str,
        rest: str,
        rate: str,
        kind: str = "expense",
        restriction: str | None = "unrestricted",
    ) -> dict[str, Any]:
        return {
            "code": code,
            "kind": kind,
            "fund": fund,
            "restriction": restriction,
            "budgeted": money(budgeted),
            "actual": money(actual),
            "remaining": money(rest),
            "rate": rate,
        }

    assert [{k: v for k, v in r.items() if k != "nameEn"} for r in lines] == [
        line("4101", None, "5000.00", "300.00", "4700.00", "0.0600", "income", None),
        line("510102", "general", "200.00", "150.00", "50.00", "0.7500"),
        line("510102", "gx-grant", "800.00", "400.00", "400.00", "0.5000", restriction="earmarked"),
        line("520101", "general", "100.00", "50.25", "49.75", "0.5025"),
    ]
    assert lines[0]["nameEn"] == "Membership fees"

    # the platform total in the clerk's scope is their one alliance (row-level security)
    own = await finance.data(PLATFORM_BUDGET, {"y": YEAR}, claims=BCLERK)
    assert own["budgetFigures"]["lines"] == [
        {k: r[k] for k in ("code", "fund", "budgeted", "actual")} for r in lines
    ]
    everyone = await finance.data(PLATFORM_BUDGET, {"y": YEAR}, claims=OPERATOR)
    total = {(r["code"], r["fund"]): r for r in everyone["budgetFigures"]["lines"]}
    for r in lines:
        assert Decimal(total[(r["code"], r["fund"])]["budgeted"]["amount"]) >= Decimal(
            r["budgeted"]["amount"]
        )
    assert await _budget_lines(finance, BCLERK, YEAR + 1) == []

    reps = [{"__typename": "Alliance", "id": str(BAID)}]
    stranger = claims_for("other", alliances={"aii": ["secretariat"]})
    refused = await finance.execute(BUDGET_FIGURES, {"r": reps, "y": YEAR}, claims=stranger)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await finance.execute(BUDGET_FIGURES, {"r": reps, "y": 1899}, claims=BCLERK)
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    member = claims_for("nobody")
    none = await finance.execute(PLATFORM_BUDGET, {"y": YEAR}, claims=member)
    assert none["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_budget_figures_of_fifty_alliances_cost_the_statements_of_one(
    finance_db: ServiceDatabase, nats_url: str
) -> None:
    settings = Settings(
        database_url=finance_db.app_url,
        nats_url=nats_url,
        signing_secret=TEST_SECRET,
        run_workers=False,
    )
    ids = [str(BAID)] + [str(alliance_id(f"fbud-{n}")) for n in range(49)]
    counts = []
    async with running(lambda: create_app(settings)) as client:
        for take in (ids[:1], ids):
            reps = [{"__typename": "Alliance", "id": i} for i in take]
            with statements_of(client.app) as statements:
                data = await client.data(BUDGET_FIGURES, {"r": reps, "y": YEAR}, claims=OPERATOR)
            assert len(data["_entities"]) == len(take)
            counts.append(len(statements))
    assert counts[0] == counts[1], counts

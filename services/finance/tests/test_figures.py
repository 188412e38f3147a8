"""Finance's dashboard figures, checked against the invoices and payments the test made: fees
invoiced and paid per period and currency, the invoices overdue now; one alliance's figures
cost the statements of fifty."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

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

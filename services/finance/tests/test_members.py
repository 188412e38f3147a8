"""Finance invoices the members as membership's events describe them. A membership's events can
be handled out of order (a retried event, two replicas of the consumer): the member's tier and
status follow the newest revision, whichever event arrives last."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from contracts.membership import MemberAdmitted, MemberEvent, MembershipStatus, MemberWithdrawn
from devkit.local.provision import ServiceDatabase
from devkit.testing.events import event, eventually, handled, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.tenancy import alliance_id
from services.finance.tests.support import found

SLUG = "ca-roster"
AID = alliance_id(SLUG)
YEAR = date.today().year
CLERK = claims_for("ca-roster-clerk", alliances={SLUG: ["secretariat"]})


def member(model: type[MemberEvent], membership: uuid.UUID, **fields: Any) -> Any:
    return event(
        model.TYPE,
        model(
            membership_id=membership,
            alliance_id=AID,
            alliance_slug=SLUG,
            alliance_name_zh=SLUG,
            alliance_name_en=SLUG,
            organization_id=uuid.uuid5(AID, str(membership)),
            organization_name_zh=f"成员{str(membership)[:4]}",
            tier="director",
            **fields,
        ).to_data(),
        alliance_id=AID,
        subject=str(membership),
    )


async def test_a_withdrawal_heard_before_its_admission_is_not_invoiced_the_next_year(
    finance: SubgraphClient, finance_db: ServiceDatabase, nats_url: str
) -> None:
    await found(nats_url, SLUG, "china-asean")
    for year in (YEAR, YEAR + 1):
        fee = (
            f'mutation {{ setMembershipFee(alliance: "{SLUG}", fiscalYear: {year}, '
            'tier: "director", amount: "20000", decidedBy: "理事会决议") { tier } }'
        )

        async def set_fee(fee: str = fee) -> bool:
            return not (await finance.execute(fee, claims=CLERK)).get("errors")

        await eventually(set_fee, within=10)
    staying, leaving = uuid.uuid4(), uuid.uuid4()
    withdrawn = member(MemberWithdrawn, leaving, status=MembershipStatus.WITHDRAWN, revision=2)
    await publish(nats_url, withdrawn)
    await eventually(lambda: handled(finance_db.migration_dsn, "finance-members", withdrawn))
    admitted = [
        member(MemberAdmitted, m, status=MembershipStatus.ACTIVE, revision=1)
        for m in (staying, leaving)
    ]
    await publish(nats_url, *admitted)
    await eventually(lambda: handled(finance_db.migration_dsn, "finance-members", *admitted))

    issued = await finance.data(
        "mutation($a: String!, $y: Int!, $d: Date!) { issueAnnualInvoices(alliance: $a, "
        "fiscalYear: $y, issuedOn: $d) { membershipId fiscalYear } }",
        {"a": SLUG, "y": YEAR + 1, "d": date.today().isoformat()},
        claims=CLERK,
    )
    # Both were members in the year they were admitted; only the one that stayed is billed on.
    assert issued["issueAnnualInvoices"] == [{"membershipId": str(staying), "fiscalYear": YEAR + 1}]

"""Finance runs by the charter in force: who keeps the books is its ``finance.managers``
(China-ASEAN Art.27: the secretariat; an officer reads the books and votes on them but does not
post), an amendment that names another role takes effect when membership records it, a late
older version changes nothing, and a charter without an audit article (AII) refuses an
accounting firm, typed, with nothing written. The charter events are published by the test,
standing in for membership."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from contracts.membership import CharterAdopted, CharterAmended, CharterChange
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for, statements_of
from servicekit.tenancy import alliance_id
from services.finance.tests.support import found

CA, AII = "ca-rules", "aii-rules"
YEAR = date.today().year
CLERK = {s: claims_for(f"{s}-clerk", alliances={s: ["secretariat"]}) for s in (CA, AII)}
CHAIR = {s: claims_for(f"{s}-chair", alliances={s: ["chair"]}) for s in (CA, AII)}

INCOME = "mutation($i: IncomeInput!) { recordIncome(input: $i) { id } }"
FUNDS = "query($a: String!) { books(alliance: $a) { funds { code balance { amount } } } }"
AUDITOR = """mutation($a: String!, $y: Int!) { proposeAuditor(alliance: $a, fiscalYear: $y,
  firmName: "某会计师事务所") { id status } }"""
AUDITORS = (
    "query($a: String!, $y: Int!) { books(alliance: $a) { auditors(fiscalYear: $y) { id } } }"
)


def code(result: dict[str, Any]) -> str:
    return str(result["errors"][0]["extensions"]["code"])


def income(slug: str, amount: str) -> dict[str, Any]:
    return {
        "i": {
            "alliance": slug,
            "source": "MEMBERSHIP_FEES",
            "amount": amount,
            "date": f"{YEAR}-02-01",
            "payer": "某会员单位",
            "memo": "会费",
        }
    }


@pytest.fixture(scope="module")
async def books(finance: SubgraphClient, nats_url: str) -> dict[str, dict[str, Any]]:
    documents = {
        CA: await found(nats_url, CA, "china-asean"),
        AII: await found(nats_url, AII, "aii"),
    }

    async def ready() -> bool:
        # the chair's refusal names the charter's article once the charter has arrived
        for slug, article in ((CA, "China-ASEAN Art.27"), (AII, "platform default")):
            if (await finance.execute(FUNDS, {"a": slug}, claims=CLERK[slug])).get("errors"):
                return False
            refused = await finance.execute(INCOME, income(slug, "1"), claims=CHAIR[slug])
            if article not in refused["errors"][0]["message"]:
                return False
        return True

    await eventually(ready, within=10)
    return documents


async def test_the_secretariat_keeps_the_books_and_an_officer_reads_them_china_asean_art_27(
    finance: SubgraphClient, books: dict[str, dict[str, Any]]
) -> None:
    await finance.data(INCOME, income(CA, "100"), claims=CLERK[CA])
    refused = await finance.execute(INCOME, income(CA, "50"), claims=CHAIR[CA])
    assert code(refused) == "FORBIDDEN"
    assert "secretariat" in refused["errors"][0]["message"]
    read = await finance.data(FUNDS, {"a": CA}, claims=CHAIR[CA])
    (general,) = [f for f in read["books"]["funds"] if f["code"] == "general"]
    assert general["balance"]["amount"] == "100.00"  # the chair's 50 was not posted


async def test_an_amendment_naming_the_chair_a_keeper_lets_it_post_and_a_late_version_1_is_ignored(
    finance: SubgraphClient, nats_url: str, books: dict[str, dict[str, Any]]
) -> None:
    aid = alliance_id(AII)
    amended_doc = copy.deepcopy(books[AII])
    amended_doc["finance"]["managers"] = ["secretariat", "chair", "director"]
    amended_doc["version"] = 2
    amended = CharterAmended(
        alliance_id=aid,
        slug=AII,
        version=2,
        previous_version=1,
        note="理事长兼管经费",
        changes=[
            CharterChange(
                path="finance.managers",
                old=["secretariat"],
                new=["secretariat", "chair", "director"],
            )
        ],
        charter=amended_doc,
    )
    await publish(nats_url, event(CharterAmended.TYPE, amended.to_data(), alliance_id=aid))

    async def chair_posts() -> bool:
        return not (await finance.execute(INCOME, income(AII, "7"), claims=CHAIR[AII])).get(
            "errors"
        )

    await eventually(chair_posts, within=10)
    late = CharterAdopted(alliance_id=aid, slug=AII, version=1, charter=books[AII])
    await publish(nats_url, event(CharterAdopted.TYPE, late.to_data(), alliance_id=aid))
    # a marker after the late event on the same consumer: once it is applied, so is the late one
    marker = "marker-rules"
    await found(nats_url, marker, "aii")
    marker_chair = claims_for("m-chair", alliances={marker: ["chair"]})

    async def marker_applied() -> bool:
        refused = await finance.execute(INCOME, income(marker, "1"), claims=marker_chair)
        return "platform default" in refused["errors"][0]["message"]

    await eventually(marker_applied, within=10)
    await finance.data(INCOME, income(AII, "8"), claims=CHAIR[AII])
    # any role the charter names keeps them, not only the staff's and officers'
    director = claims_for("aii-rules-director", alliances={AII: ["director"]})
    await finance.data(INCOME, income(AII, "9"), claims=director)
    contact = claims_for("aii-rules-contact", alliances={AII: ["contact_person"]})
    refused = await finance.execute(INCOME, income(AII, "10"), claims=contact)
    assert code(refused) == "FORBIDDEN"


async def test_a_charter_without_an_audit_article_refuses_an_accounting_firm_and_writes_nothing(
    finance: SubgraphClient, books: dict[str, dict[str, Any]]
) -> None:
    """AII's charter has no finance chapter and its configuration sets no audit (only
    China-ASEAN Art.27 provides one): a firm proposed there could never be confirmed."""
    refused = await finance.execute(AUDITOR, {"a": AII, "y": YEAR}, claims=CLERK[AII])
    assert code(refused) == "NO_AUDIT_IN_CHARTER"
    listed = await finance.data(AUDITORS, {"a": AII, "y": YEAR}, claims=CLERK[AII])
    assert listed["books"]["auditors"] == []
    proposed = await finance.data(AUDITOR, {"a": CA, "y": YEAR}, claims=CLERK[CA])
    assert proposed["proposeAuditor"]["status"] == "submitted"


async def test_a_write_reads_the_charter_in_force_once_whether_it_is_kept_or_refused(
    finance: SubgraphClient, books: dict[str, dict[str, Any]]
) -> None:
    """Who keeps the books (China-ASEAN Art.27) is one read of the charter's rules, also when
    the refusal names the article."""
    for claims, refused in ((CLERK[CA], False), (CHAIR[CA], True)):
        with statements_of(finance.app) as statements:
            result = await finance.execute(INCOME, income(CA, "1"), claims=claims)
        assert bool(result.get("errors")) is refused
        if refused:
            assert "China-ASEAN Art.27" in result["errors"][0]["message"]
        assert sum("charter_rules" in s for s in statements) == 1

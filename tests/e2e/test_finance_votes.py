"""China–ASEAN Art.27 end to end, through the gateway: the secretariat drafts the annual budget,
the council approves it by its own vote (governance), and only then is it approved in finance;
a budget the council rejects stays unapproved. Three services, real events between them. And
AII, whose charter has no finance chapter: its defaults send the budget to the council."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from devkit.local.platform import Platform
from tests.e2e.alliances import YEAR, ChinaAsean
from tests.e2e.client import CREATE, operator, staff, until

pytestmark = pytest.mark.e2e
BUDGET = "query($id: ID!) { budget(id: $id) { id status approvedAt } }"


def test_the_annual_budget_is_approved_by_the_councils_vote_and_only_then(
    platform: Platform,
) -> None:
    ca = ChinaAsean(platform, directors=3)
    passed_budget = ca.budget()
    assert ca.clerk.data(BUDGET, {"id": passed_budget})["budget"]["status"] == "SUBMITTED"
    motion = ca.pending_motion(set())
    result = ca.council_vote(motion, yes=3)
    # (China-ASEAN Art.27 names the council but no majority: the rule is the marked default)
    assert result["passed"] and result["rule"]
    assert (result["present"], result["entitled"], result["yes"]) == (3, 3, 3)

    def approved() -> dict[str, Any] | None:
        found: dict[str, Any] = ca.clerk.data(BUDGET, {"id": passed_budget})["budget"]
        return found if found["status"] == "APPROVED" else None

    assert until(approved, within=90)["approvedAt"]

    # The next year's budget, rejected by the council: it is not approved.
    other = ca.budget(YEAR + 1)
    rejected_motion = ca.pending_motion({motion})
    assert not ca.council_vote(rejected_motion, yes=0)["passed"]

    def decided() -> str | None:
        status: str = ca.clerk.data(BUDGET, {"id": other})["budget"]["status"]
        return status if status != "SUBMITTED" else None

    assert until(decided, within=90) == "REJECTED"


def test_an_aii_budget_goes_to_the_councils_vote_though_the_charter_has_no_finance_chapter(
    platform: Platform,
) -> None:
    """AII: the charter file's defaults name the council as the budget's approver; governance
    makes the budget a motion of the council, decided by its ordinary rule (AII Art.23)."""
    slug = f"aii{uuid.uuid4().hex[:8]}"
    operator(platform).data(
        CREATE, {"i": {"slug": slug, "nameZh": "工业互联网测试联盟", "template": "aii"}}
    )
    clerk = staff(platform, slug)

    def created() -> str | None:
        body = clerk.execute(
            "mutation($a: String!, $y: Int!) { createBudget(alliance: $a, fiscalYear: $y) { id } }",
            {"a": slug, "y": YEAR},
        )
        return None if body.get("errors") else str(body["data"]["createBudget"]["id"])

    budget = until(created)
    clerk.data(
        'mutation($b: ID!) { setBudgetLine(budgetId: $b, account: "510101", amount: "50000") '
        "{ id } }",
        {"b": budget},
    )
    clerk.data("mutation($b: ID!) { submitBudget(budgetId: $b) { status } }", {"b": budget})

    def motion() -> dict[str, Any] | None:
        edges = clerk.data(
            "query($s: String!) { alliance(slug: $s) { motions(first: 5, "
            "matter: BUDGET_APPROVAL) { edges { node { status matterId "
            "stages { body ruleSource } } } } } }",
            {"s": slug},
        )["alliance"]["motions"]["edges"]
        return edges[0]["node"] if edges else None

    found = until(motion)
    assert found["status"] == "PENDING" and found["matterId"]
    assert [(s["body"], s["ruleSource"]) for s in found["stages"]] == [("COUNCIL", "AII Art.23")]

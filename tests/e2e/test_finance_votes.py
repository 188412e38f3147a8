"""China–ASEAN Art.27 end to end, through the gateway: the secretariat drafts the annual budget,
the council approves it by its own vote (governance), and only then is it approved in finance;
a budget the council rejects stays unapproved. Three services, real events between them."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.local.platform import Platform
from tests.e2e.alliances import YEAR, ChinaAsean
from tests.e2e.client import (
    until,
)

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

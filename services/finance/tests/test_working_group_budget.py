"""AITISA Art.12(1): a working group prepares its budget in advance and submits it, the
secretariat makes the preliminary review, the chair's office meeting approves it (here its
``governance.motion.decided`` is published by the test, standing in for governance); its
execution is read per working group."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from charter.ids import BodyId, MatterKind, Outcome
from contracts.governance import MotionDecided, VoteCounts
from contracts.membership import AllianceCreated
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.tenancy import alliance_id

SLUG = "aitisa-books"
AID = alliance_id(SLUG)
YEAR = date.today().year
GROUP = str(uuid.uuid4())
LEADER = claims_for("wg-leader", alliances={SLUG: ["group_leader"]})
CLERK = claims_for("aitisa-clerk", alliances={SLUG: ["secretariat"]})

CREATE = """mutation($y: Int!, $g: ID!) { createBudget(alliance: "aitisa-books", fiscalYear: $y,
  workingGroupId: $g, workingGroupName: "智能制造推进组") { id status } }"""
LINE = """mutation($b: ID!) { setBudgetLine(budgetId: $b, account: "510101", amount: "30000")
  { id } }"""
SUBMIT = "mutation($b: ID!) { submitBudget(budgetId: $b) { status matters { id } } }"
REVIEW = """mutation($b: ID!, $f: Boolean!, $r: String) {
  reviewWorkingGroupBudget(budgetId: $b, forward: $f, reason: $r) {
    status matters { id status } } }"""
STATUS = "query($b: ID!) { budget(id: $b) { status workingGroupId matters { status body } } }"
EXPENSE = "mutation($i: ExpenseInput!) { recordExpense(input: $i) { id } }"
EXECUTION = """query($y: Int!, $g: ID!) { books(alliance: "aitisa-books") {
  budgetExecution(fiscalYear: $y, workingGroupId: $g) { lines { workingGroupName code
    budgeted { amount } actual { amount } } } } }"""


def code(result: dict[str, Any]) -> str:
    return str(result["errors"][0]["extensions"]["code"])


@pytest.fixture(scope="module")
async def opened(finance: SubgraphClient, nats_url: str) -> SubgraphClient:
    created = AllianceCreated(
        alliance_id=AID, slug=SLUG, name_zh="新一代人工智能", name_en="AITISA"
    )
    await publish(nats_url, event(AllianceCreated.TYPE, created.to_data(), alliance_id=AID))

    async def ready() -> bool:
        result = await finance.execute(
            'query { books(alliance: "aitisa-books") { funds { code } } }', claims=CLERK
        )
        return not result.get("errors")

    await eventually(ready, within=10)
    return finance


async def test_a_groups_budget_is_reviewed_by_the_secretariat_then_approved_by_the_chairs_office(
    opened: SubgraphClient, nats_url: str
) -> None:
    budget = (await opened.data(CREATE, {"y": YEAR, "g": GROUP}, claims=LEADER))["createBudget"]
    assert budget["status"] == "DRAFT"
    await opened.data(LINE, {"b": budget["id"]}, claims=LEADER)
    submitted = await opened.data(SUBMIT, {"b": budget["id"]}, claims=LEADER)
    # submitted to the secretariat: nothing goes to a vote before the preliminary review
    assert submitted["submitBudget"] == {"status": "SUBMITTED", "matters": []}
    not_leader = await opened.execute(
        REVIEW, {"b": budget["id"], "f": True, "r": None}, claims=LEADER
    )
    assert code(not_leader) == "FORBIDDEN"
    no_reason = await opened.execute(REVIEW, {"b": budget["id"], "f": False, "r": ""}, claims=CLERK)
    assert code(no_reason) == "BAD_USER_INPUT"
    returned = await opened.data(
        REVIEW, {"b": budget["id"], "f": False, "r": "活动经费测算依据不足"}, claims=CLERK
    )
    assert returned["reviewWorkingGroupBudget"]["status"] == "DRAFT"
    await opened.data(SUBMIT, {"b": budget["id"]}, claims=LEADER)
    reviewed = await opened.data(REVIEW, {"b": budget["id"], "f": True, "r": None}, claims=CLERK)
    assert reviewed["reviewWorkingGroupBudget"]["status"] == "REVIEWED"
    (matter,) = reviewed["reviewWorkingGroupBudget"]["matters"]

    decided = MotionDecided(
        motion_id=uuid.uuid4(),
        alliance_id=AID,
        matter=MatterKind.BUDGET_APPROVAL,
        matter_id=uuid.UUID(matter["id"]),
        title="推进组预算",
        body=BodyId.CHAIRS_OFFICE,
        outcome=Outcome.PASSED,
        passed=True,
        decided_on=date.today(),
        counts=VoteCounts(entitled=3, present=3, yes=3, no=0, abstain=0),
        rule="AITISA Art.12(1)",
        explanation_zh="",
        explanation_en="",
    )
    await publish(nats_url, event(MotionDecided.TYPE, decided.to_data(), alliance_id=AID))

    async def approved() -> dict[str, Any] | None:
        data = await opened.data(STATUS, {"b": budget["id"]}, claims=CLERK)
        return data["budget"] if data["budget"]["status"] == "APPROVED" else None

    final = await eventually(approved, within=10)
    assert final["matters"] == [{"status": "passed", "body": "chairs_office"}]

    spend = {
        "alliance": SLUG,
        "use": "ACTIVITIES",
        "date": f"{YEAR}-05-01",
        "payee": "会务公司",
        "memo": "推进组研讨会",
    }
    await opened.data(
        EXPENSE, {"i": {**spend, "amount": "1200", "workingGroupId": GROUP}}, claims=CLERK
    )
    await opened.data(EXPENSE, {"i": {**spend, "amount": "999"}}, claims=CLERK)  # not the group's
    data = await opened.data(EXECUTION, {"y": YEAR, "g": GROUP}, claims=CLERK)
    (line,) = data["books"]["budgetExecution"]["lines"]
    assert line == {
        "workingGroupName": "智能制造推进组",
        "code": "510101",
        "budgeted": {"amount": "30000.00"},
        "actual": {"amount": "1200.00"},
    }

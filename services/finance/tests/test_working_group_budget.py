"""AITISA Art.12(1): a working group prepares its budget in advance and submits it, the
secretariat makes the preliminary review, the chair's office meeting approves it (here its
``governance.motion.decided`` is published by the test, standing in for governance); its
execution is read per working group. The group and who leads it are governance's record
(``governance.working_group.decided`` / ``.post_filled``, published here too): a token's
``group_leader`` role alone prepares no group's budget."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from charter.ids import BodyId, MatterKind, Outcome
from contracts.governance import (
    MotionDecided,
    VoteCounts,
    WorkingGroupDecided,
    WorkingGroupDissolved,
    WorkingGroupPostFilled,
)
from contracts.membership import AllianceCreated
from devkit.testing.events import event, eventually, publish
from devkit.testing.subgraph import SubgraphClient, claims_for
from servicekit.tenancy import alliance_id

SLUG = "aitisa-books"
AID = alliance_id(SLUG)
YEAR = date.today().year
GROUP = str(uuid.uuid4())
LEADER = claims_for("wg-leader", alliances={SLUG: ["contact_person"]})
CLERK = claims_for("aitisa-clerk", alliances={SLUG: ["secretariat"]})
NAME = "智能制造推进组"

CREATE = """mutation($y: Int!, $g: ID!) { createBudget(alliance: "aitisa-books", fiscalYear: $y,
  workingGroupId: $g, workingGroupName: "别的名字") { id status workingGroupName } }"""
LINE = """mutation($b: ID!) { setBudgetLine(budgetId: $b, account: "510101", amount: "30000")
  { id } }"""
SUBMIT = "mutation($b: ID!) { submitBudget(budgetId: $b) { status matters { id } } }"
REVIEW = """mutation($b: ID!, $f: Boolean!, $r: String) {
  reviewWorkingGroupBudget(budgetId: $b, forward: $f, reason: $r) {
    status returnedReasons matters { id status } } }"""
STATUS = "query($b: ID!) { budget(id: $b) { status workingGroupId matters { status body } } }"
EXPENSE = "mutation($i: ExpenseInput!) { recordExpense(input: $i) { id } }"
EXECUTION = """query($y: Int!, $g: ID!) { books(alliance: "aitisa-books") {
  budgetExecution(fiscalYear: $y, workingGroupId: $g) { lines { workingGroupName code
    budgeted { amount } actual { amount } } } } }"""


def code(result: dict[str, Any]) -> str:
    return str(result["errors"][0]["extensions"]["code"])


def _group(group: str, name: str = NAME) -> dict[str, Any]:
    return {
        "alliance_id": AID,
        "group_id": uuid.UUID(group),
        "group_name_zh": name,
        "group_name_en": "Intelligent manufacturing",
        "rule": "AITISA Art.4(3)",
    }


async def approve_group(nats_url: str, group: str, leader: str | None = "wg-leader") -> None:
    """Governance's events: the chair's office approved the group; its leader post filled."""
    decided = WorkingGroupDecided(
        **_group(group), approved=True, motion_id=uuid.uuid4(), decided_on=date.today()
    )
    await publish(nats_url, event(WorkingGroupDecided.TYPE, decided.to_data(), alliance_id=AID))
    if leader is not None:
        filled = WorkingGroupPostFilled(
            **_group(group),
            seat_id=uuid.uuid4(),
            organization_id=uuid.uuid4(),
            user_id=leader,
            name="组长",
            post="group_leader",
        )
        await publish(
            nats_url, event(WorkingGroupPostFilled.TYPE, filled.to_data(), alliance_id=AID)
        )


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
    await approve_group(nats_url, GROUP)

    async def group_known() -> bool:
        result = await finance.execute(CREATE, {"y": YEAR + 5, "g": GROUP}, claims=LEADER)
        return not result.get("errors")

    await eventually(group_known, within=10)  # (a budget of a later year; this test's is free)
    return finance


async def test_a_groups_budget_is_reviewed_by_the_secretariat_then_approved_by_the_chairs_office(
    opened: SubgraphClient, nats_url: str
) -> None:
    budget = (await opened.data(CREATE, {"y": YEAR, "g": GROUP}, claims=LEADER))["createBudget"]
    assert budget["status"] == "DRAFT"
    assert budget["workingGroupName"] == NAME  # the group's name, not what the caller wrote
    await opened.data(LINE, {"b": budget["id"]}, claims=LEADER)
    submitted = await opened.data(SUBMIT, {"b": budget["id"]}, claims=LEADER)
    # submitted to the secretariat: nothing goes to a vote before the preliminary review
    assert submitted["submitBudget"] == {"status": "SUBMITTED", "matters": []}
    not_leader = await opened.execute(
        REVIEW, {"b": budget["id"], "f": True, "r": None}, claims=LEADER
    )
    assert code(not_leader) == "FORBIDDEN"
    chair = claims_for("aitisa-chair", alliances={SLUG: ["chair"]})
    not_secretariat = await opened.execute(
        REVIEW, {"b": budget["id"], "f": True, "r": None}, claims=chair
    )
    assert code(not_secretariat) == "FORBIDDEN"  # the chair's office approves; it does not review
    no_reason = await opened.execute(REVIEW, {"b": budget["id"], "f": False, "r": ""}, claims=CLERK)
    assert code(no_reason) == "BAD_USER_INPUT"
    returned = await opened.data(
        REVIEW, {"b": budget["id"], "f": False, "r": "活动经费测算依据不足"}, claims=CLERK
    )
    assert returned["reviewWorkingGroupBudget"]["status"] == "DRAFT"
    assert returned["reviewWorkingGroupBudget"]["returnedReasons"] == "活动经费测算依据不足"
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


async def test_only_the_leader_of_an_approved_group_prepares_its_budget(
    opened: SubgraphClient, nats_url: str
) -> None:
    """AITISA Art.12(1) with Art.7(3): the group prepares its budget through its leader or a
    co-leader, by governance's record of the posts; a group the chair's office has not approved
    (Art.4(3)), or has dissolved (Art.6), has no budget."""
    claimed = claims_for("someone", alliances={SLUG: ["group_leader"]})
    assert code(await opened.execute(CREATE, {"y": YEAR, "g": GROUP}, claims=claimed)) == (
        "FORBIDDEN"
    )
    unknown = str(uuid.uuid4())
    assert code(await opened.execute(CREATE, {"y": YEAR, "g": unknown}, claims=CLERK)) == (
        "NOT_FOUND"
    )
    assert code(await opened.execute(CREATE, {"y": YEAR, "g": unknown}, claims=LEADER)) == (
        "FORBIDDEN"  # the leader of another group
    )

    other = str(uuid.uuid4())
    await approve_group(nats_url, other, leader="other-leader")
    leader = claims_for("other-leader", alliances={SLUG: ["contact_person"]})

    async def known() -> dict[str, Any] | None:
        result = await opened.execute(CREATE, {"y": YEAR, "g": other}, claims=leader)
        return None if result.get("errors") else result["data"]["createBudget"]

    assert (await eventually(known, within=10))["status"] == "DRAFT"
    dissolved = WorkingGroupDissolved(
        **_group(other),
        route="members",
        motion_id=uuid.uuid4(),
        dissolved_on=date.today(),
    )
    await publish(nats_url, event(WorkingGroupDissolved.TYPE, dissolved.to_data(), alliance_id=AID))

    # A group approved after the dissolution, on the same consumer: once finance knows it, it
    # has applied the dissolution too.
    later = str(uuid.uuid4())
    await approve_group(nats_url, later, leader=None)

    async def applied() -> bool:
        result = await opened.execute(CREATE, {"y": YEAR, "g": later}, claims=CLERK)
        return not result.get("errors")

    await eventually(applied, within=10)
    result = await opened.execute(CREATE, {"y": YEAR + 1, "g": other}, claims=CLERK)
    assert code(result) == "WORKING_GROUP_DISSOLVED"
    assert code(await opened.execute(CREATE, {"y": YEAR + 2, "g": other}, claims=leader)) == (
        "FORBIDDEN"  # its posts ended with it
    )


async def test_a_groups_leader_reads_its_groups_budget_and_no_other_groups(
    opened: SubgraphClient, nats_url: str
) -> None:
    """AITISA Art.12(1): the group prepares its budget. Its leader, a member's contact person
    with no role in the alliance's books, reads that budget with its lines and its votes (the
    row-level policies admit the holder of the group's post); another group's budget it does
    not see, nor the books themselves, nor does a contact person who leads no group."""
    read = """query($b: ID!) { budget(id: $b) { status workingGroupId
      lines { account amount { amount } } matters { status } } }"""
    budget = (await opened.data(CREATE, {"y": YEAR + 3, "g": GROUP}, claims=LEADER))["createBudget"]
    await opened.data(LINE, {"b": budget["id"]}, claims=LEADER)
    mine = (await opened.data(read, {"b": budget["id"]}, claims=LEADER))["budget"]
    assert mine == {
        "status": "DRAFT",
        "workingGroupId": GROUP,
        "lines": [{"account": "510101", "amount": {"amount": "30000.00"}}],
        "matters": [],
    }
    await opened.data(SUBMIT, {"b": budget["id"]}, claims=LEADER)
    await opened.data(REVIEW, {"b": budget["id"], "f": True, "r": None}, claims=CLERK)
    forwarded = (await opened.data(read, {"b": budget["id"]}, claims=LEADER))["budget"]
    assert forwarded["status"] == "REVIEWED"
    assert forwarded["matters"] == [{"status": "pending"}]

    other = str(uuid.uuid4())
    await approve_group(nats_url, other, leader="third-leader")

    async def other_budget() -> str | None:
        result = await opened.execute(CREATE, {"y": YEAR, "g": other}, claims=CLERK)
        return None if result.get("errors") else str(result["data"]["createBudget"]["id"])

    theirs = await eventually(other_budget, within=10)
    await opened.data(LINE, {"b": theirs}, claims=CLERK)
    assert (await opened.data(read, {"b": theirs}, claims=LEADER))["budget"] is None
    nobody = claims_for("plain-contact", alliances={SLUG: ["contact_person"]})
    assert (await opened.data(read, {"b": budget["id"]}, claims=nobody))["budget"] is None
    books = 'query { books(alliance: "aitisa-books") { funds { code } } }'
    assert code(await opened.execute(books, claims=LEADER)) == "FORBIDDEN"

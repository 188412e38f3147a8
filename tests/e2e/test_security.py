"""Issue 13 through the real gateway and the real service processes: input that cannot be
stored and cursors that were never given out get typed errors from every service, before the
database; nothing is left behind."""

from __future__ import annotations

import base64
import json
import uuid

import httpx
import pytest

from devkit.local.platform import Platform
from tests.e2e.client import SUBMIT, Caller, application, ensure_alliances, staff


@pytest.fixture(scope="module")
def aii(platform: Platform) -> None:
    ensure_alliances(platform, ("aii",), name_en=str.upper)


def execute(caller: Caller, query: str, variables: object) -> dict[str, object]:
    """Posted as ASCII JSON, so that a lone surrogate travels as the escape a client sends."""
    response = httpx.post(
        caller.url,
        content=json.dumps({"query": query, "variables": variables or {}}),
        headers={"authorization": f"Bearer {caller.token}", "content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def codes(body: dict[str, object]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors") or []}  # type: ignore[index, union-attr]


@pytest.mark.parametrize(
    "bad", ["华为\x00技术", "\ud800", "ok\x00"], ids=["nul", "surrogate", "nul-end"]
)
def test_text_that_cannot_be_stored_is_refused_in_any_argument_of_any_service(
    platform: Platform, aii: None, bad: str
) -> None:
    contact = Caller(platform, f"nul-{uuid.uuid4().hex[:6]}")
    clerk = staff(platform, "aii")
    variables = application("aii", "某某公司")
    variables["i"]["organization"]["nameZh"] = bad
    cases = [
        # membership: a nested input field, by variable
        (contact, SUBMIT, variables),
        # membership: a literal in the query, and a filter argument
        (
            clerk,
            '{ alliance(slug: "aii") { members(name: "'
            + bad.replace("\x00", "\\u0000").replace("\ud800", "\\ud800")
            + '") { totalCount } } }',
            None,
        ),
        (
            clerk,
            'query($n: String) { alliance(slug: "aii") { members(name: $n) { totalCount } } }',
            {"n": bad},
        ),
        # finance and governance and notifications, through their own arguments
        (clerk, "query($s: String!) { alliance(slug: $s) { budgets { fiscalYear } } }", {"s": bad}),
        (contact, "query($a: String) { myNotifications(after: $a) { totalCount } }", {"a": bad}),
    ]
    for caller, query, vars_ in cases:
        body = execute(caller, query, vars_)
        assert "INTERNAL_SERVER_ERROR" not in codes(body), (query, body)
        # (a lone surrogate in a query literal is already a syntax error of GraphQL)
        assert codes(body) & {"BAD_USER_INPUT", "BAD_CURSOR", "GRAPHQL_PARSE_FAILED"}, (query, body)
    # Nothing was filed.
    mine = contact.data("{ myApplications { id } }")["myApplications"]
    assert mine == []


def cursor(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


MEMBERS = 'query($a: String) { alliance(slug: "aii") { members(after: $a) { totalCount } } }'
APPLICATIONS = (
    'query($a: String) { alliance(slug: "aii") { applications(after: $a) { totalCount } } }'
)
NOTICES = "query($a: String) { myNotifications(after: $a) { totalCount } }"
EVERY_LIST = (MEMBERS, APPLICATIONS, NOTICES)
TIME_KEYED = (APPLICATIONS, NOTICES)  # a member list's first key is a name: any text


@pytest.mark.parametrize(
    ("after", "lists"),
    [
        (cursor(["某", "not-a-uuid"]), EVERY_LIST),
        (cursor(["2026-01-01T00:00:00+00:00", "also-not-a-uuid"]), EVERY_LIST),
        (cursor(["not a time", str(uuid.uuid4())]), TIME_KEYED),
        (cursor(["2026-01-01T00:00:00", str(uuid.uuid4())]), TIME_KEYED),
        (cursor([1, 2]), EVERY_LIST),
        (cursor([None, None]), EVERY_LIST),
        (cursor({"a": 1}), EVERY_LIST),
        (cursor(["a\x00", str(uuid.uuid4())]), EVERY_LIST),
        (cursor(["a"]), EVERY_LIST),
        ("%%%not-base64%%%", EVERY_LIST),
        (base64.urlsafe_b64encode(b"\xff\xfe").decode(), EVERY_LIST),
    ],
)
def test_a_cursor_this_api_never_gave_out_is_refused_with_bad_cursor(
    platform: Platform, aii: None, after: str, lists: tuple[str, ...]
) -> None:
    clerk = staff(platform, "aii")
    for query in lists:
        body = clerk.execute(query, {"a": after})
        assert codes(body) == {"BAD_CURSOR"}, (query, after, body)

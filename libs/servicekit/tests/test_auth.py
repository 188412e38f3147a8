"""The claim model and the subgraph side of the gateway signature (servicekit.auth)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from servicekit.auth import Principal, sign_request
from servicekit.auth.claims import Claims, InvalidClaims
from servicekit.auth.middleware import GatewaySignatureMiddleware
from servicekit.tenancy import alliance_id

SECRET = "a-signing-secret-for-these-tests"


def claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "u-1", "exp": int(time.time()) + 600, **extra}


MISTYPED = [
    {"operator": "false"},
    {"operator": "0"},
    {"operator": 1},
    {"alliances": {"aii": "secretariat"}},
    {"alliances": {"aii": ["overlord"]}},
    {"alliances": {"aii": [5]}},
    {"alliances": {"aii": [None]}},
    {"alliances": {"aii": [True]}},
    {"alliances": {"aii": None}},
    {"alliances": {"Not A Slug": ["chair"]}},
    {"sub": ""},
    {"sub": "a\x00b"},
    {"exp": "9999999999"},
    {"exp": True},
    {"groups": ["admin"]},
]


@pytest.mark.parametrize("bad", MISTYPED, ids=[json.dumps(b) for b in MISTYPED])
def test_a_mistyped_or_unknown_claim_refuses_the_token(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidClaims):
        Principal.from_claims(claims(**bad))


def test_an_identity_providers_access_token_claims_are_known_and_grant_nothing() -> None:
    """RFC 9068 / OpenID Connect: what a real provider puts in its access tokens."""
    issued = claims(
        client_id="concord-dashboard",
        scope="openid profile concord",
        auth_time=1_765_000_000,
        acr="1",
        amr=["pwd", "otp"],
        azp="concord-dashboard",
        sid="0f1e2d3c",
    )
    person = Principal.from_claims(issued)
    assert not person.operator and person.alliance_ids == frozenset()
    for bad in ({"scope": ["openid"]}, {"amr": "pwd"}, {"auth_time": "1765000000"},
                {"client_id": ""}, {"scope": "openid\x00"}):  # fmt: skip
        with pytest.raises(InvalidClaims):
            Principal.from_claims(claims(**bad))


def test_a_token_that_says_nothing_grants_nothing() -> None:
    nobody = Principal.from_claims(claims())
    assert not nobody.operator
    assert nobody.alliance_ids == frozenset()
    assert not nobody.is_staff("aii")
    scope = nobody.scope()
    assert not scope.all_alliances and scope.alliance_ids == frozenset()


def test_only_the_json_value_true_makes_an_operator() -> None:
    assert Principal.from_claims(claims(operator=True)).operator
    assert not Principal.from_claims(claims(operator=False)).operator


def test_roles_are_read_as_a_list_of_glossary_roles() -> None:
    person = Principal.from_claims(
        claims(alliances={"aii": ["secretariat", "chair"], "aitisa": ["contact_person"]})
    )
    assert person.roles_in("aii") == {"secretariat", "chair"}
    assert person.is_staff("aii") and not person.is_staff("aitisa")
    # A contact person's role reaches only its own organisation's records.
    assert person.alliance_ids == {alliance_id("aii")}


def test_claims_model_accepts_registered_claims() -> None:
    parsed = Claims.parse(claims(iss="idp", aud=["concord", "x"], iat=1, nbf=1, jti="t-1"))
    assert parsed.aud == ["concord", "x"]


# --- the middleware of every subgraph --------------------------------------------------------


def subgraph(service: str = "membership") -> httpx.AsyncClient:
    app = FastAPI()

    @app.post("/graphql")
    async def graphql(request: Request) -> dict[str, Any]:
        principal: Principal = request.scope["state"]["principal"]
        return {"data": {"operator": principal.operator, "sub": principal.user_id}}

    wrapped = GatewaySignatureMiddleware(app, secret=SECRET, service=service, max_body=1 << 20)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://sg")


async def call(
    client: httpx.AsyncClient, payload: dict[str, Any], audience: str = "membership"
) -> httpx.Response:
    body = b'{"query":"{ x }"}'
    headers = sign_request(SECRET, payload, body, audience=audience)
    return await client.post("/graphql", content=body, headers=headers)


@pytest.mark.parametrize("bad", MISTYPED, ids=[json.dumps(b) for b in MISTYPED])
async def test_a_subgraph_refuses_signed_claims_that_do_not_fit_the_model(
    bad: dict[str, Any],
) -> None:
    async with subgraph() as client:
        response = await call(client, claims(**bad))
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_signature_made_for_another_service_is_refused() -> None:
    async with subgraph("membership") as client:
        assert (await call(client, claims(), audience="membership")).status_code == 200
        refused = await call(client, claims(), audience="finance")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_expired_token_is_refused_by_the_subgraph() -> None:
    async with subgraph() as client:
        response = await call(client, claims(exp=int(time.time()) - 5))
    assert response.status_code == 401


async def test_during_a_rotation_both_secrets_are_accepted_and_no_other() -> None:
    """Rotating the signing secret (operations.md): the services accept the current and the
    next secret, the gateway switches, then the old one is dropped; a third is refused."""
    new, stranger = "n" * 40, "s" * 40
    app = FastAPI()

    @app.post("/graphql")
    async def graphql(request: Request) -> dict[str, Any]:
        return {"data": {"sub": request.scope["state"]["principal"].user_id}}

    wrapped = GatewaySignatureMiddleware(
        app, secret=[SECRET, new], service="membership", max_body=1 << 20
    )
    body = b'{"query":"{ x }"}'
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=wrapped), base_url="http://sg"
    ) as client:
        for secret, status in ((SECRET, 200), (new, 200), (stranger, 401)):
            headers = sign_request(secret, claims(), body, audience="membership")
            response = await client.post("/graphql", content=body, headers=headers)
            assert response.status_code == status, secret[:1]


def test_the_next_secret_is_held_to_the_production_length() -> None:
    from servicekit.settings import ServiceSettings

    with pytest.raises(ValueError, match="SIGNING_SECRET_NEXT"):
        ServiceSettings(
            database_url="postgresql+asyncpg://app@db/x",
            signing_secret="c" * 40,
            signing_secret_next="short-but-16-chars",
        )
    both = ServiceSettings(
        database_url="postgresql+asyncpg://app@db/x",
        signing_secret="c" * 40,
        signing_secret_next="d" * 40,
    )
    assert both.accepted_signing_secrets == ["c" * 40, "d" * 40]

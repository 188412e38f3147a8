"""The dashboards page signed in through a real OpenID Connect provider (issue 12, sign-in).

A gateway configured as in production (RS256 JWTs from the provider's JWKS, its issuer, the
API's audience; CONCORD_OIDC_* for the page) in front of the e2e platform's services; the
provider (tests/support/oidc_provider.py, Authlib's authorization server) on a free loopback
port. Headless Chromium opens the page, is sent to the provider's sign-in page, signs in as a
person would, comes back with an access token (Authorization Code with PKCE) and shows the
figures the API answers that token; tokens of another issuer or audience are refused.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Page, expect

from devkit.local.platform import SERVICES, Platform
from devkit.local.ports import free_port
from membership.demo import seed
from servicekit.auth.devtoken import mint
from tests.support.dashboard import OVERVIEW, table_rows, window
from tests.support.gateway import RunningGateway, run_gateway
from tests.support.oidc_provider import OidcProvider

ALLIANCES = [
    ("oidc-aii", "登录工业互联网联盟", "Sign-in Industrial Internet Alliance", "aii"),
    ("oidc-asean", "登录中国—东盟联盟", "Sign-in China-ASEAN Alliance", "china-asean"),
]
AUDIENCE = "concord"
CLIENT_ID = "concord-dashboard"
USERS: dict[str, dict[str, Any]] = {
    "operator": {"name": "Platform operator", "operator": True, "locale": "en"},
    "oidc-asean-secretariat": {"name": "秘书处", "alliances": {"oidc-asean": ["secretariat"]}},
}


@dataclass
class SignInSetup:
    idp: OidcProvider
    gateway: RunningGateway
    page_url: str


@pytest.fixture(scope="module")
def seeded(platform: Platform) -> list[str]:
    seed(platform.graphql_url, platform.config.jwt_secret, per_alliance=4, alliances=ALLIANCES)
    return [a[0] for a in ALLIANCES]


@pytest.fixture(scope="module")
def oidc(
    platform: Platform, seeded: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SignInSetup]:
    port = free_port()
    page_url = f"http://127.0.0.1:{port}/dashboard/"
    with (
        OidcProvider(
            audience=AUDIENCE, client_id=CLIENT_ID, redirect_uris=[page_url], users=USERS
        ) as idp,
        run_gateway(
            platform.config.supergraph,
            port=port,
            jwks_url=idp.jwks_url,
            issuer=idp.issuer,
            audience=AUDIENCE,
            signing_secret=platform.config.signing_secret,
            environment="production",
            subgraph_urls={s: platform.service_url(s) for s in SERVICES},
            env={"CONCORD_OIDC_ISSUER": idp.issuer, "CONCORD_OIDC_CLIENT_ID": CLIENT_ID},
            log_dir=tmp_path_factory.mktemp("oidc-gateway"),
        ) as gateway,
    ):
        yield SignInSetup(idp, gateway, page_url)


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def post(setup: SignInSetup, token: str, query: str, variables: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        setup.gateway.graphql_url,
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )


def sign_in_with_provider(page: Page, setup: SignInSetup, user: str) -> str:
    """Open the page, go to the provider, sign in as ``user``, come back; the access token."""
    page.goto(setup.page_url)
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#sign-in-form")).to_be_hidden()  # no pasted tokens in production
    page.locator("#oidc-sign-in").click()
    page.wait_for_url(lambda url: url.startswith(f"{setup.idp.issuer}/authorize?"))
    asked = parse_qs(urlparse(page.url).query)
    assert asked["client_id"] == [CLIENT_ID] and asked["redirect_uri"] == [setup.page_url]
    assert asked["response_type"] == ["code"] and asked["code_challenge_method"] == ["S256"]
    assert asked["code_challenge"][0] and "openid" in asked["scope"][0].split()
    page.locator("#idp-user").fill(user)
    page.locator("#idp-sign-in").click()
    page.wait_for_url(lambda url: url.startswith(f"{setup.page_url}#/"))
    expect(page.locator("#content[data-ready]")).to_be_attached(timeout=30_000)
    assert "code=" not in page.url  # the code is traded and gone from the address
    token: str = page.evaluate("sessionStorage.getItem('concord.dashboard.token')")
    return token


def test_the_operator_signs_in_through_the_identity_provider_and_sees_the_figures_the_api_answers(
    oidc: SignInSetup, seeded: list[str], page: Page, artifacts_dir: Path
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    token = sign_in_with_provider(page, oidc, "operator")

    # The bearer token is the provider's access token: RS256, its issuer, the API's audience.
    assert json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["alg"] == "RS256"
    claims = claims_of(token)
    assert claims in oidc.idp.issued
    assert (claims["iss"], claims["aud"], claims["sub"], claims["operator"]) == (
        oidc.idp.issuer,
        AUDIENCE,
        "operator",
        True,
    )
    expect(page.locator("#who")).to_contain_text("Platform operator")

    # The figures the page shows are those the API answers the same token.
    answer = post(oidc, token, OVERVIEW, window(page)).json()
    assert not answer.get("errors"), answer
    expected = answer["data"]["alliances"]
    assert set(seeded) <= {a["slug"] for a in expected}
    rows = table_rows(page, "overview")
    assert [r["slug"] for r in rows] == [a["slug"] for a in expected]
    for row, alliance in zip(rows, expected, strict=True):
        assert int(row["members"]) == alliance["membershipFigures"]["members"]
        assert int(row["admissions"]) == alliance["membershipFigures"]["admissions"]
    assert sum(int(r["members"]) for r in rows if r["slug"] in seeded) > 0
    page.screenshot(path=artifacts_dir / "dashboard-oidc-operator.png", full_page=True)

    # Nothing but the gateway and the identity provider (discovery, keys, tokens, sign-in).
    assert all(u.startswith((oidc.gateway.base_url, oidc.idp.issuer, "blob:")) for u in requests)
    assert any(u == f"{oidc.idp.issuer}/token" for u in requests)

    # An alliance page by a click, with the same token.
    page.locator(f'a[href="#/alliance/{seeded[0]}"]').first.click()
    expect(page.locator("#content[data-ready=alliance]")).to_be_attached(timeout=30_000)

    # Sign-out ends the provider's session too and comes back to the sign-in.
    page.locator("#sign-out").click()
    page.wait_for_url(oidc.page_url)
    expect(page.locator("#oidc-sign-in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('concord.dashboard.token')") is None
    assert any(u.startswith(f"{oidc.idp.issuer}/logout") for u in requests)


def test_a_secretariat_signed_in_through_the_provider_sees_only_its_own_alliance(
    oidc: SignInSetup, seeded: list[str], page: Page, artifacts_dir: Path
) -> None:
    token = sign_in_with_provider(page, oidc, "oidc-asean-secretariat")
    assert claims_of(token)["alliances"] == {"oidc-asean": ["secretariat"]}
    rows = table_rows(page, "overview")
    assert [r["slug"] for r in rows] == ["oidc-asean"]
    answer = post(oidc, token, OVERVIEW, window(page)).json()
    (alliance,) = answer["data"]["alliances"]
    assert int(rows[0]["members"]) == alliance["membershipFigures"]["members"] > 0
    page.screenshot(path=artifacts_dir / "dashboard-oidc-secretariat.png", full_page=True)


def test_an_unknown_user_is_not_signed_in_by_the_provider(oidc: SignInSetup, page: Page) -> None:
    page.goto(oidc.page_url)
    page.locator("#oidc-sign-in").click()
    page.wait_for_url(lambda url: url.startswith(f"{oidc.idp.issuer}/authorize?"))
    page.locator("#idp-user").fill("nobody")
    page.locator("#idp-sign-in").click()
    expect(page.locator("#idp-error")).to_have_text("Unknown user")
    assert page.url.startswith(oidc.idp.issuer)


def test_tokens_of_another_issuer_or_audience_are_refused(
    oidc: SignInSetup, platform: Platform, page: Page
) -> None:
    now = int(time.time())
    good = {"sub": "operator", "operator": True, "iat": now, "exp": now + 600}
    query = "{ alliances { slug } }"
    accepted = post(oidc, oidc.idp.mint(**good, iss=oidc.idp.issuer, aud=AUDIENCE), query, {})
    assert accepted.status_code == 200 and not accepted.json().get("errors"), accepted.text

    refused = {
        # The same provider's key, but issued for another application.
        "another audience": oidc.idp.mint(**good, iss=oidc.idp.issuer, aud="another-app"),
        # Signed by the same key, claiming another issuer.
        "another issuer": oidc.idp.mint(**good, iss="https://idp.example.org", aud=AUDIENCE),
        # The development secret's HS256 token: not accepted where the JWKS is configured.
        "a development token": mint(platform.config.jwt_secret, sub="operator", operator=True),
    }
    # The ID token the page receives is for the page (aud = client id), not for the API.
    token = sign_in_with_provider(page, oidc, "operator")
    id_token = page.evaluate(
        """() => { for (const k of Object.keys(sessionStorage)) if (k.startsWith('oidc.user:'))
             return JSON.parse(sessionStorage.getItem(k)).id_token; }"""
    )
    assert claims_of(id_token)["aud"] == [CLIENT_ID]
    refused["the ID token"] = id_token
    for what, bad in refused.items():
        response = post(oidc, bad, query, {})
        assert response.status_code in (400, 401), (what, response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", what
    assert post(oidc, token, query, {}).status_code == 200


def test_an_expired_sign_in_asks_to_sign_in_again(
    oidc: SignInSetup, page: Page, artifacts_dir: Path
) -> None:
    oidc.idp.token_ttl = 8
    try:
        token = sign_in_with_provider(page, oidc, "operator")
    finally:
        oidc.idp.token_ttl = 600
    assert claims_of(token)["exp"] - claims_of(token)["iat"] == 8
    # The page notices the expiry by itself and asks for a new sign-in.
    expect(page.locator("#sign-in-problem")).to_have_text(
        "Your sign-in has expired: please sign in again.", timeout=30_000
    )
    expect(page.locator("#oidc-sign-in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('concord.dashboard.token')") is None
    page.screenshot(path=artifacts_dir / "dashboard-oidc-expired.png")
    # The gateway refuses the expired token too (beyond its 5 s clock tolerance).
    time.sleep(max(0.0, claims_of(token)["exp"] + 6 - time.time()))
    assert post(oidc, token, "{ alliances { slug } }", {}).status_code in (400, 401)
    # Signing in again brings the figures back.
    sign_in_with_provider(page, oidc, "operator")
    expect(page.locator("#sign-in-problem")).to_be_hidden()

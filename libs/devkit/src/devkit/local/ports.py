"""Loopback port helpers: pick a free port, wait until a server listens on one."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now.

    The kernel picks it (bind to port 0), so it never collides with 5432/4222 or with another
    test worker's port; there is a small race until the caller binds it, which callers that
    start servers cover by retrying with a new port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_open(host: str, port: int, timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(
    host: str,
    port: int,
    timeout: float = 10.0,
    *,
    interval: float = 0.005,
    alive: Callable[[], bool] | None = None,
) -> float:
    """Poll until ``host:port`` accepts connections; return the seconds waited.

    Polling (rather than sleeping a fixed time) matters because nats-server is ready in about
    20 ms. ``alive`` lets the caller stop waiting early when the process already died, so a
    crash is reported at once instead of after the whole timeout.
    """
    start = time.monotonic()
    deadline = start + timeout
    delay = interval
    while True:
        if port_is_open(host, port):
            return time.monotonic() - start
        if alive is not None and not alive():
            raise RuntimeError(f"the process meant to listen on {host}:{port} has exited")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.1f} s")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)

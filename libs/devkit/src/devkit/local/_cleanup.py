"""One ``atexit`` hook that stops every local server this process started and still owns.

Fixture finalizers stop servers on the normal path; this catches the rest (an exception in a
session fixture, ``KeyboardInterrupt``, a script that forgets ``stop()``), so no PostgreSQL or
nats-server outlives the Python process that started it.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from typing import Protocol


class _Stoppable(Protocol):
    def _emergency_stop(self) -> None: ...


_lock = threading.Lock()
_live: dict[int, _Stoppable] = {}
_installed = False


def register(server: _Stoppable) -> None:
    """Remember ``server`` so that it is stopped when the interpreter exits."""
    global _installed
    with _lock:
        _live[id(server)] = server
        if not _installed:
            atexit.register(_stop_all)
            _installed = True


def unregister(server: _Stoppable) -> None:
    """Forget ``server`` (it was stopped normally)."""
    with _lock:
        _live.pop(id(server), None)


def _stop_all() -> None:
    with _lock:
        servers = list(_live.values())
        _live.clear()
    for server in servers:
        with contextlib.suppress(Exception):
            server._emergency_stop()

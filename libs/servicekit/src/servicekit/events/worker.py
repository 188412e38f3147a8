"""What the outbox relay and the consumers share: a loop that stops when asked.

Shutdown asks a worker to stop and waits for its loop to finish its current step, instead of
only cancelling it: a cancellation can land inside a library that swallows it (seen with the
database driver and nats-py), and the loop would then run on and keep the process alive.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod


class Worker(ABC):
    name = "worker"

    def __init__(self) -> None:
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if asked to stop meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    @abstractmethod
    async def run(self) -> None:
        """The worker's loop, until :meth:`stop` is called."""

"""A small local load balancer: one loopback port in front of a service's replicas.

Why our own (about 100 lines of asyncio) rather than a library: nothing on PyPI that installs
with ``uv sync`` alone is a plain TCP balancer we could start as a child process (HAProxy,
nginx and Envoy are system packages; the Python proxies found are HTTP frameworks with far
more than this needs). A TCP proxy is enough here because every call to a subgraph is a plain
HTTP/1.1 request: the gateway keeps several connections open under load, and each new
connection goes to the next replica in turn (round robin).

A replica that refuses the connection (killed, not started yet) is skipped and the next one is
tried, so nothing that reached no replica fails; a connection already open to a replica that
dies is closed, as a real balancer would (the gateway then answers with a typed error).

    python -m devkit.local.balancer --port 4101 --backend 127.0.0.1:5101 --backend 127.0.0.1:5102
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import signal

log = logging.getLogger("devkit.balancer")

CONNECT_TIMEOUT = 2.0


class Balancer:
    def __init__(self, backends: list[tuple[str, int]]) -> None:
        if not backends:
            raise ValueError("give at least one backend")
        self.backends = backends
        self._turn = itertools.cycle(range(len(backends)))

    async def _open_backend(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """The next replica that accepts a connection, trying each at most once."""
        start = next(self._turn)
        for i in range(len(self.backends)):
            host, port = self.backends[(start + i) % len(self.backends)]
            try:
                return await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout=CONNECT_TIMEOUT
                )
            except (OSError, TimeoutError):
                continue
        return None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        backend = await self._open_backend()
        if backend is None:
            log.warning("no replica of %s accepts a connection", self.backends)
            writer.close()
            return
        upstream_reader, upstream_writer = backend
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )

    async def serve(self, host: str, port: int) -> None:
        server = await asyncio.start_server(self.handle, host, port, reuse_address=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with server:
            await stop.wait()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def _backend(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--backend", type=_backend, action="append", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Balancer(args.backend).serve(args.host, args.port))


if __name__ == "__main__":
    main()

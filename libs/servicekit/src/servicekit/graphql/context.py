"""The per-request GraphQL context: the caller, the request's transaction, its DataLoaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from servicekit.auth import Principal
from servicekit.db import RequestTransaction
from servicekit.events.bus import EventBus
from servicekit.live import LiveHub
from servicekit.settings import ServiceSettings

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Context(BaseContext):
    def __init__(
        self,
        *,
        principal: Principal,
        tx: RequestTransaction,
        settings: ServiceSettings,
        bus: EventBus | None = None,
        request_id: str | None = None,
        live: LiveHub | None = None,
    ) -> None:
        super().__init__()
        self.request_id = request_id  # the gateway's signed request id (replay guard, audit)
        self.principal = principal
        self.tx = tx
        self.settings = settings
        self.bus = bus
        self.live = live  # the replica's LISTEN fan-out, for subscriptions (servicekit.live)
        self._loaders: dict[Any, DataLoader[Any, Any]] = {}

    def loader(
        self, load_fn: Callable[[Sequence[K]], Awaitable[Sequence[V]]], *, key: Hashable = None
    ) -> DataLoader[K, V]:
        """This request's DataLoader for ``load_fn`` (created on first use, so batches and
        caches never leak between requests or callers)."""
        cache_key = key if key is not None else load_fn
        found = self._loaders.get(cache_key)
        if found is None:
            found = DataLoader(load_fn=load_fn)
            self._loaders[cache_key] = found
        return found


Info = StrawberryInfo[Context, None]

"""What every service's dashboard figures share in GraphQL: the ``Grouping`` enum, the window
arguments, and the two ways figures are reached (:class:`Figures` does both; a service's
GraphQL module only names its loader and how its answer is presented).

- ``Alliance.<service>Figures(since, until, grouping)``: one alliance's, through a DataLoader
  whose batch is ONE aggregate per figure for all the alliances of the request (the operator's
  overview asks for fifty at once, through the gateway's ``_entities``).
- ``Query.<service>Figures(since, until, grouping)``: the platform's total over every alliance
  the caller may see.

Both read in :meth:`Principal.figures_scope` (row-level security: the operator every alliance,
staff their own alliances, no contact rules). A caller who is staff of no alliance, or asks for
an alliance it is not staff of, is refused with ``FORBIDDEN``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.errors import Forbidden
from servicekit.figures import Grouping, Keys, Window
from servicekit.graphql.context import Info
from servicekit.graphql.ids import parse_id

T = TypeVar("T")
A = TypeVar("A")  # what the figures are asked for: a Window, a fiscal year (hashable)
R = TypeVar("R")

strawberry.enum(Grouping, name="Grouping", description="How a dashboard's periods are cut.")

Load = Callable[[AsyncSession, Keys, A], Awaitable[Mapping[uuid.UUID | None, T]]]


def window_of(since: date, until: date, grouping: Grouping) -> Window:
    return Window.of(since, until, grouping)


async def alliance_figures(
    info: Info, name: str, alliance: uuid.UUID, window: A, load: Load[A, T]
) -> T:
    """One alliance's figures, batched with every other alliance of the request."""

    async def batch(ids: Sequence[uuid.UUID]) -> list[Any]:
        principal = info.context.principal
        allowed = sorted(
            {i for i in ids if principal.operator or i in principal.staff_alliance_ids}
        )
        found: Mapping[uuid.UUID | None, T] = {}
        if allowed:
            async with info.context.tx.narrowed(principal.figures_scope()) as session:
                found = await load(session, Keys(allowed), window)
        refused = Forbidden(
            "only the alliance's secretariat, officers and the operator see its figures"
        )
        return [found.get(i, refused) for i in ids]

    loader = info.context.loader(batch, key=("figures", name, window))
    result: T = await loader.load(alliance)
    return result


async def platform_figures(info: Info, window: A, load: Load[A, T]) -> T:
    """The total over every alliance the caller may see (row-level security decides)."""
    principal = info.context.principal
    if not principal.operator and not principal.staff_alliance_ids:
        raise Forbidden("only an alliance's secretariat, officers and the operator see figures")
    async with info.context.tx.narrowed(principal.figures_scope()) as session:
        found = await load(session, Keys(None), window)
    return found[None]


@dataclass(frozen=True)
class Figures(Generic[A, T, R]):
    """One service's figures as GraphQL answers them: ``load`` aggregates (in the service's
    figures module) for the keys asked, ``present`` translates one key's answer into the
    GraphQL type. ``name`` keeps the service's loader apart from its other figures."""

    name: str
    load: Load[A, T]
    present: Callable[[T, A], R]

    async def of_alliance(self, info: Info, alliance: strawberry.ID, asked: A) -> R:
        """``Alliance.<name>(...)``: batched with every other alliance of the request."""
        found = await alliance_figures(
            info, self.name, parse_id(alliance, "alliance"), asked, self.load
        )
        return self.present(found, asked)

    async def of_platform(self, info: Info, asked: A) -> R:
        """``Query.<name>(...)``: every alliance the caller may see, together."""
        return self.present(await platform_figures(info, asked, self.load), asked)

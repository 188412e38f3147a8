"""The DataLoaders of membership's GraphQL types: one statement per batch, per request."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import charter
from membership import models, queries
from servicekit.graphql import Info


def alliance_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Alliance | None]:
        async with info.context.tx.use() as session:
            return await queries.alliances_by_id(session, ids)

    return info.context.loader(load, key="alliance")


def organization_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Organization | None]:
        async with info.context.tx.use() as session:
            return await queries.organizations_by_id(session, ids)

    return info.context.loader(load, key="organization")


def membership_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Membership | None]:
        async with info.context.tx.use() as session:
            return await queries.memberships_by_id(session, ids)

    return info.context.loader(load, key="membership")


def application_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[models.Application | None]:
        async with info.context.tx.use() as session:
            return await queries.applications_by_id(session, ids)

    return info.context.loader(load, key="application")


def memberships_of_loader(info: Info) -> Any:
    """An organisation's memberships (organisation id → memberships)."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[models.Membership]]:
        async with info.context.tx.use() as session:
            return await queries.memberships_of(session, ids)

    return info.context.loader(load, key="memberships_of")


def documents_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[models.Document]]:
        async with info.context.tx.use() as session:
            return await queries.documents_of(session, ids)

    return info.context.loader(load, key="documents")


def charter_loader(info: Info) -> Any:
    """The charter model in force for an alliance (id → Charter)."""

    async def load(ids: Sequence[uuid.UUID]) -> list[charter.Charter]:
        async with info.context.tx.use() as session:
            return await queries.charters_in_force(session, ids)

    return info.context.loader(load, key="charter")


def timeline_loader(info: Info) -> Any:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[models.HistoryEntry]]:
        async with info.context.tx.use() as session:
            timelines = await queries.history_of(session, membership_ids=ids, application_ids=ids)
        return [timelines.get(i, []) for i in ids]

    return info.context.loader(load, key="timeline")

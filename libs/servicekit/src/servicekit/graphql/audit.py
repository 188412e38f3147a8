"""The audit log of a subgraph in GraphQL: ``<service>AuditLog`` on every subgraph's Query.

:func:`servicekit.graphql.make_schema` adds it to every service, so each service's log is
readable without a line in the service: by the platform operator (every entry) and by an
alliance's secretariat (that alliance's entries; row-level security enforces it as well);
anybody else is refused with ``FORBIDDEN``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import strawberry
from strawberry.scalars import JSON

from servicekit.audit import audit_log
from servicekit.graphql.context import Info
from servicekit.graphql.errors import Forbidden
from servicekit.graphql.pagination import (
    KEY_TIME,
    KEY_UUID,
    Connection,
    PageInfo,
    build_connection,
    check_page_size,
    decode_cursor,
)
from servicekit.tenancy import alliance_id


@strawberry.federation.type(shareable=True, description="One mutation, as a service recorded it.")
class AuditEntry:
    at: datetime
    user_id: str = strawberry.field(description="the caller's `sub`")
    operator: bool
    alliance_id: strawberry.ID | None
    operation: str = strawberry.field(description="the mutation's root fields")
    outcome: str = strawberry.field(description="`ok` or `refused`")
    error_codes: JSON
    request_id: str | None


@strawberry.federation.type(shareable=True)
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.federation.type(shareable=True)
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo
    total_count: int


def audit_query(service: str) -> type:
    async def resolve(
        info: Info, alliance: str | None = None, first: int = 50, after: str | None = None
    ) -> AuditEntryConnection:
        principal = info.context.principal
        if not principal.operator and not any(
            "secretariat" in roles for roles in principal.alliance_roles.values()
        ):
            raise Forbidden("the audit log is read by the platform operator and secretariats")
        if alliance is not None and not (
            principal.operator or principal.has_role(alliance, "secretariat")
        ):
            raise Forbidden(f"only the secretariat of {alliance} reads its audit log")
        check_page_size(first)
        cursor = decode_cursor(after, (KEY_TIME, KEY_UUID)) if after else None
        query = sa.select(audit_log)
        if alliance is not None:
            query = query.where(audit_log.c.alliance_id == alliance_id(alliance))
        total_query = sa.select(sa.func.count()).select_from(query.subquery())
        if cursor is not None:
            query = query.where(
                sa.tuple_(audit_log.c.at, audit_log.c.id)
                < sa.tuple_(
                    sa.literal(datetime.fromisoformat(cursor[0])),
                    sa.literal(cursor[1]).cast(sa.UUID),
                )
            )
        query = query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(first + 1)
        async with info.context.tx.use() as session:
            rows = (await session.execute(query)).all()
            total = await session.scalar(total_query) or 0
        page: Connection[AuditEntry] = build_connection(
            rows,
            first=first,
            after=after,
            total=total,
            keyset=lambda r: (r.at.isoformat(), r.id),
            node=lambda r: AuditEntry(
                at=r.at,
                user_id=r.user_id,
                operator=r.operator,
                alliance_id=strawberry.ID(str(r.alliance_id)) if r.alliance_id else None,
                operation=r.operation,
                outcome=r.outcome,
                error_codes=r.error_codes,
                request_id=r.request_id,
            ),
        )
        return AuditEntryConnection(
            edges=[AuditEntryEdge(cursor=e.cursor, node=e.node) for e in page.edges],
            page_info=page.page_info,
            total_count=page.total_count,
        )

    field_name = f"{service}_audit_log"
    namespace = {
        field_name: strawberry.field(
            resolver=resolve,
            description=f"The {service} service's record of mutations, newest first "
            "(the platform operator: all; a secretariat: its alliance's).",
        )
    }
    return strawberry.type(type(f"{service.capitalize()}AuditQuery", (), namespace))

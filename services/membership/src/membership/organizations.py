"""Organisations: one platform-wide identity per company or institution, whatever alliances it
belongs to, deduplicated on country + registration number."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from membership import credit_code, events
from membership.models import Organization
from servicekit.graphql import DomainError

KINDS = (
    "enterprise",
    "institution",
    "association",
    "university",
    "research_institute",
    "financial_institution",
)
COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class OrganizationInput:
    name_zh: str
    name_en: str
    kind: str
    country: str
    registration_number: str


def normalized(org: OrganizationInput) -> OrganizationInput:
    """Check an organisation's identity and return it in canonical form."""
    country = org.country.strip().upper()
    number = re.sub(r"\s+", "", org.registration_number).upper()
    if not COUNTRY.match(country):
        raise DomainError(
            "country is an ISO 3166-1 alpha-2 code such as CN or SG",
            code="INVALID_COUNTRY",
            field="country",
        )
    if org.kind not in KINDS:
        raise DomainError(f"unknown kind of organisation {org.kind!r}", field="kind")
    if not org.name_zh.strip() and not org.name_en.strip():
        raise DomainError("the organisation needs a name", field="nameZh")
    if not number:
        raise DomainError("the registration number is required", field="registrationNumber")
    if country == "CN":
        why = credit_code.problem(number)
        if why:
            raise DomainError(
                f"invalid unified social credit code {number}: {why}",
                code="INVALID_CREDIT_CODE",
                field="registrationNumber",
            )
    elif len(number) > 64:
        raise DomainError(
            "the registration number is longer than 64 characters", field="registrationNumber"
        )
    return OrganizationInput(org.name_zh.strip(), org.name_en.strip(), org.kind, country, number)


async def find_or_register(session: AsyncSession, org: OrganizationInput) -> Organization:
    """The organisation with this country and number, registering it if it is new.

    ``ON CONFLICT DO NOTHING`` makes two concurrent first registrations end with one row.
    """
    org = normalized(org)
    new_id = uuid.uuid4()
    inserted = await session.scalar(
        insert(Organization)
        .values(
            id=new_id,
            name_zh=org.name_zh or org.name_en,
            name_en=org.name_en,
            kind=org.kind,
            country=org.country,
            registration_number=org.registration_number,
        )
        .on_conflict_do_nothing(index_elements=["country", "registration_number"])
        .returning(Organization.id)
    )
    found = await session.scalar(
        sa.select(Organization).where(
            Organization.country == org.country,
            Organization.registration_number == org.registration_number,
        )
    )
    assert found is not None
    if inserted is not None:
        await events.publish(
            session,
            events.ORGANIZATION_REGISTERED,
            subject=found.id,
            alliance_id=None,
            data={
                "organizationId": str(found.id),
                "nameZh": found.name_zh,
                "nameEn": found.name_en,
                "kind": found.kind,
                "country": found.country,
            },
        )
    return found


async def organizations_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Organization | None]:
    rows = (await session.scalars(sa.select(Organization).where(Organization.id.in_(ids)))).all()
    found = {o.id: o for o in rows}
    return [found.get(i) for i in ids]

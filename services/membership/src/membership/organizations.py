"""Organisations: one platform-wide identity per company or institution, whatever alliances it
belongs to, deduplicated on country + registration number."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from membership import credit_code, events
from membership.models import Organization
from servicekit.errors import DomainError


class OrganizationKind(StrEnum):
    """What an organisation is."""

    ENTERPRISE = "enterprise"
    INSTITUTION = "institution"
    ASSOCIATION = "association"
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    FINANCIAL_INSTITUTION = "financial_institution"


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
    if org.kind not in set(OrganizationKind):
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
            session, events.organization_registered(found), subject=found.id, alliance_id=None
        )
    return found

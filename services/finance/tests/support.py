"""What the finance tests share: an alliance founded as membership announces it."""

from __future__ import annotations

from typing import Any

import charter
from contracts.membership import AllianceCreated, CharterAdopted
from devkit.testing.events import event, publish
from servicekit.tenancy import alliance_id


async def found(
    nats_url: str, slug: str, template: str, *, name_zh: str = "", name_en: str = ""
) -> dict[str, Any]:
    """Publish ``membership.alliance.created`` and version 1 of the seed charter ``template``
    for ``slug``, standing in for membership; the charter document."""
    aid = alliance_id(slug)
    created = AllianceCreated(
        alliance_id=aid, slug=slug, name_zh=name_zh or slug, name_en=name_en or slug
    )
    document = charter.load_template(template).to_data()
    adopted = CharterAdopted(alliance_id=aid, slug=slug, version=1, charter=document)
    await publish(
        nats_url,
        event(AllianceCreated.TYPE, created.to_data(), alliance_id=aid),
        event(CharterAdopted.TYPE, adopted.to_data(), alliance_id=aid),
    )
    return document

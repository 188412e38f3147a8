"""Application materials: uploaded files with size and type limits and a recorded sha256, or
references to paper documents. A file is read whole by a parser of its declared format
(:func:`servicekit.uploads.check_file`) before anything is stored, so a renamed executable, a
polyglot or HTML behind a JPEG signature is not accepted."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from membership.models import Document
from servicekit.graphql import DomainError
from servicekit.uploads import UnacceptableFile, check_file

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_DOCUMENTS = 10
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class MaterialInput:
    material: str
    file_name: str | None = None
    content_type: str | None = None
    content_base64: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class CheckedMaterial:
    material: str
    file_name: str | None
    content_type: str | None
    content: bytes | None
    reference: str | None

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.content).hexdigest() if self.content is not None else None


def check(item: MaterialInput) -> CheckedMaterial:
    field = f"materials[{item.material}]"
    if (item.content_base64 is None) == (item.reference is None):
        raise DomainError(
            f"{field}: give either a file (contentBase64) or a reference", field=field
        )
    if item.reference is not None:
        reference = item.reference.strip()
        if not reference or len(reference) > 500:
            raise DomainError(f"{field}: a reference is 1–500 characters", field=field)
        return CheckedMaterial(item.material, None, None, None, reference)
    if item.content_type not in SIGNATURES:
        raise DomainError(
            f"{field}: only PDF, PNG and JPEG files are accepted",
            code="DISALLOWED_DOCUMENT",
            field=field,
        )
    try:
        content = base64.b64decode(item.content_base64 or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(f"{field}: contentBase64 is not valid base64", field=field) from exc
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DomainError(
            f"{field}: the file has {len(content)} bytes; at most "
            f"{MAX_DOCUMENT_BYTES} are accepted",
            code="DOCUMENT_TOO_LARGE",
            field=field,
        )
    if not content or not content.startswith(SIGNATURES[item.content_type]):
        raise DomainError(
            f"{field}: the file is not a {item.content_type} file",
            code="DISALLOWED_DOCUMENT",
            field=field,
        )
    try:
        check_file(content, item.content_type)
    except UnacceptableFile as exc:
        raise DomainError(
            f"{field}: not accepted as {item.content_type}: {exc}",
            code="DISALLOWED_DOCUMENT",
            field=field,
        ) from exc
    name = (item.file_name or "").strip() or f"{item.material}"
    return CheckedMaterial(item.material, name[:200], item.content_type, content, None)


def check_all(items: Sequence[MaterialInput], allowed: Sequence[str]) -> list[CheckedMaterial]:
    if len(items) > MAX_DOCUMENTS:
        raise DomainError(f"at most {MAX_DOCUMENTS} materials per application", field="materials")
    unknown = sorted({i.material for i in items} - set(allowed))
    if unknown:
        raise DomainError(
            f"the charter asks for no material {', '.join(unknown)}; it asks for "
            f"{', '.join(allowed) or 'none'}",
            code="UNKNOWN_MATERIAL",
            field="materials",
        )
    return [check(i) for i in items]


def store(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    application_id: uuid.UUID,
    materials: Sequence[CheckedMaterial],
    uploaded_by: str,
) -> None:
    session.add_all(
        [
            Document(
                alliance_id=alliance_id,
                application_id=application_id,
                material=m.material,
                file_name=m.file_name,
                content_type=m.content_type,
                size=len(m.content) if m.content is not None else None,
                sha256=m.sha256,
                content=m.content,
                reference=m.reference,
                uploaded_by=uploaded_by,
            )
            for m in materials
        ]
    )

"""A report as a spreadsheet, inside the GraphQL answer: the XLSX bytes base64-encoded.

How a client downloads a report: ask for its ``spreadsheet { filename mediaType
contentBase64 }`` in the same query as its figures (through the gateway, with the caller's
own token: the same authentication and tenant scope as the figures themselves, no second
endpoint, no URL that could leak), decode ``contentBase64`` and save it as ``filename``.
"""

from __future__ import annotations

import base64

import strawberry

from finance.spreadsheets import XLSX


@strawberry.type(description="An XLSX workbook: decode contentBase64 and save it as filename.")
class Spreadsheet:
    filename: str
    media_type: str
    content_base64: str

    @classmethod
    def of(cls, filename: str, content: bytes) -> Spreadsheet:
        return cls(
            filename=filename,
            media_type=XLSX,
            content_base64=base64.b64encode(content).decode(),
        )

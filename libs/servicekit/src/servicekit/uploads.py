"""Uploaded files checked by a parser of their format before anything is stored.

Magic bytes say nothing about the rest of a file: ``%PDF-`` followed by an executable, or a
JPEG signature followed by HTML, both begin correctly. :func:`check_file` accepts a file only
if the format's own parser reads all of it (pypdf for PDF, Pillow for PNG and JPEG, decoding
every pixel), nothing follows the format's end marker (no polyglot with a second file
appended), and a PDF carries no active content (JavaScript, launch actions, embedded files).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import Any

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

ACCEPTED = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}
MAX_PIXELS = 40_000_000  # a scanned A4 page at 600 dpi is about 35 million
MAX_PDF_OBJECTS = 50_000
ACTIVE_PDF_KEYS = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}


class UnacceptableFile(ValueError):
    """The file is not a whole, plain file of its declared type (the message says why)."""


def check_file(content: bytes, content_type: str) -> None:
    """Raises :class:`UnacceptableFile` unless ``content`` is entirely a ``content_type`` file."""
    kind = ACCEPTED.get(content_type)
    if kind is None:
        raise UnacceptableFile(f"{content_type} files are not accepted")
    if not content:
        raise UnacceptableFile("the file is empty")
    if kind == "PDF":
        _check_pdf(content)
    else:
        _check_image(content, kind)


def _check_pdf(content: bytes) -> None:
    if not content.startswith(b"%PDF-"):
        raise UnacceptableFile("the file does not begin as a PDF does")
    end = content.rfind(b"%%EOF")
    if end < 0 or content[end + 5 :].strip(b"\r\n\t \x00"):
        raise UnacceptableFile("the file has data after the end of the PDF")
    try:
        reader = PdfReader(io.BytesIO(content), strict=True)
        if reader.is_encrypted:
            raise UnacceptableFile("encrypted PDF files are not accepted")
        if len(reader.pages) < 1:
            raise UnacceptableFile("the PDF has no pages")
        for key in _pdf_keys(reader.trailer):
            if key in ACTIVE_PDF_KEYS:
                raise UnacceptableFile(f"the PDF carries active content ({key})")
    except UnacceptableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise UnacceptableFile(f"the file is not a readable PDF ({type(exc).__name__})") from exc


def _pdf_keys(root: Any) -> Iterator[str]:
    """Every dictionary key and name value reachable from ``root`` (each object once)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise UnacceptableFile("the PDF has too many objects")
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                yield str(key)
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject):
            yield str(item)


PNG_END = b"IEND\xaeB`\x82"


def _check_image(content: bytes, kind: str) -> None:
    if kind == "PNG" and not content.endswith(PNG_END):
        raise UnacceptableFile("the file has data after the end of the PNG")
    if kind == "JPEG" and not content.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise UnacceptableFile("the file has data after the end of the JPEG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != kind:
                    raise UnacceptableFile(f"the file is a {image.format}, not a {kind}")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UnacceptableFile(f"the image has more than {MAX_PIXELS} pixels")
                image.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()  # decode every pixel: verify() checks structure only
    except UnacceptableFile:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UnacceptableFile(f"the file is not a readable {kind} ({exc})") from exc
    except Image.DecompressionBombWarning as exc:
        raise UnacceptableFile(f"the image has more than {MAX_PIXELS} pixels") from exc

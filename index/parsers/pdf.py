"""PDF documents: order forms, proposals, signed quotes.

pypdf extracts each page's text; the page is then cut into paragraphs, because PDF text has
no paragraph markup: a new paragraph starts after an empty line, at a bullet, or after a line
clearly shorter than the page's usual line width (the last line of a paragraph, a heading).
Segments are located as ``page N``. A PDF without extractable text (a scan) is an error that
says so, since the brief would otherwise silently miss the order form.
"""

from __future__ import annotations

import io
import re
import warnings
import zlib
from typing import Any

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PyPdfError

from handoff.domain import ParsedDocument, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._build import DocumentBuilder

_BULLET = re.compile(r"^\s*(?:[-•▪◦*–]|\d{1,2}[.)]|[a-z][.)])\s+")
_LOCKED = "PDF is password-protected; export it without a password"
_READ_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
                OSError, RecursionError, NotImplementedError, zlib.error)


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse a PDF into paragraph segments, page by page.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the PDF is damaged, password-protected, or has no extractable text.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf warns about every repaired oddity
        pages, meta = _extract(data, filename)
    builder = DocumentBuilder(filename, "pdf", SourceKind.DOCUMENT)
    for number, text in enumerate(pages, start=1):
        for paragraph in paragraphs(text):
            builder.segment(SegmentKind.PARAGRAPH, paragraph, locator=f"page {number}",
                            meta={"page": str(number)})
            builder.blank()
    if not builder.segments:
        raise ParseError(
            filename, "no text found (the PDF may be scanned images; export it with text or OCR it)"
        )
    return builder.build({**meta, "pages": str(len(pages))})


def _extract(data: bytes, filename: str) -> tuple[list[str], dict[str, str]]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError(filename, _LOCKED)
        info: dict[str, Any] = dict(reader.metadata or {})
        meta = {"title": str(info.get("/Title") or ""), "author": str(info.get("/Author") or "")}
        return [page.extract_text() or "" for page in reader.pages], meta
    except FileNotDecryptedError as exc:
        raise ParseError(filename, _LOCKED) from exc
    except _READ_ERRORS as exc:
        raise ParseError(filename, f"damaged PDF: could not be read ({exc})") from exc


def paragraphs(page_text: str) -> list[str]:
    """Cut one page's extracted text into paragraphs."""
    lines = [line.rstrip() for line in page_text.replace("\r", "\n").split("\n")]
    width = max((len(line) for line in lines), default=0)
    out: list[list[str]] = []
    prev = ""
    for line in lines:
        if not line.strip():
            prev = ""
            continue
        # Wrapped lines run nearly the full width; a clearly shorter line ended a paragraph
        # (or was a heading).
        ends_paragraph = len(prev) < 0.7 * width or (
            prev.endswith((".", ":", "!", "?")) and len(prev) < 0.85 * width
        )
        if not prev or ends_paragraph or _BULLET.match(line) or not out:
            out.append([line.strip()])
        else:
            out[-1].append(line.strip())
        prev = line
    return ["\n".join(p) for p in out]

"""Word documents (.docx): order forms, proposals, mutual action plans.

python-docx reads the body in order, paragraphs and tables interleaved. Headings become
lines of their own and the ``section`` of what follows; each other paragraph is a PARAGRAPH
segment and each table row a TABLE_ROW segment (cells joined by `` | ``, merged cells once).
Runs formatted as hidden text (Word's "Hidden" font effect) are kept but marked hidden.

A .docx is a zip archive, so it is checked before anything unpacks it: the declared
uncompressed sizes and compression ratios in the zip's directory must be sane. stdlib
``zipfile`` never inflates an entry beyond its declared size, so checking the declarations is
enough to stop a zip bomb.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from handoff.domain import ParsedDocument, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._build import DocumentBuilder

MB = 1024 * 1024
MAX_EXPANDED = 200 * MB
MAX_RATIO = 100
MAX_ENTRIES = 5000
# What a damaged package raises from python-docx, zipfile, zlib and lxml; RuntimeError is
# zipfile's "encrypted, password required" and NotImplementedError an unknown compression.
_READ_ERRORS = (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, zlib.error,
                EOFError, RuntimeError, NotImplementedError, etree.LxmlError)
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_STYLES = ("heading", "überschrift", "title", "titel")


def check_zip(data: bytes, filename: str) -> list[str]:
    """Inspect a zip's directory without inflating anything.

    Returns:
        The names of the archive's entries.

    Raises:
        ParseError: the bytes are not a zip, or it looks like a zip bomb.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ParseError(
            filename, "not a valid Word .docx file (a .docx is a zip archive; this one is not "
                      "a zip or is damaged)"
        ) from exc
    if len(infos) > MAX_ENTRIES:
        raise ParseError(filename, f"looks like a zip bomb: it holds over {MAX_ENTRIES} files")
    if sum(info.file_size for info in infos) > MAX_EXPANDED:
        problem = f"looks like a zip bomb: expands to over {MAX_EXPANDED // MB} MB"
        raise ParseError(filename, problem)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 10 * MB and ratio > MAX_RATIO:
            raise ParseError(
                filename,
                f"looks like a zip bomb: {info.filename} expands {ratio:.0f}x "
                f"to {info.file_size / MB:.0f} MB",
            )
    return [info.filename for info in infos]


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse a .docx into paragraph and table-row segments, in body order.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: not a zip, a zip bomb, not a Word document, damaged, or no text.
    """
    names = check_zip(data, filename)
    if "word/document.xml" not in names:
        raise ParseError(filename, "not a Word document: the zip archive has no word/document.xml")
    try:
        document = docx.Document(io.BytesIO(data))
        builder = DocumentBuilder(filename, "docx", SourceKind.DOCUMENT)
        _write_body(builder, document)
        return builder.build(_properties(document))
    except ParseError:
        raise
    except _READ_ERRORS as exc:
        raise ParseError(filename, f"damaged Word document ({exc})") from exc


def _write_body(builder: DocumentBuilder, document: Document) -> None:
    headings: list[tuple[int, str]] = []
    paragraphs = tables = 0
    for block in _blocks(document.element.body, document):
        section = " > ".join(h for _, h in headings)
        if isinstance(block, Table):
            tables += 1
            builder.blank()
            for number, row in enumerate(block.rows, start=1):
                builder.segment(
                    SegmentKind.TABLE_ROW, _row_text(row.cells),
                    locator=f"table {tables}, row {number}",
                    meta={"section": section, "table": str(tables), "row": str(number)},
                )
            builder.blank()
            continue
        level = _heading_level(block)
        if level is not None:
            text = "".join(text for text, _ in _runs(block)).strip()
            if text:
                headings = [h for h in headings if h[0] < level] + [(level, text)]
                builder.blank()
                builder.line(text)
            continue
        for text, hidden in _runs(block):
            paragraphs += 1
            builder.segment(
                SegmentKind.PARAGRAPH, text, locator=f"paragraph {paragraphs}", hidden=hidden,
                meta={"section": section, "style": _style_name(block)},
            )


def _blocks(element: Any, document: Document) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in body order, including those inside content controls.

    python-docx's ``iter_inner_content`` skips ``w:sdt`` content controls, which order-form
    templates use for exactly the fields that matter (customer, price, dates).
    """
    parent = document._body  # the story part that paragraphs resolve their styles against
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, document)


def _runs(paragraph: Paragraph) -> list[tuple[str, bool]]:
    """The paragraph's text, split where Word's hidden-text formatting starts or ends.

    Every run counts, also those inside hyperlinks, inline content controls, text boxes and
    tracked insertions; deleted text is not part of a run's text.
    """
    parts: list[tuple[str, bool]] = []
    for element in paragraph._p.iter(qn("w:r")):
        if any(a.tag == _MC_FALLBACK for a in element.iterancestors()):
            continue  # the legacy copy of a text box, whose text the mc:Choice already has
        run = Run(element, paragraph)
        hidden = bool(run.font.hidden)
        if parts and parts[-1][1] == hidden:
            parts[-1] = (parts[-1][0] + run.text, hidden)
        else:
            parts.append((run.text, hidden))
    return [(text, hidden) for text, hidden in parts if text.strip()]


def _row_text(cells: list[Any]) -> str:
    seen: set[int] = set()
    texts = []
    for cell in cells:
        if id(cell._tc) in seen:  # a merged cell appears once per grid column it spans
            continue
        seen.add(id(cell._tc))
        if cell.text.strip():
            texts.append(" ".join(cell.text.split()))
    return " | ".join(texts)


def _style_name(paragraph: Paragraph) -> str:
    try:
        return paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, ValueError, AttributeError):
        return ""


def _heading_level(paragraph: Paragraph) -> int | None:
    name = _style_name(paragraph).lower()
    if not name.startswith(_HEADING_STYLES):
        return None
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else 1


def _properties(document: Document) -> dict[str, str]:
    props = document.core_properties
    created = props.created.isoformat() if props.created else ""
    return {"title": props.title or "", "author": props.author or "", "created": created}

"""Word documents (.docx): order forms, proposals, mutual action plans.

python-docx reads the body in order, paragraphs and tables interleaved. Headings become
lines of their own and the ``section`` of what follows; each other paragraph is a PARAGRAPH
segment and each table row a TABLE_ROW segment (cells joined by `` | ``, merged cells once).
Text a reader of the document cannot see is kept but marked hidden, in paragraphs, headings
and table cells alike: Word's "Hidden" effect (``w:vanish``, ``w:webHidden``,
``w:specVanish``), text under ``TINY_HALF_POINTS`` (3 pt), and text whose colour has too
little contrast with what is behind it (run shading or highlight, paragraph or cell shading,
the page colour; see :data:`index.parsers.css.MIN_CONTRAST`). Each property is resolved as
Word does: direct formatting, then the character style, the paragraph style (each with its
``basedOn`` chain), then the document defaults.

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
from .css import MIN_CONTRAST, WHITE, contrast

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
TINY_HALF_POINTS = 6  # w:sz counts half-points: under 3 pt is unreadable
_VANISH = ("w:vanish", "w:webHidden", "w:specVanish")
_HIGHLIGHT = {"black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00",
              "magenta": "FF00FF", "red": "FF0000", "yellow": "FFFF00", "white": "FFFFFF",
              "darkBlue": "000080", "darkCyan": "008080", "darkGreen": "008000",
              "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000",
              "darkGray": "808080", "lightGray": "C0C0C0"}


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
    looks = _Looks(document)
    headings: list[tuple[int, str]] = []
    paragraphs = tables = 0
    for block in _blocks(document.element.body, document):
        section = " > ".join(h for _, h in headings)
        if isinstance(block, Table):
            tables += 1
            builder.blank()
            for number, row in enumerate(block.rows, start=1):
                visible, hidden = _row_text(row.cells, looks)
                meta = {"section": section, "table": str(tables), "row": str(number)}
                builder.segment(SegmentKind.TABLE_ROW, visible,
                                locator=f"table {tables}, row {number}", meta=meta)
                builder.segment(SegmentKind.TABLE_ROW, hidden, hidden=True,
                                locator=f"table {tables}, row {number}", meta=meta)
            builder.blank()
            continue
        level = _heading_level(block)
        if level is not None:
            parts = _runs(block, looks)
            text = "".join(t for t, hidden in parts if not hidden).strip()
            if text:
                headings = [h for h in headings if h[0] < level] + [(level, text)]
                builder.blank()
                builder.line(text)
            for hidden_text in (t for t, hidden in parts if hidden):
                paragraphs += 1
                builder.segment(SegmentKind.PARAGRAPH, hidden_text, hidden=True,
                                locator=f"paragraph {paragraphs}", meta={"section": section})
            continue
        for text, hidden in _runs(block, looks):
            paragraphs += 1
            builder.segment(
                SegmentKind.PARAGRAPH, text, locator=f"paragraph {paragraphs}", hidden=hidden,
                meta={"section": section, "style": _style_name(block)},
            )


class _Looks:
    """Resolves a run's effective formatting through styles, the way Word draws it."""

    def __init__(self, document: Document) -> None:
        self._styles: dict[str, Any] = {}
        for style in document.styles.element.iterchildren(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            if style_id:
                self._styles[style_id] = style
        self._default_paragraph = next(
            (st.get(qn("w:styleId")) for st in document.styles.element.iterchildren(qn("w:style"))
             if st.get(qn("w:type")) == "paragraph" and st.get(qn("w:default")) in ("1", "true")),
            None)
        defaults = document.styles.element.find(qn("w:docDefaults"))
        self._defaults = (defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
                          if defaults is not None else None)
        background = document.element.find(qn("w:background"))
        page = background.get(qn("w:color")) if background is not None else None
        self.page = _rgb(page) or WHITE

    def _chain(self, style_id: str | None) -> list[Any]:
        """The ``w:rPr`` of a style and the styles it is based on, nearest first."""
        out, seen = [], set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            style = self._styles[style_id]
            rpr = style.find(qn("w:rPr"))
            if rpr is not None:
                out.append(rpr)
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return out

    def _layers(self, run: Any, p_style: str | None) -> list[Any]:
        rpr = run.find(qn("w:rPr"))
        layers = [rpr] if rpr is not None else []
        r_style = rpr.find(qn("w:rStyle")) if rpr is not None else None
        if r_style is not None:
            layers += self._chain(r_style.get(qn("w:val")))
        layers += self._chain(p_style or self._default_paragraph)
        if self._defaults is not None:
            layers.append(self._defaults)
        return layers

    def hidden(self, run: Any, p_style: str | None, behind: tuple[float, float, float]) -> bool:
        """Whether a reader cannot see this run's text."""
        layers = self._layers(run, p_style)
        for tag in _VANISH:
            for layer in layers:
                el = layer.find(qn(tag))
                if el is not None:
                    if el.get(qn("w:val"), "true") not in ("0", "false", "off"):
                        return True
                    break
        size = _first(layers, "w:sz")
        if size is not None and size.isdigit() and int(size) < TINY_HALF_POINTS:
            return True
        color = _rgb(_first(layers, "w:color"))
        if color is None:
            return False  # "auto": Word picks black or white against the background
        shade = _rgb(_first(layers, "w:shd", "w:fill")) or _rgb(
            _HIGHLIGHT.get(_first(layers, "w:highlight") or "", "")) or behind
        return contrast(color, shade) < MIN_CONTRAST


def _first(layers: list[Any], tag: str, attr: str = "w:val") -> str | None:
    for layer in layers:
        el = layer.find(qn(tag))
        if el is not None and el.get(qn(attr)) is not None:
            return str(el.get(qn(attr)))
    return None


def _rgb(value: str | None) -> tuple[float, float, float] | None:
    if not value or len(value) != 6:
        return None
    try:
        return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)
    except ValueError:
        return None


def _shading(element: Any, container: str) -> tuple[float, float, float] | None:
    props = element.find(qn(container))
    shd = props.find(qn("w:shd")) if props is not None else None
    return _rgb(shd.get(qn("w:fill"))) if shd is not None else None


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


def _runs(paragraph: Paragraph, looks: _Looks,
          behind: tuple[float, float, float] | None = None) -> list[tuple[str, bool]]:
    """The paragraph's text, split where what a reader can see starts or ends.

    Every run counts, also those inside hyperlinks, inline content controls, text boxes and
    tracked insertions; deleted text is not part of a run's text.
    """
    p_style_el = paragraph._p.find(qn("w:pPr") + "/" + qn("w:pStyle"))
    p_style = p_style_el.get(qn("w:val")) if p_style_el is not None else None
    behind = _shading(paragraph._p, "w:pPr") or behind or looks.page
    parts: list[tuple[str, bool]] = []
    for element in paragraph._p.iter(qn("w:r")):
        if any(a.tag == _MC_FALLBACK for a in element.iterancestors()):
            continue  # the legacy copy of a text box, whose text the mc:Choice already has
        run = Run(element, paragraph)
        hidden = looks.hidden(element, p_style, behind)
        if parts and parts[-1][1] == hidden:
            parts[-1] = (parts[-1][0] + run.text, hidden)
        else:
            parts.append((run.text, hidden))
    return [(text, hidden) for text, hidden in parts if text.strip()]


def _row_text(cells: list[Any], looks: _Looks) -> tuple[str, str]:
    """A table row's visible text (cells joined by `` | ``) and its hidden text."""
    seen: set[int] = set()
    visible, hidden = [], []
    for cell in cells:
        if id(cell._tc) in seen:  # a merged cell appears once per grid column it spans
            continue
        seen.add(id(cell._tc))
        behind = _shading(cell._tc, "w:tcPr")
        shown, unseen = [], []
        for paragraph in cell.paragraphs:
            for text, is_hidden in _runs(paragraph, looks, behind):
                (unseen if is_hidden else shown).append(text)
        if " ".join(shown).strip():
            visible.append(" ".join(" ".join(shown).split()))
        if " ".join(unseen).strip():
            hidden.append(" ".join(" ".join(unseen).split()))
    return " | ".join(visible), " | ".join(hidden)


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

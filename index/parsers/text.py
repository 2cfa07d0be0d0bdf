"""Free-text rep notes: Markdown and plain text.

Markdown is parsed with markdown-it-py (CommonMark plus tables), and written back as plain
text: emphasis markers and link targets are dropped, because an extractor quoting
"**Anna Keller** owns the budget" would quote "Anna Keller owns the budget" and miss. Each
paragraph, list item and table row is a segment; headings stay in the text as their own lines
and name the ``section`` (the heading path) of the segments below them. Plain text is cut at
empty lines and at bullet lines. Segments are located by their first source line.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from handoff.domain import ParsedDocument, SegmentKind, SourceKind

from ._build import DocumentBuilder
from ._decode import decode_text
from .html import html_to_lines

_BULLET = re.compile(r"^\s*(?:[-*•–+]|\d{1,3}[.)])\s+\S")
_TAGS = re.compile(r"<[^>]+>")


def parse_text(data: bytes, filename: str) -> ParsedDocument:
    """Parse a plain-text note: one PARAGRAPH segment per paragraph or bullet line.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the bytes are not text, or there is no text.
    """
    text = decode_text(data, filename)
    builder = DocumentBuilder(filename, "text", SourceKind.CRM_NOTE)
    block: list[str] = []
    block_start = 0
    lines = text.split("\n")
    for number, line in enumerate([*lines, ""], start=1):
        if not line.strip() or (_BULLET.match(line) and block):
            builder.segment(SegmentKind.PARAGRAPH, "\n".join(block), locator=f"line {block_start}")
            block = []
            if not line.strip():
                builder.blank()
                continue
        if not block:
            block_start = number
        block.append(line)
    return builder.build({"lines": str(len(lines))})


def parse_markdown(data: bytes, filename: str) -> ParsedDocument:
    """Parse Markdown notes: segments per paragraph, list item and table row.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the bytes are not text, or there is no text besides headings.
    """
    text = decode_text(data, filename)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    builder = DocumentBuilder(filename, "markdown", SourceKind.CRM_NOTE)
    headings: list[tuple[int, str]] = []
    depth = 0  # how many lists are open around the current token
    pending_bullet = ""
    row: list[str] = []
    row_line = ""
    title = ""
    for i, tok in enumerate(tokens):
        line = f"line {tok.map[0] + 1}" if tok.map else ""
        section = " > ".join(h for _, h in headings)
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            heading = _inline(tokens[i + 1])
            headings = [h for h in headings if h[0] < level] + [(level, heading)]
            title = title or heading
            builder.blank()
            builder.line(heading)
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif tok.type == "list_item_open":
            marker = tok.info + tok.markup if tok.info else "-"
            pending_bullet = "  " * (depth - 1) + marker + " "
        elif tok.type == "inline" and i and tokens[i - 1].type == "paragraph_open":
            meta = {"section": section, "list_item": "yes" if pending_bullet else ""}
            for text, hidden in _inline_parts(tok):
                builder.segment(SegmentKind.PARAGRAPH, text, prefix=pending_bullet,
                                locator=_line(tokens[i - 1]), meta=meta, hidden=hidden)
                pending_bullet = ""
            pending_bullet = ""
        elif tok.type in ("fence", "code_block"):
            builder.segment(SegmentKind.PARAGRAPH, tok.content, locator=line,
                            meta={"section": section, "code": "yes"})
        elif tok.type == "html_block":
            for html_line in html_to_lines(tok.content):
                builder.segment(SegmentKind.PARAGRAPH, html_line.text, locator=line,
                                hidden=html_line.hidden, meta={"section": section})
        elif tok.type == "tr_open":
            row = []
            row_line = line
        elif tok.type == "inline" and i and tokens[i - 1].type in ("th_open", "td_open"):
            row.append(_inline(tok))
        elif tok.type == "tr_close":
            builder.segment(SegmentKind.TABLE_ROW, " | ".join(c for c in row if c),
                            locator=row_line, meta={"section": section})
        elif tok.type in ("paragraph_close", "table_close") and not depth:
            builder.blank()
    return builder.build({"title": title})


def _line(tok: Token) -> str:
    return f"line {tok.map[0] + 1}" if tok.map else ""


def _inline_parts(tok: Token) -> list[tuple[str, bool]]:
    """A paragraph's text; with inline HTML, rendered so text it hides is marked hidden."""
    children = tok.children or []
    if not any(c.type == "html_inline" for c in children):
        return [(_inline(tok), False)]
    markup = []
    for child in children:
        if child.type == "html_inline":
            markup.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            markup.append("<br>")
        elif child.type == "image":
            markup.append(html.escape(_inline(child)))
        else:
            markup.append(html.escape(child.content))
    return [(line.text, line.hidden) for line in html_to_lines("".join(markup)) if line.text]


def _inline(tok: Token) -> str:
    """Plain text of an inline token: markup dropped, breaks kept as newlines."""
    parts: list[str] = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline(child))
        elif child.type == "html_inline":
            parts.append(_TAGS.sub("", child.content))
    return "".join(parts).strip()

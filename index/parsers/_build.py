"""Assemble a ParsedDocument so that every segment's offsets are right by construction.

Parsers never compute offsets themselves: they append text through a `DocumentBuilder`,
which records where each segment's text starts and ends in the growing document text. The
invariant ``doc.text[seg.start:seg.end] == seg.text`` therefore holds for every parser, and
text that belongs to no segment (a transcript line's ``[00:12:03] Anna Keller:`` label, a
heading, a CSV row's caption) can still be written around the segments.
"""

from __future__ import annotations

import re

from handoff.domain import ParsedDocument, Segment, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._decode import normalize_newlines

# Control characters other than tab and newline would only confuse chunking and quoting.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")


def clean_text(text: str) -> str:
    """Normalise newlines, drop control characters and trailing spaces, strip the ends."""
    text = _CONTROL.sub("", normalize_newlines(text))
    return _TRAILING_SPACE.sub("\n", text.replace("\u00a0", " ")).strip()


class DocumentBuilder:
    """Appends text and segments and produces the finished document.

    Args:
        filename: The file's name as uploaded.
        fmt: The detected format name (``"vtt"``, ``"eml"``...).
        kind: What kind of source the file is.
    """

    def __init__(self, filename: str, fmt: str, kind: SourceKind) -> None:
        self.filename = filename
        self.format = fmt
        self.kind = kind
        self._parts: list[str] = []
        self._length = 0
        self._tail = ""
        self.segments: list[Segment] = []

    def _write(self, text: str) -> None:
        if text:
            self._parts.append(text)
            self._length += len(text)
            self._tail = (self._tail + text)[-2:]

    def line(self, text: str) -> None:
        """Write a line of text that belongs to no segment (a label, a heading)."""
        text = clean_text(text)
        if text:
            self._write(text + "\n")

    def blank(self) -> None:
        """End the current block with an empty line, unless one is already there."""
        if self._length and self._tail != "\n\n":
            self._write("\n" if self._tail.endswith("\n") else "\n\n")

    def segment(
        self,
        kind: SegmentKind,
        text: str,
        *,
        prefix: str = "",
        speaker: str | None = None,
        speaker_title: str | None = None,
        timestamp: str | None = None,
        locator: str = "",
        hidden: bool = False,
        meta: dict[str, str] | None = None,
    ) -> Segment | None:
        """Write ``prefix`` and ``text`` on a new line and record ``text`` as a segment.

        Args:
            kind: The segment kind.
            text: The citable text; cleaned first. Nothing is written when it is empty.
            prefix: Text written before the segment but outside its span (a speaker label).
            speaker: Who said or wrote it.
            speaker_title: The speaker's job title, when the source says so.
            timestamp: ``HH:MM:SS`` in a call, an ISO date for emails and notes.
            locator: A human-readable pointer back into the source.
            hidden: The text was hidden in the source's HTML.
            meta: Extra string fields (headers, section, row number...).

        Returns:
            The recorded segment, or None when the text was empty.
        """
        text = clean_text(text)
        if not text:
            return None
        if self._tail and not self._tail.endswith("\n"):
            self._write("\n")
        self._write(prefix)
        start = self._length
        self._write(text)
        seg = Segment(
            index=len(self.segments),
            kind=kind,
            text=text,
            start=start,
            end=self._length,
            speaker=speaker or None,
            speaker_title=speaker_title or None,
            timestamp=timestamp or None,
            locator=locator,
            hidden=hidden,
            meta={k: v for k, v in (meta or {}).items() if v},
        )
        self._write("\n")
        self.segments.append(seg)
        return seg

    def build(self, meta: dict[str, str] | None = None) -> ParsedDocument:
        """Return the document.

        Raises:
            ParseError: no segment holds any text.
        """
        if not self.segments:
            raise ParseError(self.filename, "no text found")
        text = "".join(self._parts).rstrip()
        return ParsedDocument(
            filename=self.filename,
            format=self.format,
            kind=self.kind,
            text=text,
            segments=self.segments,
            meta={k: v for k, v in (meta or {}).items() if v},
        )

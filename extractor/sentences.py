"""Sentences of a parsed document, with exact offsets into its text (EN + DE aware).

Design note: every fact the rules backend extracts cites the sentence it came from, so a
sentence keeps the document offsets of its span; ``doc.text[s.start:s.end] == s.text`` holds
by construction and the citation is exact. Splitting works on ``doc.text`` (not on
``Segment.text``), so a parser that trims a segment's text cannot shift the offsets.

Splits happen at ``.``, ``!`` and ``?`` followed by whitespace and a non-lowercase
character, except after abbreviations ("z. B.", "Dr.", "ca.", "Nr.", "e.g."), German
ordinals before a month ("am 1. April") and dates without a year ("am 12.03. Kickoff").
Blank lines always split; a single line break splits unless the line looks hard-wrapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from handoff.domain import (
    AlignmentStatus,
    Citation,
    ParsedDocument,
    Segment,
    SegmentKind,
    SourceKind,
)

_ABBREVIATIONS = {
    "dr", "prof", "mr", "mrs", "ms", "fr", "frau", "hr", "hrn", "herr", "st", "str", "ca",
    "nr", "bzw", "vs", "inkl", "zzgl", "exkl", "ggf", "evtl", "usw", "etc", "abs", "tel",
    "inc", "ltd", "co", "corp", "approx", "dept", "abt", "gem", "lt", "vgl", "max", "min",
    "mio", "mrd", "tsd", "jan", "feb", "mär", "apr", "jun", "jul", "aug", "sep", "sept",
    "okt", "oct", "nov", "dez", "dec", "jh", "wk", "wks", "est", "sr", "jr", "dipl", "ing",
    "mag", "reg", "mgr", "dir", "sup", "prev", "pp", "ff", "bspw", "insb", "allg", "resp",
    "ehem", "kfm", "kaufm", "techn", "mgmt", "gmbh", "pos", "ziff", "anl",
}
_MONTH_START = re.compile(
    r"(?:Jan|Feb|Mär|Mar|Apr|Mai|May|Jun|Jul|Aug|Sep|Okt|Oct|Nov|Dez|Dec|Quartal|KW)"
)
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_TOKEN = re.compile(r"(\S+)$")
_LETTER_DOTS = re.compile(r"^[(\"„]?(?:[A-Za-zÄÖÜäöü]\.)+$|^(?:[A-Za-zÄÖÜäöü]{1,3}\.){2,}$")
_NUMERIC = re.compile(r"^\d{1,2}\.(?:\d{1,2}\.)?$")
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)]\s|(?:Pos\.|Position|Item|Nr\.|§)\s*\d)")
_PRIMARY_SKIP = {SegmentKind.QUOTED, SegmentKind.HEADER, SegmentKind.SIGNATURE}


@dataclass(frozen=True)
class Sentence:
    """One sentence (or line) of a segment; ``text == document text[start:end]``."""

    text: str
    start: int
    end: int
    segment: Segment
    source: str  # the document's file name
    kind: SourceKind = SourceKind.DOCUMENT

    @property
    def filename(self) -> str:
        """The document's file name (same as ``source``)."""
        return self.source

    @property
    def speaker(self) -> str | None:
        """The speaker of a call turn or the sender of an email message."""
        return self.segment.speaker

    def citation(self) -> Citation:
        """An exact citation of this sentence."""
        seg = self.segment
        return Citation(
            source=self.source, quote=self.text, locator=seg.locator or None,
            speaker=seg.speaker, timestamp=seg.timestamp, segment_index=seg.index,
            start=self.start, end=self.end, alignment=AlignmentStatus.EXACT,
        )


def _is_boundary(text: str, dot: int, after: int, hi: int) -> bool:
    """Whether the punctuation run ``text[dot:after]`` ends a sentence before ``hi``."""
    rest = text[after:min(hi, after + 40)].lstrip(" \t")
    if not rest or rest[0] == "\n":
        return True
    if rest[0].islower() or rest[0] in ",;:":
        return False
    if text[dot] != ".":
        return True
    m = _TOKEN.search(text, max(0, dot - 40), dot + 1)
    token = m.group(1) if m else ""
    word = token[:-1].lstrip("(\"„").lower()
    if word in _ABBREVIATIONS or _LETTER_DOTS.match(token) or (word == "no" and rest[0].isdigit()):
        return False
    return not (_NUMERIC.match(token) and (_MONTH_START.match(rest) or rest[0].isdigit()
                                            or token.count(".") == 2))


def _line_breaks(text: str, lo: int, hi: int) -> list[int]:
    """Offsets of line breaks in ``text[lo:hi]`` that start a new sentence."""
    cuts: list[int] = []
    for m in re.finditer(r"\n", text[lo:hi]):
        at = lo + m.start()
        prev_line = text[max(lo, text.rfind("\n", lo, at) + 1):at].rstrip()
        nxt_end = text.find("\n", at + 1, hi)
        nxt = text[at + 1:hi if nxt_end < 0 else nxt_end]
        stripped = nxt.lstrip()
        if not prev_line or not stripped:
            cuts.append(at)
        elif prev_line[-1] in ".!?:;" or _BULLET.match(nxt) or re.match(r"^[\w .-]{1,30}:", nxt):
            cuts.append(at)
        elif not stripped[0].islower() and len(prev_line) < 60:
            cuts.append(at)
    return cuts


def split_span(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[lo:hi]`` as absolute, whitespace-trimmed offsets."""
    cuts = set(_line_breaks(text, lo, hi))
    for m in _END.finditer(text, lo, hi):
        if _is_boundary(text, m.start(), m.end(), hi):
            cuts.add(m.end())
    spans: list[tuple[int, int]] = []
    begin = lo
    for cut in sorted(cuts) + [hi]:
        s, e = begin, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        begin = cut
    return spans


def segment_sentences(doc: ParsedDocument, seg: Segment) -> list[Sentence]:
    """The sentences of one segment of ``doc``."""
    return [
        Sentence(doc.text[s:e], s, e, seg, doc.filename, doc.kind)
        for s, e in split_span(doc.text, seg.start, min(seg.end, len(doc.text)))
    ]


def sentences(doc: ParsedDocument) -> list[Sentence]:
    """Every sentence of every segment of ``doc``, in document order.

    Args:
        doc: a parsed document.

    Returns:
        Sentences with exact document offsets (hidden and quoted segments included; use
        :func:`primary` for what a fact may be extracted from).
    """
    out: list[Sentence] = []
    for seg in doc.segments:
        out.extend(segment_sentences(doc, seg))
    return out


def primary(doc: ParsedDocument) -> Iterator[Sentence]:
    """Sentences a fact may come from: no quoted replies, headers, signatures or hidden text.

    Quoted replies were said first elsewhere, headers and signatures carry no claims (the
    roster reads them directly), and hidden HTML text is untrusted.
    """
    for seg in doc.segments:
        if seg.kind in _PRIMARY_SKIP or seg.hidden:
            continue
        yield from segment_sentences(doc, seg)

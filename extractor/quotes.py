"""Quoted email text whose original message is not among the deal's sources.

Design note. The email parser marks quoted replies as ``QUOTED`` so that a fact is cited from
the message that said it first, and the extractors skip quoted text. That is right when the
original is uploaded too. Reps often export only the last email of a thread, though, and then
the quote is the only copy of what was written: the rep's offer with its discount, the
customer's requirements. Such an *orphan* quote is promoted to a message of its quoted author
for extraction (offsets, text and the stored document are unchanged, so citations stay exact).
A quote is an orphan when most of its lines occur in no unquoted text of the deal; of several
copies of the same orphan (every later reply quotes it again), only the first is promoted.
"""

from __future__ import annotations

import re

from handoff.domain import ParsedDocument, Segment, SegmentKind
from index.parsers._reply import signature_line

_PRIMARY = (SegmentKind.TURN, SegmentKind.MESSAGE, SegmentKind.NOTE, SegmentKind.PARAGRAPH,
            SegmentKind.TABLE_ROW)
MIN_LINE = 20  # shorter lines ("Thanks,", "Hi Anna") prove nothing either way
ORPHAN_SHARE = 0.5


def _norm(text: str) -> str:
    return " ".join(re.sub(r"(?m)^\s*(?:>\s?)+", "", text).split()).lower()


def _lines(text: str) -> list[str]:
    return [n for line in text.splitlines() if len(n := _norm(line)) >= MIN_LINE]


def promote_orphan_quotes(docs: list[ParsedDocument]) -> list[ParsedDocument]:
    """The documents with each orphan quoted part turned into a message of its author."""
    seen = " \n ".join(_norm(s.text) for d in docs for s in d.segments
                       if s.kind in _PRIMARY and not s.hidden)
    out: list[ParsedDocument] = []
    for doc in docs:
        segments: list[Segment] = []
        changed = False
        for seg in doc.segments:
            lines = _lines(seg.text) if seg.kind == SegmentKind.QUOTED and not seg.hidden else []
            missing = [ln for ln in lines if ln not in seen]
            if lines and len(missing) / len(lines) > ORPHAN_SHARE:
                segments.extend(_promote(seg))
                seen += " \n " + _norm(seg.text)
                changed = True
            else:
                segments.append(seg)
        out.append(doc.model_copy(update={"segments": segments}) if changed else doc)
    return out


def _part(seg: Segment, kind: SegmentKind, a: int, b: int) -> Segment | None:
    """The part ``seg.text[a:b]`` (trimmed) as its own segment, with document offsets."""
    chunk = seg.text[a:b]
    lead = len(chunk) - len(chunk.lstrip())
    text = chunk.strip()
    if not text:
        return None
    start = seg.start + a + lead
    return seg.model_copy(update={"kind": kind, "text": text, "start": start,
                                  "end": start + len(text),
                                  "meta": {**seg.meta, "promoted_quote": "1"}})


def _promote(seg: Segment) -> list[Segment]:
    """A quoted part as its author's message: attribution line(s) as a header, the message,
    and the signature (where the quoted author's title lives) split off as in a real email."""
    text = seg.text
    body = 0
    attribution = seg.meta.get("attribution", "")
    if attribution and text.startswith(attribution.split("\n")[0]):
        lines_in = len(attribution.split("\n"))
        body = sum(len(line) + 1 for line in text.split("\n")[:lines_in])
    lines = text[body:].split("\n")
    sig = signature_line(lines)
    cut = body + (sum(len(line) + 1 for line in lines[:sig]) if sig is not None else len(text))
    parts = [_part(seg, SegmentKind.HEADER, 0, body), _part(seg, SegmentKind.MESSAGE, body, cut),
             _part(seg, SegmentKind.SIGNATURE, cut, len(text))]
    return [p for p in parts if p is not None]

"""Chunking on segment boundaries.

A chunk is a run of whole segments (speaker turns, email parts, notes, paragraphs) of about
``target_words`` words, sized for the sentence encoder. A segment longer than the limit is cut at
sentence ends, never mid-word, so every chunk is still a span ``[start, end)`` of the document's
text and knows which segments it covers. Hidden HTML text gets chunks of its own, so a
search hit on it is always visibly a hidden passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handoff.domain import ParsedDocument, Segment, SegmentKind

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    start: int
    end: int
    first_segment: int
    last_segment: int
    text: str


def _words(text: str) -> int:
    return len(text.split())


def _split_long(seg: Segment, limit: int) -> list[tuple[int, int]]:
    """Cut one long segment into spans of at most ``limit`` words at sentence ends."""
    spans: list[tuple[int, int]] = []
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(seg.text):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(seg.text)))
    cur_start, cur_end, cur_words = None, 0, 0
    for a, b in pieces:
        w = _words(seg.text[a:b])
        if cur_start is not None and cur_words + w > limit:
            spans.append((cur_start, cur_end))
            cur_start, cur_words = None, 0
        if w > limit:  # one sentence longer than the limit: cut on whitespace
            tokens = list(re.finditer(r"\S+", seg.text[a:b]))
            for i in range(0, len(tokens), limit):
                group = tokens[i : i + limit]
                spans.append((a + group[0].start(), a + group[-1].end()))
            continue
        if cur_start is None:
            cur_start = a
        cur_end, cur_words = b, cur_words + w
    if cur_start is not None:
        spans.append((cur_start, cur_end))
    return [(seg.start + a, seg.start + b) for a, b in spans if b > a]


def _line_start(text: str, offset: int) -> int:
    """Widen a chunk to the start of its line so speaker labels like "[00:01] Anna:" stay in."""
    nl = text.rfind("\n", 0, offset)
    return nl + 1


def chunk_document(doc: ParsedDocument, target_words: int = 200) -> list[Chunk]:
    """Group a document's segments into chunks of about ``target_words`` words.

    Header segments of emails are glued to the message that follows them, so a chunk about
    a message also carries its sender and date.
    """
    chunks: list[Chunk] = []
    group: list[Segment] = []
    group_words = 0

    def flush() -> None:
        nonlocal group, group_words
        if not group:
            return
        start = _line_start(doc.text, group[0].start)
        end = group[-1].end
        chunks.append(Chunk(len(chunks), start, end, group[0].index, group[-1].index,
                            doc.text[start:end]))
        group, group_words = [], 0

    for seg in doc.segments:
        if not seg.text.strip():
            continue
        words = _words(seg.text)
        if words > target_words:
            flush()
            for a, b in _split_long(seg, target_words):
                start = _line_start(doc.text, a) if a == seg.start else a
                chunks.append(Chunk(len(chunks), start, b, seg.index, seg.index, doc.text[start:b]))
            continue
        hidden_switch = bool(group) and group[-1].hidden != seg.hidden
        starts_message = seg.kind == SegmentKind.HEADER
        if group and (hidden_switch or starts_message or group_words + words > target_words):
            flush()
        group.append(seg)
        group_words += words
    flush()
    return chunks

"""Grounding: re-locate every quote a model (or a rule) gives in the deal's real source text.

Design note. Small models paraphrase, merge lines, drop speaker labels and cite the wrong
passage, so a quote is never trusted as given. :class:`SourceIndex` looks for it in three
steps, the cited document first and then every other document of the deal:

1. exact: the quote occurs verbatim;
2. normalized: equal after case folding and collapsing whitespace (and typographic quotes
   and dashes folded), mapped back to the original offsets;
3. fuzzy: the best partial alignment (rapidfuzz) inside one segment, accepted above a
   threshold and *snapped* to whole words of the real text, so the citation shows what the
   source says, not what the model said.

Text hidden in HTML (display:none, white on white) is never a place a quote can land.
Occurrences inside a quoted email reply or a signature are passed over when the same words
stand in a message's own text, so a citation points to the message that said it first.
What cannot be aligned is returned with status ``ungrounded``; the chain never shows that as
sourced.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from handoff.domain import AlignmentStatus, Citation, ParsedDocument, Segment, SegmentKind

FUZZY_THRESHOLD = 82.0
MIN_QUOTE_CHARS = 8

_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u201e": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " ",
                       "\u2026": "."})
_PREFIX = re.compile(r"^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\]?\s*)?"
                     r"(?:[A-ZÄÖÜ][\w.'-]+(?:\s+[A-ZÄÖÜ][\w.'-]+){0,3}\s*:\s+)?")
_SECONDARY = {SegmentKind.QUOTED, SegmentKind.SIGNATURE, SegmentKind.HEADER}


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Case-fold, fold typography and collapse whitespace; map each output char to its source."""
    out: list[str] = []
    pos: list[int] = []
    prev_space = True
    for i, ch in enumerate(text):
        ch = unicodedata.normalize("NFKC", ch).translate(_FOLD).casefold()
        for c in ch:
            if c.isspace():
                if prev_space:
                    continue
                c, prev_space = " ", True
            else:
                prev_space = False
            out.append(c)
            pos.append(i)
    while out and out[-1] == " ":
        out.pop()
        pos.pop()
    return "".join(out), pos


def normalize(text: str) -> str:
    return normalize_with_map(text)[0]


def clean_quote(quote: str) -> str:
    """Strip wrapping quotes, a leading timestamp/speaker label and ellipses a model adds."""
    q = quote.strip().strip('"\u201c\u201d\u201e\'').strip()
    q = _PREFIX.sub("", q, count=1) if _PREFIX.match(q) and len(_PREFIX.sub("", q)) > 10 else q
    return q.strip(" .…").strip()


@dataclass
class _Doc:
    doc: ParsedDocument
    norm: str
    pos: list[int]


class SourceIndex:
    """The deal's documents, prepared for locating quotes."""

    def __init__(self, docs: list[ParsedDocument]) -> None:
        self.docs = {d.filename: _Doc(d, *normalize_with_map(d.text)) for d in docs}

    def locate(self, quote: str, source: str | None = None,
               span: tuple[int, int] | None = None) -> Citation:
        """Find ``quote`` in the sources, preferring ``source`` (and ``span`` within it)."""
        raw = quote or ""
        q = clean_quote(raw)
        if len(q) < MIN_QUOTE_CHARS:
            return Citation(source=source or "", quote=raw, alignment=AlignmentStatus.UNGROUNDED,
                            claimed_quote=raw)
        order = self._order(source)
        pieces = [p.strip() for p in re.split(r"\s*(?:\.\.\.|…|\[\.\.\.\])\s*", q)
                  if len(p.strip()) >= MIN_QUOTE_CHARS]
        candidates = [q] + [p for p in sorted(pieces, key=len, reverse=True) if p != q]
        for cand in candidates:
            found = self._exact(cand, order) or self._normalized(cand, order)
            if found:
                return self._cite(*found, claimed=raw)
        found_fuzzy = self._fuzzy(q, order, source, span)
        if found_fuzzy:
            return self._cite(*found_fuzzy, claimed=raw)
        return Citation(source=source or "", quote=raw, alignment=AlignmentStatus.UNGROUNDED,
                        claimed_quote=raw)

    # ------------------------------------------------------------------ steps

    def _order(self, source: str | None) -> list[_Doc]:
        docs = list(self.docs.values())
        if source in self.docs:
            docs.sort(key=lambda d: d.doc.filename != source)
        return docs

    def _prefer_primary(self, hits: list[tuple[_Doc, int, int, AlignmentStatus]]
                        ) -> tuple[_Doc, int, int, AlignmentStatus] | None:
        # Text hidden in HTML is never evidence: nobody reading the email saw it.
        hits = [h for h in hits if not _hidden_at(h[0].doc, h[1])]
        if not hits:
            return None
        for hit in hits:
            seg = hit[0].doc.segment_at(hit[1])
            if seg is None or seg.kind not in _SECONDARY:
                return hit
        return hits[0]

    def _exact(self, q: str, order: list[_Doc]) -> tuple[_Doc, int, int, AlignmentStatus] | None:
        hits = []
        for d in order:
            for m in re.finditer(re.escape(q), d.doc.text):
                hits.append((d, m.start(), m.end(), AlignmentStatus.EXACT))
        return self._prefer_primary(hits)

    def _normalized(self, q: str, order: list[_Doc]
                    ) -> tuple[_Doc, int, int, AlignmentStatus] | None:
        nq = normalize(q)
        if not nq:
            return None
        hits = []
        for d in order:
            start = d.norm.find(nq)
            while start != -1:
                end = start + len(nq) - 1
                hits.append((d, d.pos[start], d.pos[end] + 1, AlignmentStatus.NORMALIZED))
                start = d.norm.find(nq, start + 1)
        return self._prefer_primary(hits)

    def _fuzzy(self, q: str, order: list[_Doc], source: str | None,
               span: tuple[int, int] | None) -> tuple[_Doc, int, int, AlignmentStatus] | None:
        nq = normalize(q)
        best: tuple[float, _Doc, int, int] | None = None
        for d in order:
            for seg in d.doc.segments:
                if len(seg.text) < MIN_QUOTE_CHARS or seg.hidden:
                    continue
                bonus = 0.0
                if d.doc.filename == source:
                    bonus += 1.0
                    if span and seg.start < span[1] and seg.end > span[0]:
                        bonus += 1.0
                if seg.kind in _SECONDARY:
                    bonus -= 1.5
                found = _align_in_segment(nq, seg)
                if found is None:
                    continue
                score, a, b = found
                if score < FUZZY_THRESHOLD:
                    continue
                if best is None or score + bonus > best[0]:
                    best = (score + bonus, d, a, b)
        if best is None:
            return None
        return best[1], best[2], best[3], AlignmentStatus.FUZZY

    def _cite(self, d: _Doc, start: int, end: int, status: AlignmentStatus,
              claimed: str) -> Citation:
        seg = d.doc.segment_at(start)
        quote = d.doc.text[start:end]
        return Citation(
            source=d.doc.filename, quote=quote, start=start, end=end, alignment=status,
            segment_index=seg.index if seg else None,
            locator=seg.locator if seg else None,
            speaker=seg.speaker if seg else None,
            timestamp=seg.timestamp if seg else None,
            claimed_quote=claimed if claimed.strip() != quote else None,
        )


def _hidden_at(doc: ParsedDocument, offset: int) -> bool:
    seg = doc.segment_at(offset)
    return seg is not None and seg.hidden


def _align_in_segment(nq: str, seg: Segment) -> tuple[float, int, int] | None:
    """Best partial alignment of a normalized quote in one segment, snapped to whole words."""
    norm, pos = normalize_with_map(seg.text)
    if not norm:
        return None
    shorter, longer = (nq, norm) if len(nq) <= len(norm) else (norm, nq)
    res = fuzz.partial_ratio_alignment(shorter, longer, score_cutoff=FUZZY_THRESHOLD - 5)
    if res is None:
        return None
    if len(nq) <= len(norm):
        a, b = res.dest_start, res.dest_end
    else:  # the quote is longer than the segment: the model merged lines; cite the segment
        a, b = 0, len(norm)
        # penalise quotes that are much longer than what they align to
        if len(norm) < 0.6 * len(nq):
            return None
    if b <= a:
        return None
    a = _snap_left(norm, a)
    b = _snap_right(norm, b)
    start = seg.start + pos[a]
    end = seg.start + pos[b - 1] + 1
    return float(res.score), start, end


def _snap_left(norm: str, a: int) -> int:
    while a > 0 and norm[a - 1] != " ":
        a -= 1
    return a


def _snap_right(norm: str, b: int) -> int:
    while b < len(norm) and norm[b] != " ":
        b += 1
    while b > 0 and not norm[b - 1].isalnum() and norm[b - 1] not in "%€$)\"'":
        b -= 1
    return max(b, 1)


def is_grounded_in(quote: str, text: str) -> bool:
    """The spec's test: quote occurs in text, case-insensitive with whitespace collapsed."""
    nq = " ".join(quote.casefold().split())
    return bool(nq) and nq in " ".join(text.casefold().split())

"""Locate gold evidence in a source's extracted text, for the HTML report's highlights.

Design note: the report shows the *original* source text around the evidence, so the
search runs on a normalised copy (NFKC, case folded, whitespace collapsed, as everywhere
in the harness) that remembers, for every normalised character, the span of original text
it came from. Base characters and their combining marks are normalised together, so a
decomposed ``a`` + U+0308 in the source still matches ``ä`` in the evidence. Gold evidence
may be slightly paraphrased (the citation rule only asks for half its words), so when the
exact search fails a fuzzy alignment (rapidfuzz) is tried before giving up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from evals.matching import normalise

FUZZY_MIN_SCORE = 75.0
DEFAULT_WINDOW = 240
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Passage:
    """A window of source text split around the located evidence.

    Attributes:
        before: Text before the evidence (starts with "…" when cut).
        marked: The evidence as it stands in the source.
        after: Text after the evidence (ends with "…" when cut).
        fuzzy: True when only a fuzzy alignment located it.
    """

    before: str
    marked: str
    after: str
    fuzzy: bool = False


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of a base character followed by its combining marks."""
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if spans and unicodedata.combining(ch) and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def normalised_with_map(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The normalised text and, per normalised character, its span in ``text``."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for start, end in _clusters(text):
        piece = unicodedata.normalize(
            "NFKC", unicodedata.normalize("NFKC", text[start:end]).casefold())
        if not piece.strip():
            if chars and chars[-1] != " ":
                chars.append(" ")
                spans.append((start, end))
            continue
        for ch in piece:
            chars.append(ch)
            spans.append((start, end))
    return "".join(chars), spans


def locate(text: str, needle: str) -> tuple[int, int, bool] | None:
    """Find ``needle`` in ``text`` case- and whitespace-insensitively.

    Returns:
        ``(start, end, fuzzy)`` offsets into the original ``text``, or None when neither
        the exact nor the fuzzy search finds it.
    """
    target = normalise(needle)
    if not target or not text:
        return None
    hay, spans = normalised_with_map(text)
    at = hay.find(target)
    if at >= 0:
        return spans[at][0], spans[at + len(target) - 1][1], False
    if len(target) > len(hay):
        return None
    found = fuzz.partial_ratio_alignment(target, hay, score_cutoff=FUZZY_MIN_SCORE)
    if found is None or found.dest_end <= found.dest_start:
        return None
    start, end = spans[found.dest_start][0], spans[found.dest_end - 1][1]
    # A fuzzy alignment may stop mid-word; widen it to whole words.
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end, True


def _cut_start(text: str, at: int) -> int:
    """Move a window start forward to a word boundary (at most 40 characters)."""
    if at <= 0:
        return 0
    space = _SPACE.search(text, at, at + 40)
    return space.end() if space else at


def _cut_end(text: str, at: int) -> int:
    """Move a window end back to a word boundary (at most 40 characters)."""
    if at >= len(text):
        return len(text)
    spaces = list(_SPACE.finditer(text, max(0, at - 40), at))
    return spaces[-1].start() if spaces else at


def passage(text: str, evidence: str, window: int = DEFAULT_WINDOW) -> Passage | None:
    """The evidence in its surrounding source text, or None when it cannot be located.

    Args:
        text: The source's extracted text.
        evidence: The gold evidence to highlight.
        window: Characters of context kept on each side (cut at word boundaries).
    """
    found = locate(text, evidence)
    if found is None:
        return None
    start, end, fuzzy = found
    lo = _cut_start(text, start - window)
    hi = _cut_end(text, end + window)
    lo, hi = min(lo, start), max(hi, end)
    before = ("…" if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    return Passage(before=before, marked=text[start:end], after=after, fuzzy=fuzzy)

"""Passages found by search, as a model reads them in a prompt (Q&A)."""

from __future__ import annotations

from typing import Protocol

from index.search import Passage

PASSAGE_CHARS = 800


class Retriever(Protocol):
    def __call__(self, query: str, k: int) -> list[Passage]: ...


def render_passages(passages: list[Passage]) -> str:
    """Numbered passages with their source and locator, each cut at PASSAGE_CHARS."""
    lines = []
    for i, p in enumerate(passages, start=1):
        where = " ".join(x for x in (p.source, p.locator) if x)
        lines.append(f"P{i} [{where}]:\n{p.text[:PASSAGE_CHARS]}")
    return "\n\n".join(lines)

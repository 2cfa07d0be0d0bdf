"""The rules backend's entry point: every category's rules over one deal's documents.

Design note: no model, no network, no randomness: the same sources always give the same
items, in milliseconds. That makes it the offline baseline the LLM backends must beat and
the backend CI evaluates. Items get placeholder ids ``r1``, ``r2`` ... (the chain
renumbers them); every citation is an exact span of its document's text.
"""

from __future__ import annotations

from handoff.domain import Item, ParsedDocument

from .commitments import extract_commitments
from .context import Context
from .generic import extract_generic
from .stakeholders import extract_stakeholders


def extract_items(docs: list[ParsedDocument]) -> list[Item]:
    """Extract brief items from parsed sources with cue rules only.

    Args:
        docs: the parsed sources of one deal (any mix of calls, emails, CRM notes and
            documents, English or German).

    Returns:
        Items under ``category.field`` keys, each citing the sentence(s) it came from with
        an exact quote and offsets.
    """
    if not docs:
        return []
    ctx = Context(docs)
    items = extract_stakeholders(ctx) + extract_commitments(ctx) + extract_generic(ctx)
    for n, item in enumerate(items, start=1):
        item.id = f"r{n}"
    return items

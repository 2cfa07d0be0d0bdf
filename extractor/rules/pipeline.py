"""The rules backend's entry point: every category's rules over one deal's documents.

Design note: no model, no network, no randomness: the same sources always give the same
items, in well under a second. That makes it the offline baseline the LLM backends must
beat and the backend CI evaluates. Items come out in the order of the brief (categories as
in ``CATEGORIES``, then source order), get placeholder ids ``r1``, ``r2`` ... (the chain
renumbers them), and every citation is an exact span of its document's text.
"""

from __future__ import annotations

from handoff.domain import CATEGORIES, Item, ParsedDocument

from .commitments import extract_commitments
from .context import Context
from .generic import extract_generic
from .stakeholders import extract_stakeholders

_CATEGORY_ORDER = {c: n for n, c in enumerate(CATEGORIES)}


def _unique(items: list[Item]) -> list[Item]:
    """One item per key and cited span: two rules reading the same sentence say it once."""
    seen: set[tuple[str, str, int | None, int | None]] = set()
    kept: list[Item] = []
    for item in items:
        first = item.citations[0]
        mark = (item.key, first.source, first.start, first.end)
        if mark not in seen:
            seen.add(mark)
            kept.append(item)
    return kept


def _order(item: Item) -> tuple[int, str, int]:
    first = item.citations[0]
    return _CATEGORY_ORDER.get(item.category, len(_CATEGORY_ORDER)), first.source, \
        first.start or 0


def extract_items(docs: list[ParsedDocument]) -> list[Item]:
    """Extract brief items from parsed sources with cue rules only.

    Args:
        docs: the parsed sources of one deal (any mix of calls, emails, CRM notes and
            documents, English or German).

    Returns:
        Items under ``category.field`` keys, each citing the sentence(s) it came from with
        an exact quote and offsets, in brief order.
    """
    if not docs:
        return []
    ctx = Context(docs)
    found = extract_stakeholders(ctx) + extract_commitments(ctx) + extract_generic(ctx)
    items = sorted(_unique(found), key=_order)
    for n, item in enumerate(items, start=1):
        item.id = f"r{n}"
    return items

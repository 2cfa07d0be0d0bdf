"""Shared builders for the eval harness tests: hand-made briefs, items and citations."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

# The repo is not installed into the venv; make its packages importable when pytest is
# started as `.venv/bin/pytest` (which does not put the working directory on sys.path).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from handoff.domain import (  # noqa: E402
    AlignmentStatus,
    BriefMetadata,
    Citation,
    Gap,
    GapReason,
    HandoffBrief,
    Item,
)


def cite(source: str, quote: str, alignment: AlignmentStatus = AlignmentStatus.EXACT) -> Citation:
    """A citation of ``quote`` in ``source``."""
    return Citation(source=source, quote=quote, alignment=alignment)


def item(key: str, value: str, *citations: Citation, id: str | None = None,
         **fields: Any) -> Item:
    """An item under ``key``; ``fields`` set attributes, status, verbal, corrected_value."""
    return Item(id=id or f"{key}:{value[:12]}", key=key, value=value,
                citations=list(citations), **fields)


def brief(*items: Item, gaps: tuple[str, ...] = (), conflicts: list[Any] | None = None,
          deal_id: str = "d1") -> HandoffBrief:
    """A brief of the given items, gap keys and conflicts."""
    return HandoffBrief(
        deal_id=deal_id, deal_name="Deal", items=list(items),
        gaps=[Gap(id=f"G{n}", key=k, reason=GapReason.MISSING, question=f"What about {k}?")
              for n, k in enumerate(gaps)],
        conflicts=conflicts or [], metadata=BriefMetadata(backend="test"),
    )


@pytest.fixture
def make() -> SimpleNamespace:
    """The builders as one namespace: ``make.item``, ``make.cite``, ``make.brief``."""
    return SimpleNamespace(item=item, cite=cite, brief=brief)

"""The classifier backend over every dev-set deal: every citation is exact (grounding 1.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.domain import CATEGORIES
from index.parsers import parse_file
from tests.extractor.builders import brief_of

_DEV = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "dev"
_DEALS = sorted(p for p in _DEV.glob("*/sources") if p.is_dir()) if _DEV.is_dir() else []


@pytest.mark.slow
@pytest.mark.skipif(not _DEALS, reason="no dev dataset checked out")
@pytest.mark.parametrize("sources", _DEALS, ids=[p.parent.name for p in _DEALS])
def test_every_citation_on_a_dev_deal_is_exact(sources: Path) -> None:
    docs = [parse_file(p) for p in sorted(sources.iterdir()) if p.is_file()]
    by_name = {d.filename: d for d in docs}
    items = brief_of(docs).items
    assert items
    for item in items:
        category, _, field = item.key.partition(".")
        assert field in CATEGORIES[category]
        assert item.citations
        for c in item.citations:
            assert by_name[c.source].text[c.start:c.end] == c.quote

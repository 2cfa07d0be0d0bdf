"""A model item must mean what its key means: a real line under the wrong key is not sourced."""

from __future__ import annotations

import pytest

from extractor.chain import build_brief
from extractor.gaps import find_gaps
from extractor.service import deal_retriever, source_documents
from handoff.domain import (
    CATEGORIES,
    AlignmentStatus,
    Citation,
    GapReason,
    Item,
    ItemStatus,
    completeness,
)
from index.ingest import ingest_bytes
from index.store import Store
from tests.fakes import fake_llm

NOTES = """# Deal notes, Harbor Freight Systems

Customer signatory: Lars Bakker, Chief Financial Officer.
Hannah Okafor (Head of Merchant Ops) = champion.

Kickoff target 7 April, agreed with Hannah.
Go-live: TBD, depends on the security review.

Thomas Reiners pushed the topic through the annual plan, it is his project.
"""


@pytest.fixture
def deal(hash_store: Store) -> Store:
    hash_store.create_deal("harbor", name="Harbor")
    ingest_bytes(hash_store, "harbor", "notes.md", NOTES.encode(), max_bytes=10**7)
    return hash_store


def _brief(store: Store, stakeholders: list[dict[str, str]],
           implementation: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    replies = {c: {"items": []} for c in CATEGORIES}
    replies["stakeholders"] = {"items": stakeholders}
    replies["implementation"] = {"items": implementation}
    llm, _ = fake_llm([replies[c] for c in CATEGORIES])
    return build_brief("harbor", "Harbor", documents=source_documents(store, "harbor"),
                       retriever=deal_retriever(store, "harbor"), llm=llm, with_rules=False)


def _names(brief, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.value for i in brief.items_for(key)]


def test_a_person_filed_under_a_role_their_line_does_not_give_is_not_sourced(
        deal: Store) -> None:
    brief = _brief(deal, [
        {"field": "end_user", "name": "Lars Bakker", "value": "Lars Bakker is an end user",
         "quote": "Customer signatory: Lars Bakker"},
        {"field": "economic_buyer", "name": "Lars Bakker", "value": "Lars Bakker signs",
         "quote": "Customer signatory: Lars Bakker, Chief Financial Officer."},
        {"field": "end_user", "name": "Hannah Okafor", "value": "Hannah Okafor, end user",
         "quote": "Hannah Okafor (Head of Merchant Ops) = champion."},
        {"field": "champion", "name": "Hannah Okafor", "value": "Hannah Okafor",
         "quote": "Hannah Okafor (Head of Merchant Ops) = champion."},
        # a real line about a sponsor's project is not a signature
        {"field": "economic_buyer", "name": "Thomas Reiners",
         "value": "Thomas Reiners owns the budget and will sign",
         "quote": "Thomas Reiners pushed the topic through the annual plan"},
    ], [])
    assert _names(brief, "stakeholders.end_user") == []
    assert _names(brief, "stakeholders.economic_buyer") == ["Lars Bakker signs"]
    assert _names(brief, "stakeholders.champion") == ["Hannah Okafor"]
    assert all(c.grounded for i in brief.items for c in i.citations)


def test_a_kickoff_date_is_not_a_go_live_date_and_a_date_must_be_the_one_cited(
        deal: Store) -> None:
    brief = _brief(deal, [], [
        {"field": "go_live_date", "value": "7 April", "quote": "Kickoff target 7 April"},
        {"field": "start_date", "value": "12 May", "quote": "Kickoff target 7 April"},
        {"field": "start_date", "value": "7 April", "quote": "Kickoff target 7 April"},
    ])
    assert _names(brief, "implementation.go_live_date") == []
    assert _names(brief, "implementation.start_date") == ["7 April"]


def _item(key: str, origin: str, *, unresolved: bool = False,
          status: ItemStatus = ItemStatus.EXTRACTED) -> Item:
    cite = Citation(source="notes.md", quote="Go-live: TBD", start=0, end=12,
                    alignment=AlignmentStatus.EXACT)
    return Item(id=f"I{origin}{unresolved}", key=key, value="x", citations=[cite],
                origin=origin, unresolved=unresolved, status=status)


@pytest.mark.parametrize(("origin", "status", "gap"), [
    ("model", ItemStatus.EXTRACTED, True),      # a guess against the sources' "TBD"
    ("rules", ItemStatus.EXTRACTED, False),     # another source states the date
    ("model+rules", ItemStatus.EXTRACTED, False),
    ("model", ItemStatus.CONFIRMED, False),     # the rep confirmed the model's date
])
def test_a_key_the_sources_call_open_is_closed_by_facts_not_guesses(
        origin: str, status: ItemStatus, gap: bool) -> None:
    key = "implementation.go_live_date"
    items = [_item(key, "rules", unresolved=True), _item(key, origin, status=status)]
    gaps = {g.key: g for g in find_gaps(items, [])}
    assert (key in gaps) is gap
    if gap:
        assert gaps[key].reason == GapReason.UNRESOLVED
    without = completeness([items[0]])
    assert (completeness(items) > without) is not gap

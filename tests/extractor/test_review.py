"""Rep review: confirm, correct, reject, answer gaps; audited; kept across re-runs."""

from __future__ import annotations

import pytest

from extractor.backends import Backend
from extractor.review import answer_gap, audit_trail, load_brief, review_item
from extractor.service import make_brief
from handoff.domain import GapStatus, ItemStatus, SourceKind
from handoff.errors import InputError, NotFoundError
from index.ingest import ingest_bytes
from index.store import Store

NOTES = """# Handoff notes

Champion: Anna Keller (Head of Operations). She drives the rollout internally.

Our CFO Klaus Brandt approves the budget.

Kickoff is planned for 4 May 2026 and go-live for 15 July 2026.

Customer concern: the drivers may not accept another app.
"""

RULES = Backend("rules", None, "test")


@pytest.fixture
def deal(hash_store: Store) -> Store:
    hash_store.create_deal("acme", name="Acme")
    ingest_bytes(hash_store, "acme", "notes.md", NOTES.encode(), max_bytes=10**7)
    make_brief(hash_store, "acme", RULES)
    return hash_store


def test_confirm_correct_reject_are_applied_and_audited(deal: Store) -> None:
    brief = load_brief(deal, "acme")
    first, second, third = brief.items[:3]
    review_item(deal, "acme", first.id, "confirm", "rep@acme.test")
    corrected = review_item(deal, "acme", second.id, "correct", "rep@acme.test", "New text")
    review_item(deal, "acme", third.id, "reject", "rep@acme.test")
    assert corrected.status == ItemStatus.CORRECTED and corrected.shown_value == "New text"
    brief = load_brief(deal, "acme")
    assert third.id not in {i.id for i in brief.visible_items()}
    trail = audit_trail(deal, "acme")
    assert [t["action"] for t in trail] == ["confirm", "correct", "reject"]
    assert trail[1]["before"]["value"] == second.value
    assert trail[1]["after"]["value"] == "New text"
    assert all(t["actor"] == "rep@acme.test" and t["at"] for t in trail)


def test_reviews_survive_re_extraction(deal: Store) -> None:
    brief = load_brief(deal, "acme")
    a, b = brief.items[:2]
    review_item(deal, "acme", a.id, "correct", "rep", "Corrected!")
    review_item(deal, "acme", b.id, "reject", "rep")
    again = make_brief(deal, "acme", RULES)
    by_id = {i.id: i for i in again.items}
    assert by_id[a.id].status == ItemStatus.CORRECTED
    assert by_id[a.id].shown_value == "Corrected!"
    assert by_id[b.id].status == ItemStatus.REJECTED


def test_answering_a_gap_adds_a_cited_rep_confirmation(deal: Store) -> None:
    brief = load_brief(deal, "acme")
    gap = next(g for g in brief.gaps if g.key == "account.industry")
    item = answer_gap(deal, "acme", gap.id, "Refrigerated road freight", "rep@acme.test")
    assert item.key == "account.industry" and item.status == ItemStatus.CONFIRMED
    [cite] = item.citations
    assert cite.grounded and cite.quote == "Refrigerated road freight"
    docs = deal.documents("acme")
    assert any(d.doc.kind == SourceKind.REP_CONFIRMATION for d in docs)
    after = load_brief(deal, "acme")
    assert next(g for g in after.gaps if g.id == gap.id).status == GapStatus.ANSWERED
    assert after.completeness > brief.completeness
    rerun = make_brief(deal, "acme", RULES)
    assert any(i.value == "Refrigerated road freight" for i in rerun.items_for("account.industry"))
    assert next(g for g in rerun.gaps if g.key == "account.industry").status == \
        GapStatus.ANSWERED


def test_bad_review_requests(deal: Store) -> None:
    with pytest.raises(NotFoundError):
        review_item(deal, "acme", "Inope", "confirm", "rep")
    item = load_brief(deal, "acme").items[0]
    with pytest.raises(InputError):
        review_item(deal, "acme", item.id, "correct", "rep", "  ")
    with pytest.raises(NotFoundError):
        answer_gap(deal, "acme", "Gnope", "x", "rep")
    with pytest.raises(NotFoundError, match="no brief yet"):
        load_brief(deal, "other")

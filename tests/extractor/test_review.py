"""Rep review: confirm, correct, reject, answer gaps; audited; kept across re-runs."""

from __future__ import annotations

import pytest

from extractor.backends import Backend
from extractor.review import (
    answer_gap,
    apply_reviews,
    audit_trail,
    bulk_reject,
    load_brief,
    rejected_items,
    resolve_conflict,
    review_item,
    review_items,
    save_brief,
    undo,
)
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


def test_undo_restores_what_was_before_and_is_audited(deal: Store) -> None:
    item = load_brief(deal, "acme").items[0]
    first = review_items(deal, "acme", [item.id], "confirm", "rep")
    second = review_items(deal, "acme", [item.id], "correct", "rep", "Changed")
    assert second.items[0].shown_value == "Changed"

    assert undo(deal, "acme", second.audit_id, "rep") == [item.id]
    back = next(i for i in load_brief(deal, "acme").items if i.id == item.id)
    assert back.status == ItemStatus.CONFIRMED and back.shown_value == item.value
    undo(deal, "acme", first.audit_id, "rep")
    back = next(i for i in load_brief(deal, "acme").items if i.id == item.id)
    assert back.status == ItemStatus.EXTRACTED and back.corrected_value is None
    with pytest.raises(InputError, match="undone already"):
        undo(deal, "acme", first.audit_id, "rep")
    trail = audit_trail(deal, "acme")
    assert [t["action"] for t in trail][-2:] == ["undo", "undo"]
    assert trail[-1]["after"]["undoes"] == first.audit_id


def test_bulk_reject_is_one_change_and_one_undo_brings_all_back(deal: Store) -> None:
    brief = load_brief(deal, "acme")
    category = brief.items[0].category
    kept = review_item(deal, "acme", brief.items[0].id, "confirm", "rep")
    result = bulk_reject(deal, "acme", category, "rep")

    after = load_brief(deal, "acme")
    shown = [i for i in after.visible_items() if i.category == category]
    assert [i.id for i in shown] == [kept.id]  # the rep's confirmation is not overridden
    assert {i.id for i in rejected_items(after)} == {i.id for i in result.items}
    assert audit_trail(deal, "acme")[-1]["action"] == "bulk_reject"
    undo(deal, "acme", result.audit_id, "rep")
    assert rejected_items(load_brief(deal, "acme")) == []
    with pytest.raises(InputError):
        bulk_reject(deal, "acme", "weather", "rep")


def test_restore_brings_a_rejected_item_back(deal: Store) -> None:
    item = load_brief(deal, "acme").items[1]
    review_item(deal, "acme", item.id, "reject", "rep")
    restored = review_item(deal, "acme", item.id, "restore", "rep")
    assert restored.status == ItemStatus.EXTRACTED
    assert item.id in {i.id for i in load_brief(deal, "acme").visible_items()}


def test_a_conflict_is_resolved_with_a_note_kept_across_re_runs(deal: Store) -> None:
    from handoff.domain import Citation, Conflict, ConflictKind

    brief = load_brief(deal, "acme")
    brief.conflicts.append(Conflict(
        id="C1", kind=ConflictKind.SOURCES_DISAGREE, topic="date", description="x",
        sides=[Citation(source="notes.md", quote="go-live for 15 July 2026"),
               Citation(source="offering.yaml", quote="implementation_weeks: min 8")]))
    save_brief(deal, brief)
    conflict, change = resolve_conflict(deal, "acme", "C1", 0, "  Confirmed  with Anna ",
                                        "rep@acme.test")
    assert conflict.resolution.holds == 0 and conflict.resolution.note == "Confirmed with Anna"
    entry = audit_trail(deal, "acme")[-1]
    assert entry["action"] == "resolve" and entry["after"]["side"] == "notes.md"
    assert entry["after"]["note"] == "Confirmed with Anna"
    # a rebuilt brief has a new conflict object with the same sides: the resolution holds
    rebuilt = load_brief(deal, "acme")
    rebuilt.conflicts[-1].resolution = None
    assert apply_reviews(deal, rebuilt).conflicts[-1].resolution.holds == 0
    undo(deal, "acme", change, "rep")
    assert load_brief(deal, "acme").conflicts[-1].resolution is None
    with pytest.raises(InputError):
        resolve_conflict(deal, "acme", "C1", 5, "", "rep")
    with pytest.raises(InputError):
        resolve_conflict(deal, "acme", "C1", None, " ", "rep")
    with pytest.raises(NotFoundError):
        resolve_conflict(deal, "acme", "C9", 0, "", "rep")

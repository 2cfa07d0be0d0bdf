"""prune_brief: a brief as if a deleted source had never been uploaded."""

from __future__ import annotations

from extractor.prune import prune_brief, repoint_citations
from handoff.domain import (
    AlignmentStatus,
    BriefMetadata,
    Citation,
    Conflict,
    ConflictKind,
    Gap,
    GapReason,
    HandoffBrief,
    Item,
    ItemStatus,
)


def cite(source: str, quote: str, *, doc: str | None = None, grounded: bool = True) -> Citation:
    return Citation(source=source, quote=quote, document_id=doc, start=0, end=len(quote),
                    alignment=AlignmentStatus.EXACT if grounded else AlignmentStatus.UNGROUNDED)


def brief() -> HandoffBrief:
    items = [
        Item(id="I1", key="account.industry", value="Logistics",
             citations=[cite("call.vtt", "we are a logistics firm", doc="d1")]),
        Item(id="I2", key="stakeholders.champion", value="Anna Keller",
             citations=[cite("call.vtt", "Anna drives it", doc="d1"),
                        cite("mail.eml", "Anna is our champion", doc="d2")]),
        Item(id="I3", key="implementation.go_live_date", value="1 June",
             citations=[cite("mail.eml", "live on 1 June", doc="d2")]),
        Item(id="I4", key="goals.primary_goal", value="Fewer empty runs",
             citations=[cite("call.vtt", "fewer empty runs", doc="d1"),
                        cite("notes.md", "never found", grounded=False)]),
        Item(id="I5", key="account.why_us", value="Price", status=ItemStatus.CONFIRMED,
             citations=[cite("call.vtt", "your price won", doc="d1")]),
        Item(id="I6", key="commitments.verbal", value="A free pilot", verbal=True,
             citations=[cite("call.vtt", "you get a free pilot", doc="d1")]),
    ]
    conflicts = [
        Conflict(id="C1", kind=ConflictKind.SOURCES_DISAGREE, topic="date",
                 description="4 or 10 weeks", item_ids=["I3", "I6"],
                 sides=[cite("call.vtt", "four weeks", doc="d1"),
                        cite("mail.eml", "ten weeks", doc="d2")]),
        Conflict(id="C2", kind=ConflictKind.SOURCES_DISAGREE, topic="date",
                 description="three sources", sides=[
                     cite("call.vtt", "May", doc="d1"), cite("mail.eml", "June", doc="d2"),
                     cite("notes.md", "July", doc="d3")]),
    ]
    gaps = [Gap(id="G1", key="commitments.verbal", reason=GapReason.VERBAL_ONLY, item_id="I6",
                question="Was the free pilot confirmed?"),
            Gap(id="G2", key="stakeholders.economic_buyer", reason=GapReason.MISSING,
                question="Who signs?")]
    return HandoffBrief(deal_id="acme", deal_name="Acme", items=items, conflicts=conflicts,
                        gaps=gaps, completeness=0.5,
                        metadata=BriefMetadata(backend="rules",
                                               sources=["call.vtt", "mail.eml", "notes.md"]))


def test_items_resting_only_on_the_source_go_and_others_lose_its_citation() -> None:
    out = prune_brief(brief(), ["call.vtt"])
    ids = {i.id for i in out.items}
    assert ids == {"I2", "I3"}  # I4's remaining quote was never found: it goes too
    champion = next(i for i in out.items if i.id == "I2")
    assert [c.source for c in champion.citations] == ["mail.eml"]
    assert out.metadata.sources == ["mail.eml", "notes.md"]


def test_conflicts_lose_the_side_and_one_sided_conflicts_go() -> None:
    out = prune_brief(brief(), ["call.vtt"])
    assert [c.id for c in out.conflicts] == ["C2"]
    assert [s.source for s in out.conflicts[0].sides] == ["mail.eml", "notes.md"]


def test_gaps_come_back_and_completeness_is_recomputed() -> None:
    original = brief()
    out = prune_brief(original, ["call.vtt"])
    keys = {g.key for g in out.gaps}
    assert {"account.industry", "account.why_us", "goals.primary_goal"} <= keys
    assert "G1" not in {g.id for g in out.gaps}  # its item went
    assert [g.key for g in out.gaps].count("stakeholders.economic_buyer") == 1  # merged by key
    # champion and go-live remain of the 14 required keys
    assert out.completeness == round(2 / 14, 4)
    assert original.items[0].citations  # the input is left as it was


def test_a_same_named_file_kept_keeps_its_citations_when_ids_are_known() -> None:
    b = brief()
    b.items.append(Item(id="I7", key="technical.systems", value="SAP",
                        citations=[cite("call.vtt", "we run SAP", doc="d9")]))
    out = prune_brief(b, ["call.vtt"], document_ids=["d1"])
    assert "I7" in {i.id for i in out.items}
    assert "I1" not in {i.id for i in out.items}


def test_repoint_moves_citations_whose_quote_the_new_version_still_has() -> None:
    new_text = "Intro. we are a logistics firm. Anna drives it. fewer empty runs, really."
    moved = repoint_citations(brief(), "d1", "call.vtt", "d7", "call-v2.vtt", new_text)
    out = prune_brief(moved, [], document_ids=["d1"])
    industry = next(i for i in out.items if i.id == "I1")
    assert industry.citations[0].document_id == "d7"
    start = industry.citations[0].start
    assert new_text[start:industry.citations[0].end] == "we are a logistics firm"
    assert "I5" not in {i.id for i in out.items}  # "your price won" is not in the new version
    assert "call-v2.vtt" in out.metadata.sources

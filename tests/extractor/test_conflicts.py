"""Conflicts: sources that disagree, and promises beyond the standard offering."""

from __future__ import annotations

from extractor.classifier import classify
from extractor.conflicts import detect_conflicts
from extractor.deal import build_context
from handoff.domain import (
    ConflictKind,
    Offering,
    ParsedDocument,
    Segment,
    SegmentKind,
    SourceKind,
    SupportTier,
)

OFFERING = Offering(
    vendor="Flowbase", implementation_weeks={"min": 8, "max": 10},
    support_tiers=[SupportTier(name="Standard", includes=["shared support queue"]),
                   SupportTier(name="Premium", includes=["dedicated CSM", "24/7 phone support"])],
    integrations={"native": ["Salesforce"], "custom": ["SAP", "Oracle"],
                  "custom_development_day_rate_eur": 1400},
    roadmap=["SCIM provisioning", "offline mobile app"], training={"included_sessions": 2},
)


def _doc(name: str, lines: list[str], kind: SourceKind = SourceKind.TRANSCRIPT,
         seg_kind: SegmentKind = SegmentKind.TURN, hidden: bool = False) -> ParsedDocument:
    text, segs = "", []
    for i, line in enumerate(lines):
        segs.append(Segment(index=i, kind=seg_kind, text=line, start=len(text),
                            end=len(text) + len(line), speaker="Tom Berg", hidden=hidden,
                            timestamp=f"00:0{i}:00", locator=f"00:0{i}:00 Tom Berg"))
        text += line + "\n"
    return ParsedDocument(filename=name, format="vtt", kind=kind, text=text, segments=segs)


CALL = _doc("call.vtt", [
    "Honestly, we'll have you live in four weeks, no problem.",
    "And you'll have a dedicated CSM from day one, I promise.",
    "The SAP connector works natively out of the box, no extra cost.",
    "SCIM provisioning will be available for your rollout, we will switch it on.",
    "We will include five training sessions for your dispatchers.",
])
ORDER = _doc("order-form.md", ["Implementation: go-live ten weeks after kickoff.",
                               "Support: Standard tier."], SourceKind.DOCUMENT,
             SegmentKind.PARAGRAPH)


def _conflicts(*docs: ParsedDocument, offering: Offering | None = OFFERING,  # type: ignore[no-untyped-def]
               language: str | None = None):
    from index.e5 import E5Embedder

    ctx = build_context(list(docs))
    if language:
        ctx.language = language
    return detect_conflicts(ctx, classify(ctx, E5Embedder()), [], offering)


def test_a_promise_repeated_in_several_places_is_one_conflict_with_every_quote() -> None:
    again = _doc("call-2.vtt", ["Like I said, we'll have you live in four weeks."])
    weeks = [c for c in _conflicts(CALL, again) if c.topic == "implementation_weeks"]
    assert len(weeks) == 1
    assert [s.source for s in weeks[0].sides] == ["call.vtt", "call-2.vtt", "offering.yaml"]


def test_native_integration_in_the_offering_is_no_conflict() -> None:
    ok = _doc("call-3.vtt", ["Salesforce works natively out of the box, we'll set it up."])
    assert [c for c in _conflicts(ok) if c.topic == "integration"] == []


def test_call_and_order_form_disagree_on_go_live_both_quoted() -> None:
    found = [c for c in _conflicts(CALL, ORDER, offering=None)
             if c.kind == ConflictKind.SOURCES_DISAGREE]
    assert len(found) == 1
    [c] = found
    quotes = {s.source: s.quote for s in c.sides}
    assert "four weeks" in quotes["call.vtt"] and "ten weeks" in quotes["order-form.md"]
    assert "four weeks" in c.description and "ten weeks" in c.description


def test_each_promise_beyond_the_offering_is_flagged_with_the_offering_side() -> None:
    beyond = {c.topic: c for c in _conflicts(CALL, ORDER)
              if c.kind == ConflictKind.BEYOND_OFFERING}
    assert set(beyond) == {"implementation_weeks", "support_tier", "integration", "roadmap",
                           "training"}
    for c in beyond.values():
        assert c.sides[0].source == "call.vtt" and c.sides[1].source == "offering.yaml"
        assert c.sides[0].quote in CALL.text
    assert "SAP" in beyond["integration"].description


def test_declined_hypothetical_and_hidden_promises_are_not_conflicts() -> None:
    polite = _doc("call2.vtt", [
        "We can't get you live in four weeks, sorry, that's not possible.",
        "If we ever did SCIM provisioning, would you want it?",
        "A dedicated CSM is not included in Standard.",
    ])
    hidden = _doc("mail.eml", ["We will have you live in two weeks, guaranteed."],
                  SourceKind.EMAIL, SegmentKind.MESSAGE, hidden=True)
    assert _conflicts(polite, hidden) == []


def test_quoted_reply_does_not_count_as_a_second_source() -> None:
    reply = _doc("reply.eml", ["Honestly, we'll have you live in four weeks, no problem."],
                 SourceKind.EMAIL, SegmentKind.QUOTED)
    first = _doc("first.eml", ["Go-live is planned ten weeks after kickoff."],
                 SourceKind.EMAIL, SegmentKind.MESSAGE)
    assert [c for c in _conflicts(reply, first, offering=None)] == []


def test_premium_bought_means_no_tier_conflict() -> None:
    premium = _doc("order.md", ["Support tier: Premium, billed annually."], SourceKind.DOCUMENT,
                   SegmentKind.PARAGRAPH)
    topics = {c.topic for c in _conflicts(CALL, premium)}
    assert "support_tier" not in topics


def test_a_month_and_a_day_in_it_do_not_conflict_but_different_months_do() -> None:
    a = _doc("call.vtt", ["We are aiming for go-live in August."])
    b = _doc("mail.eml", ["Go-live is confirmed for 1 August."], SourceKind.EMAIL,
             SegmentKind.MESSAGE)
    c = _doc("notes.md", ["Go-live moved to September."], SourceKind.CRM_NOTE,
             SegmentKind.PARAGRAPH)
    assert _conflicts(a, b, offering=None) == []
    [conflict] = _conflicts(a, b, c, offering=None)  # one conflict per topic, every side
    assert {s.source for s in conflict.sides} == {"call.vtt", "mail.eml", "notes.md"}
    assert "September" in conflict.description


def test_german_brief_gets_german_conflict_descriptions() -> None:
    found = _conflicts(CALL, ORDER, language="de")
    kinds = {c.kind: c.description for c in found}
    assert kinds[ConflictKind.SOURCES_DISAGREE].startswith("Quellen widersprechen sich")
    assert any("Standard-Implementierung dauert 8–10 Wochen" in c.description for c in found)


def test_one_seat_count_in_two_words_is_no_conflict_but_another_count_is() -> None:
    a = _doc("call.vtt", ["We need sixty licenses for the three offices.",
                          "So sixty seats on Professional, right."])
    b = _doc("quote.eml", ["Revised quote attached for 60 users on Professional."],
             SourceKind.EMAIL, SegmentKind.MESSAGE)
    assert _conflicts(a, b, offering=None) == []
    c = _doc("requote.eml", ["Requoted at 45 seats on Professional."], SourceKind.EMAIL,
             SegmentKind.MESSAGE)
    [conflict] = _conflicts(a, b, c, offering=None)
    assert "45" in conflict.description and "60" in conflict.description.replace("sixty", "60")


def test_different_prices_of_different_things_are_no_conflict() -> None:
    a = _doc("quote.eml", ["Professional is £92 per seat per month at list price."],
             SourceKind.EMAIL, SegmentKind.MESSAGE)
    b = _doc("sow.eml", ["The integration is a fixed-price SOW at £23,760."], SourceKind.EMAIL,
             SegmentKind.MESSAGE)
    c = _doc("call.vtt", ["Our budget line for this is £80,000 a year, not a penny over."])
    assert _conflicts(a, b, c, offering=None) == []
    d = _doc("order.eml", ["The SOW price is £26,400 as discussed."], SourceKind.EMAIL,
             SegmentKind.MESSAGE)
    assert len(_conflicts(b, d, offering=None)) == 1  # one price, two amounts


def test_a_filler_word_is_not_a_duration() -> None:
    a = _doc("call.vtt", ["Yeah, ah, we can get you live before the semester starts."])
    b = _doc("mail.eml", ["Standard implementation takes 10 to 14 weeks."], SourceKind.EMAIL,
             SegmentKind.MESSAGE)
    assert all("\"ah\"" not in c.description for c in _conflicts(a, b))

"""The chain with a fake model: grounding decides what is shown as sourced."""

from __future__ import annotations

import pytest

from extractor.chain import build_brief
from extractor.service import deal_retriever, source_documents
from handoff.domain import (
    CATEGORIES,
    AlignmentStatus,
    ConflictKind,
    GapReason,
    Offering,
    SupportTier,
)
from index.ingest import ingest_bytes
from index.store import Store
from tests.fakes import fake_llm

CALL = """WEBVTT

00:00:05.000 --> 00:00:12.000
Anna Keller: I'm head of operations and honestly I'll drive this internally, it's my project.

00:00:14.000 --> 00:00:22.000
Tom Berg: And we'll have you live in four weeks, I promise you that.

00:00:25.000 --> 00:00:33.000
Anna Keller: Our goal is to cut empty kilometres by fifteen percent this year.
"""

ORDER = """# Order form

Implementation: go-live planned ten weeks after kickoff.

Support tier: Standard.
"""

OFFERING = Offering(
    vendor="Flowbase", implementation_weeks={"min": 8, "max": 10},
    support_tiers=[SupportTier(name="Standard", includes=["email support"]),
                   SupportTier(name="Premium", includes=["dedicated CSM"])],
    integrations={"native": ["Salesforce"], "custom": ["SAP"]}, roadmap=["SCIM provisioning"],
    training={"included_sessions": 2},
)


def _replies() -> dict[str, dict[str, list[dict[str, str]]]]:
    empty: dict[str, list[dict[str, str]]] = {"items": []}
    replies = {c: empty for c in CATEGORIES}
    replies["stakeholders"] = {"items": [
        # a paraphrased quote pointing at the right passage: snapped to the real words
        {"field": "champion", "name": "Anna Keller", "title": "Head of Operations",
         "value": "Anna Keller drives the project internally",
         "quote": "Anna Keller: I will drive this internally, it's my project", "passage": "P1"},
        # invented: no source says so
        {"field": "economic_buyer", "name": "Ulla Lindqvist", "title": "CFO",
         "value": "Ulla Lindqvist signs the contract",
         "quote": "Ulla Lindqvist signs every contract", "passage": "P1"},
    ]}
    replies["goals"] = {"items": [
        {"field": "primary_goal", "value": "Cut empty kilometres",
         "quote": "Our goal is to cut empty kilometres by fifteen percent this year",
         "passage": "P1"},
        {"field": "not_a_field", "value": "ignored", "quote": "Our goal is to cut",
         "passage": "P1"},
    ]}
    replies["commitments"] = {"items": [
        {"field": "timeline", "value": "Live in four weeks",
         "quote": "we'll have you live in four weeks, I promise you that", "passage": "P2"},
    ]}
    return replies


@pytest.fixture
def deal(hash_store: Store) -> Store:
    hash_store.create_deal("acme", name="Acme Freight")
    ingest_bytes(hash_store, "acme", "call.vtt", CALL.encode(), max_bytes=10**7)
    ingest_bytes(hash_store, "acme", "order-form.md", ORDER.encode(), max_bytes=10**7)
    return hash_store


def _brief(store: Store, with_rules: bool = False):  # type: ignore[no-untyped-def]
    replies = _replies()
    llm, chat = fake_llm([replies[c] for c in CATEGORIES])
    brief = build_brief("acme", "Acme Freight", documents=source_documents(store, "acme"),
                        retriever=deal_retriever(store, "acme"), llm=llm, offering=OFFERING,
                        with_rules=with_rules)
    return brief, chat


def test_with_rules_the_model_adds_to_the_rules_items(deal: Store) -> None:
    from extractor import rules

    alone, _ = _brief(deal)
    both, _ = _brief(deal, with_rules=True)
    rule_keys = {i.key for i in rules.extract_items(source_documents(deal, "acme"))}
    assert {i.key for i in alone.items} | rule_keys == {i.key for i in both.items}
    assert both.metadata.prompt_versions["rules"] == "rules.v1"


def test_one_focused_prompt_per_category_with_only_its_passages(deal: Store) -> None:
    _, chat = _brief(deal)
    assert len(chat.calls) == len(CATEGORIES)
    for call, category in zip(chat.calls, CATEGORIES, strict=True):
        user = call["messages"][1][1]
        assert f"Extract the {category} items" in user
        assert "P1 [" in user
        assert "untrusted" in call["messages"][0][1]


def test_paraphrased_quote_is_snapped_and_cited_with_speaker(deal: Store) -> None:
    brief, _ = _brief(deal)
    [champ] = brief.items_for("stakeholders.champion")
    c = champ.citations[0]
    assert c.source == "call.vtt" and c.speaker == "Anna Keller" and c.timestamp == "00:00:05"
    assert c.alignment == AlignmentStatus.FUZZY
    assert "drive this internally" in c.quote
    doc = {d.filename: d for d in source_documents(deal, "acme")}["call.vtt"]
    assert doc.text[c.start:c.end] == c.quote


def test_invented_claim_is_not_shown_as_sourced_but_asked(deal: Store) -> None:
    brief, _ = _brief(deal)
    assert brief.items_for("stakeholders.economic_buyer") == []
    gap = next(g for g in brief.gaps if g.key == "stakeholders.economic_buyer")
    assert gap.reason == GapReason.UNGROUNDED and "Ulla Lindqvist" in gap.question
    assert all(c.grounded for i in brief.items for c in i.citations)


def test_unknown_field_is_dropped(deal: Store) -> None:
    brief, _ = _brief(deal)
    assert not any("not_a_field" in i.key for i in brief.items)


def test_verbal_promise_is_flagged_and_asked_and_beyond_offering(deal: Store) -> None:
    brief, _ = _brief(deal)
    [promise] = brief.items_for("commitments.timeline")
    assert promise.verbal and promise.attributes["promised_by"] == "Tom Berg"
    assert any(g.item_id == promise.id and g.reason == GapReason.VERBAL_ONLY
               for g in brief.gaps)
    beyond = [c for c in brief.conflicts if c.kind == ConflictKind.BEYOND_OFFERING]
    assert any("four weeks" in c.sides[0].quote and c.sides[1].source == "offering.yaml"
               for c in beyond)
    disagree = [c for c in brief.conflicts if c.kind == ConflictKind.SOURCES_DISAGREE]
    assert any({s.source for s in c.sides} == {"call.vtt", "order-form.md"} for c in disagree)


def test_missing_required_keys_become_gaps_and_completeness(deal: Store) -> None:
    brief, _ = _brief(deal)
    keys = {g.key for g in brief.gaps if g.reason == GapReason.MISSING}
    assert "implementation.start_date" in keys and "account.industry" in keys
    assert "stakeholders.champion" not in keys
    assert 0 < brief.completeness < 0.5


def test_metadata_records_backend_prompts_and_tokens(deal: Store) -> None:
    brief, _ = _brief(deal)
    meta = brief.metadata
    assert meta.backend == "fake" and meta.model == "fake-model"
    assert meta.prompt_versions["goals"] == "extract_goals.v1"
    assert meta.token_usage.calls == len(CATEGORIES)
    assert meta.token_usage.prompt_tokens == 100 * len(CATEGORIES)
    assert "total" in meta.timings


def test_item_ids_are_stable_across_runs(deal: Store) -> None:
    a, _ = _brief(deal)
    b, _ = _brief(deal)
    assert [i.id for i in a.items] == [i.id for i in b.items]


def test_real_but_unrelated_quote_is_replaced_by_the_supporting_line(hash_store: Store) -> None:
    hash_store.create_deal("acme", name="Acme Freight")
    ingest_bytes(hash_store, "acme", "call.vtt", CALL.encode(), max_bytes=10**7)
    notes = "# Notes\n\nOur CFO Henrik Sorensen approves every purchase order.\n"
    ingest_bytes(hash_store, "acme", "notes.md", notes.encode(), max_bytes=10**7)
    replies: dict[str, object] = {c: {"items": []} for c in CATEGORIES}
    replies["stakeholders"] = {"items": [
        {"field": "economic_buyer", "name": "Henrik Sorensen", "title": "CFO",
         "value": "Henrik Sorensen approves purchase orders",
         "quote": "I'm head of operations and honestly I'll drive this internally",
         "passage": "P1"}]}
    llm, _ = fake_llm([replies[c] for c in CATEGORIES])
    brief = build_brief("acme", "Acme", documents=source_documents(hash_store, "acme"),
                        retriever=deal_retriever(hash_store, "acme"), llm=llm,
                        with_rules=False)
    [buyer] = brief.items_for("stakeholders.economic_buyer")
    c = buyer.citations[0]
    assert c.source == "notes.md" and "Henrik Sorensen approves" in c.quote
    assert c.claimed_quote and "head of operations" in c.claimed_quote


def test_a_claim_copied_from_the_prompt_examples_is_dropped(deal: Store) -> None:
    """The small model repeats few-shot examples as facts; they never reach the brief."""
    replies: dict[str, object] = {c: {"items": []} for c in CATEGORIES}
    replies["stakeholders"] = {"items": [
        {"field": "economic_buyer", "name": "Klaus Brandt", "title": "CFO",
         "value": "Dr. Klaus Brandt (CFO) signs anything above 50k",
         "quote": "Our CFO, Dr. Klaus Brandt, has to sign anything above 50k", "passage": "P1"}]}
    llm, _ = fake_llm([replies[c] for c in CATEGORIES])
    brief = build_brief("acme", "Acme", documents=source_documents(deal, "acme"),
                        retriever=deal_retriever(deal, "acme"), llm=llm, with_rules=False)
    assert brief.items_for("stakeholders.economic_buyer") == []
    assert not any("Brandt" in g.question for g in brief.gaps)


def _timeout() -> Exception:
    import httpx
    import openai

    return openai.APITimeoutError(request=httpx.Request("POST", "http://127.0.0.1/v1/x"))


def test_a_category_the_model_fails_keeps_the_others_and_says_so(deal: Store) -> None:
    replies = _replies()
    # a local server's timeout is not retried: it would still be busy with the first request
    first, *rest = CATEGORIES
    llm, chat = fake_llm([_timeout()] + [replies[c] for c in rest], retry_timeouts=False)
    brief = build_brief("acme", "Acme Freight", documents=source_documents(deal, "acme"),
                        retriever=deal_retriever(deal, "acme"), llm=llm, with_rules=True)
    assert len(chat.calls) == len(CATEGORIES)
    (warning,) = brief.metadata.warnings
    assert warning.startswith(f"{first}:") and "rules items only" in warning
    assert any(i.key == "goals.primary_goal" and "model" in i.origin for i in brief.items)


def test_a_model_that_fails_every_category_is_an_error_not_a_brief(deal: Store) -> None:
    from handoff.errors import BackendUnavailable

    llm, _ = fake_llm([_timeout() for _ in range(3 * len(CATEGORIES))], max_retries=2)
    with pytest.raises(BackendUnavailable):
        build_brief("acme", "Acme Freight", documents=source_documents(deal, "acme"),
                    retriever=deal_retriever(deal, "acme"), llm=llm, with_rules=True)


def test_an_endpoint_that_is_not_there_fails_at_the_first_category(deal: Store) -> None:
    import httpx
    import openai

    from handoff.errors import BackendUnavailable

    req = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions")
    llm, chat = fake_llm([openai.APIConnectionError(request=req) for _ in range(3)],
                         max_retries=2)
    with pytest.raises(BackendUnavailable):
        build_brief("acme", "Acme Freight", documents=source_documents(deal, "acme"),
                    retriever=deal_retriever(deal, "acme"), llm=llm, with_rules=True)
    assert len(chat.calls) == 3  # one category's retries, not seven categories' worth


def test_a_cut_off_category_keeps_its_complete_items_and_the_brief_says_so(
        deal: Store) -> None:
    from tests.extractor.test_llm import _cut_off

    replies: list[object] = [{"items": []} for _ in CATEGORIES]
    cut = ('{"items": [{"field": "champion", "name": "Anna Keller", '
           '"value": "Anna Keller drives the project", '
           '"quote": "I\'ll drive this internally, it\'s my project"}, '
           '{"field": "champion", "name": "Anna Keller", "value": "Anna Keller drives the proj')
    replies[list(CATEGORIES).index("stakeholders")] = _cut_off(cut)
    llm, _ = fake_llm(replies)
    brief = build_brief("acme", "Acme Freight", documents=source_documents(deal, "acme"),
                        retriever=deal_retriever(deal, "acme"), llm=llm, with_rules=False)
    [champion] = brief.items_for("stakeholders.champion")
    assert champion.citations[0].speaker == "Anna Keller" and champion.grounded
    [warning] = brief.metadata.warnings
    assert warning.startswith("stakeholders:") and "1 complete items" in warning

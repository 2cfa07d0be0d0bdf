"""Q&A: answers cite their passages; unsupported answers say so."""

from __future__ import annotations

import pytest

from extractor.backends import Backend
from extractor.service import ask
from index.ingest import ingest_bytes
from index.store import Store
from tests.fakes import fake_llm

CALL = """WEBVTT

00:02:00.000 --> 00:02:09.000
Peter Novak: Anything above fifty thousand has to be signed off by our CFO, Ines Duarte.

00:05:00.000 --> 00:05:09.000
Peter Novak: For security we need single sign-on through Azure AD, that is non-negotiable.
"""


@pytest.fixture
def deal(hash_store: Store) -> Store:
    hash_store.chunk_words = 20
    hash_store.create_deal("acme")
    ingest_bytes(hash_store, "acme", "call.vtt", CALL.encode(), max_bytes=10**7)
    return hash_store


def test_rules_answer_is_the_best_passage_quoted(deal: Store) -> None:
    a = ask(deal, "acme", "Who signs off the budget?", Backend("rules", None, "t"))
    assert a.supported and "Ines Duarte" in a.text
    assert a.citations[0].source == "call.vtt"
    assert a.citations[0].speaker == "Peter Novak" and a.citations[0].timestamp == "00:02:00"


def test_rules_says_so_when_nothing_matches(deal: Store) -> None:
    a = ask(deal, "acme", "Welche Farbe hat der Firmenwagen?", Backend("rules", None, "t"),
            language="de")
    assert not a.supported and "beantworten das nicht" in a.text


def test_model_answer_with_grounded_quote(deal: Store) -> None:
    llm, chat = fake_llm([{"supported": True, "sentences": [
        {"text": "The CFO, Ines Duarte, signs off anything above fifty thousand.",
         "quotes": [{"passage": "P1", "quote": "signed off by our CFO, Ines Duarte"}]}]}])
    a = ask(deal, "acme", "Who signs off the budget?", Backend("fake", llm, "t"))
    assert a.supported
    assert a.text == "The CFO, Ines Duarte, signs off anything above fifty thousand. [1]"
    assert a.citations[0].quote == "signed off by our CFO, Ines Duarte"
    assert "untrusted" in chat.calls[0]["messages"][0][1]


def test_model_answer_without_grounded_quote_is_not_presented_as_supported(deal: Store) -> None:
    llm, _ = fake_llm([{"supported": True, "sentences": [
        {"text": "The CEO, John Smith.",
         "quotes": [{"passage": "P1", "quote": "John Smith approves budgets"}]}]}])
    a = ask(deal, "acme", "Who signs off the budget?", Backend("fake", llm, "t"))
    assert "John Smith" not in a.text
    assert a.backend == "fake+rules" and "Ines Duarte" in a.text  # the quoted sentence instead
    assert all(c.grounded for c in a.citations)


def test_model_without_support_and_no_matching_passage_says_so(deal: Store) -> None:
    llm, _ = fake_llm([{"sentences": [], "supported": False}])
    a = ask(deal, "acme", "Welche Farbe hat der Firmenwagen?", Backend("fake", llm, "t"),
            language="de")
    assert not a.supported and "Vertrieb" in a.text


MAIL = """From: Anna Keller <anna.keller@acme.example>
To: Sam Rep <sam@vendor.example>
Subject: Re: plan
Date: Tue, 10 Mar 2026 09:14:00 +0100
Message-ID: <abc123@acme.example>

Hi Sam,

the kickoff meeting is booked. We go live on 23 February 2027 in all three branches.
Our finance team wants the go-live report in German.

Anna
"""


@pytest.fixture
def mail_deal(hash_store: Store) -> Store:
    hash_store.chunk_words = 20
    hash_store.create_deal("acme")
    ingest_bytes(hash_store, "acme", "call.vtt", CALL.encode(), max_bytes=10**7)
    ingest_bytes(hash_store, "acme", "plan.eml", MAIL.encode(), max_bytes=10**7)
    return hash_store


def test_a_when_question_quotes_the_dated_sentence_with_speaker_and_day(mail_deal: Store):
    a = ask(mail_deal, "acme", "When is the go-live?", Backend("rules", None, "t"))
    assert a.supported
    assert a.text.startswith("Anna Keller, 10 March 2026: “We go live on 23 February 2027 "
                             "in all three branches. Our finance team wants the go-live "
                             "report in German.” [1]")  # the sentence and the next, no greeting
    assert "Message-ID" not in a.text and "abc123" not in a.text
    assert a.citations[0].source == "plan.eml"


def test_the_german_answer_uses_german_quotes_and_dates(mail_deal: Store):
    a = ask(mail_deal, "acme", "Wann ist der Go-live?", Backend("rules", None, "t"),
            language="de")
    assert a.text.startswith("Anna Keller, 10. März 2026: „We go live on 23 February 2027")


def test_each_model_sentence_carries_its_own_citation(mail_deal: Store):
    llm, _ = fake_llm([{"supported": True, "sentences": [
        {"text": "Go-live is 23 February 2027.",
         "quotes": [{"passage": "P1", "quote": "We go live on 23 February 2027"}]},
        {"text": "Ines Duarte signs.",
         "quotes": [{"passage": "P2", "quote": "signed off by our CFO, Ines Duarte"}]},
        {"text": "A third sentence is never said.", "quotes": []}]}])
    a = ask(mail_deal, "acme", "When is the go-live and who signs?", Backend("f", llm, "t"))
    assert a.text == "Go-live is 23 February 2027. [1] Ines Duarte signs. [2]"
    assert [c.source for c in a.citations] == ["plan.eml", "call.vtt"]


def test_answers_are_kept_and_an_unanswered_one_goes_to_the_rep(mail_deal: Store):
    from extractor.qa import answer_history, keep_answer, offer_to_rep
    from extractor.review import answer_gap, load_brief
    from extractor.service import make_brief
    from handoff.domain import GapStatus
    from handoff.errors import InputError

    rules = Backend("rules", None, "t")
    make_brief(mail_deal, "acme", rules)
    kept = keep_answer(mail_deal, "acme", ask(mail_deal, "acme", "When is the go-live?", rules),
                       "csm@acme.test")
    missing = ask(mail_deal, "acme", "Which insurer covers the fleet?", rules)
    assert not missing.supported
    entry = keep_answer(mail_deal, "acme", missing, "csm@acme.test")

    history = answer_history(mail_deal, "acme")
    assert [h.id for h in history] == [entry.id, kept.id]  # newest first
    assert history[1].answer.citations[0].source == "plan.eml"
    gap = offer_to_rep(mail_deal, "acme", entry.id, "csm@acme.test")
    assert gap.question == "Which insurer covers the fleet?" and gap.status == GapStatus.OPEN
    with pytest.raises(InputError, match="already"):
        offer_to_rep(mail_deal, "acme", entry.id, "csm@acme.test")
    assert answer_gap(mail_deal, "acme", gap.id, "The fleet insurer is Allianz, policy 77.",
                      "rep@acme.test") is None
    brief = make_brief(mail_deal, "acme", rules)  # a re-run keeps the question and its answer
    again = next(g for g in brief.gaps if g.id == gap.id)
    assert again.status == GapStatus.ANSWERED
    assert again.answer == "The fleet insurer is Allianz, policy 77."
    assert all(i.key != "question" for i in load_brief(mail_deal, "acme").items)
    later = ask(mail_deal, "acme", "Which insurer covers the fleet?", rules)
    assert later.supported and "Allianz" in later.text  # the rep's answer is a source now

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

"""The spec's matching rules: normalisation, keywords, item text, keys, citations."""

from __future__ import annotations

import pytest

from evals.matching import (
    evidence_supported,
    find_fact,
    item_keys,
    item_text,
    keywords_match,
    normalise,
    same_source,
    tokens,
)
from handoff.domain import ItemStatus


@pytest.mark.parametrize(("a", "b"), [
    ("Müller", "Mu\u0308ller"),          # precomposed vs decomposed umlaut
    ("１２ Wochen", "12 wochen"),         # full-width digits
    ("ﬁnal", "FINAL"),                    # ligature, case
    ("  Head   of\tOperations\n", "head of operations"),
    ("Straße", "STRASSE"),                # casefold, not just lower
])
def test_normalise_makes_equivalent_spellings_equal(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_keywords_every_group_needs_one_alternative() -> None:
    groups = [["Keller"], ["Head of Operations", "Leiterin Operations"]]
    assert keywords_match(groups, "Anna KELLER, leiterin  operations")
    assert not keywords_match(groups, "Anna Keller, CFO")
    assert keywords_match([], "anything")


def test_keywords_match_decomposed_umlaut_and_fullwidth() -> None:
    assert keywords_match([["Jürgen"], ["12"]], "Ju\u0308rgen sagt １２ Wochen")
    assert keywords_match([["Ju\u0308rgen"]], "JÜRGEN")


def test_keywords_are_substrings() -> None:
    assert keywords_match([["SSO"]], "needs SSO-login")
    assert not keywords_match([["SAML"]], "needs SSO-login")


def test_item_text_includes_nested_strings_but_not_numbers_booleans_or_citations(make) -> None:
    it = make.item(
        "stakeholders.champion", "Anna Keller", make.cite("a.vtt", "QUOTED-ONLY"),
        attributes={"title": "COO", "roles": ["champion"], "seats": 40, "open": True,
                    "contact": {"email": "anna@x.de", "phones": ["+49 1"]}},
        corrected_value="Dr. Anna Keller",
    )
    text = item_text(it)
    for part in ("Anna Keller", "Dr. Anna Keller", "COO", "champion", "anna@x.de", "+49 1"):
        assert part in text
    assert "QUOTED-ONLY" not in text and "40" not in text and "True" not in text
    assert "title" not in text  # attribute names are not content


def test_stakeholder_with_several_roles_counts_for_each(make) -> None:
    it = make.item("stakeholders.champion", "Keller",
                   attributes={"roles": ["champion", "Economic Buyer", "technical-evaluator"]})
    assert item_keys(it) >= {"stakeholders.champion", "stakeholders.economic_buyer",
                             "stakeholders.technical_evaluator"}


def test_verbal_commitment_counts_for_both_keys(make) -> None:
    kind = make.item("commitments.scope", "SAP connector", verbal=True)
    assert "commitments.verbal" in item_keys(kind)
    assert "commitments.timeline" not in item_keys(kind)
    written = make.item("commitments.scope", "SAP connector")
    assert "commitments.verbal" not in item_keys(written)
    verbal = make.item("commitments.verbal", "SAP connector", verbal=True)
    assert {"commitments.scope", "commitments.timeline"} <= item_keys(verbal)


def test_tokens_are_words_after_normalisation() -> None:
    assert tokens("Ich TREIBE das, intern-voran!") == ["ich", "treibe", "das", "intern", "voran"]


def test_evidence_exactly_half_of_tokens_counts() -> None:
    evidence = "alpha beta gamma delta"
    assert evidence_supported(evidence, "ALPHA and Beta")              # 2 of 4
    assert not evidence_supported(evidence, "alpha only")              # 1 of 4
    assert evidence_supported("eins zwei drei", "eins zwei")          # 2 of 3
    assert not evidence_supported("eins zwei drei", "zwei")            # 1 of 3
    assert evidence_supported("", "whatever")                          # no tokens


def test_same_source_compares_file_names() -> None:
    assert same_source("uploads/deal/2026-03-04-Discovery.vtt", "2026-03-04-discovery.vtt")
    assert same_source("C:\\deal\\call.vtt", "call.vtt")
    assert same_source("Bu\u0308ro.txt", "Büro.txt")
    assert not same_source("call-2.vtt", "call.vtt")


def test_fact_is_cited_when_any_matching_item_cites_and_that_item_is_reported(make) -> None:
    weak = make.item("stakeholders.champion", "Keller drives it",
                     make.cite("other.eml", "ich treibe das intern voran"), id="weak")
    good = make.item("stakeholders.champion", "Keller is champion",
                     make.cite("call.vtt", "Ich treibe das intern voran."), id="good")
    match = find_fact([weak, good], {"stakeholders.champion"}, [["Keller"]],
                      "call.vtt", "ich treibe das intern voran")
    assert match.found and match.cited
    assert match.best is good and [i.id for i in match.items] == ["weak", "good"]


def test_find_fact_reports_first_match_when_none_cites(make) -> None:
    a = make.item("goals.primary_goal", "cut overtime", id="a")
    b = make.item("goals.primary_goal", "cut overtime by 20%", id="b")
    match = find_fact([a, b], {"goals.primary_goal"}, [["overtime"]], "call.vtt", "x")
    assert match.found and not match.cited and match.best is a


def test_rejected_items_never_match(make) -> None:
    it = make.item("goals.primary_goal", "cut overtime", status=ItemStatus.REJECTED)
    assert not find_fact([it], {"goals.primary_goal"}, [["overtime"]]).found

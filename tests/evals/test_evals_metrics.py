"""Scoring hand-made briefs against hand-made gold, deal by deal and over a run."""

from __future__ import annotations

from evals.gold import Gold
from evals.metrics import SUMMARY_KEYS, per_category, per_deal, score_deal, summarise
from handoff.domain import (
    AlignmentStatus,
    Answer,
    Conflict,
    ConflictKind,
    ItemStatus,
)

CALL = "2026-03-04-discovery.vtt"


def gold(**parts) -> Gold:
    return Gold.model_validate({"deal": "Nordwind", "language": "de", **parts})


def fact(id: str, key: str, keywords, source: str = CALL, evidence: str = "", **extra) -> dict:
    return {"id": id, "key": key, "keywords": keywords, "source": source,
            "evidence": evidence, **extra}


def test_fact_found_and_cited_with_umlauts_and_ligatures(make) -> None:
    g = gold(facts=[fact("F1", "stakeholders.champion", [["Jürgen Weiß"], ["Operations"]],
                         evidence="ich treibe das intern voran")])
    b = make.brief(make.item(
        "stakeholders.champion", "Ju\u0308rgen WEISS, Head of Operations",
        make.cite(CALL, "Ich treibe das   intern voran, versprochen.")))
    outcome = score_deal("d1", g, b).facts[0]
    assert outcome.match.found and outcome.match.cited


def test_wrong_source_is_found_but_not_cited(make) -> None:
    g = gold(facts=[fact("F1", "goals.primary_goal", [["Überstunden"]],
                         evidence="wir wollen Überstunden halbieren")])
    b = make.brief(make.item("goals.primary_goal", "Überstunden halbieren",
                             make.cite("pricing.eml", "wir wollen Überstunden halbieren")))
    outcome = score_deal("d1", g, b).facts[0]
    assert outcome.match.found and not outcome.match.cited


def test_too_few_evidence_tokens_is_not_cited(make) -> None:
    g = gold(facts=[fact("F1", "goals.primary_goal", [["overtime"]],
                         evidence="we want to halve overtime this year")])
    b = make.brief(make.item("goals.primary_goal", "halve overtime",
                             make.cite(CALL, "halve overtime")))
    assert not score_deal("d1", g, b).facts[0].match.cited


def test_alt_keys_and_several_roles_and_verbal_equivalence(make) -> None:
    g = gold(facts=[
        fact("F1", "stakeholders.economic_buyer", [["Fischer"]]),
        fact("F2", "stakeholders.champion", [["Fischer"]]),
        fact("F3", "technical.integration", [["SAP"]], alt_keys=["technical.systems"]),
        fact("F4", "commitments.verbal", [["training"]]),
        fact("F5", "commitments.service", [["hotline"]]),
    ])
    b = make.brief(
        make.item("stakeholders.executive_sponsor", "Petra Fischer, CFO",
                  attributes={"roles": ["executive_sponsor", "economic_buyer", "champion"]}),
        make.item("technical.systems", "SAP S/4HANA"),
        make.item("commitments.commercial", "two extra training days free", verbal=True),
        make.item("commitments.verbal", "24/7 hotline promised on the call", verbal=True),
    )
    assert [o.match.found for o in score_deal("d1", g, b).facts] == [True] * 5


def test_rejected_item_does_not_count_but_its_twin_does(make) -> None:
    g = gold(facts=[fact("F1", "goals.primary_goal", [["overtime"]])])
    rejected = make.brief(make.item("goals.primary_goal", "overtime",
                                    status=ItemStatus.REJECTED))
    assert not score_deal("d1", g, rejected).facts[0].match.found
    corrected = make.brief(make.item("goals.primary_goal", "fewer hours",
                                     status=ItemStatus.CORRECTED, corrected_value="overtime"))
    assert score_deal("d1", g, corrected).facts[0].match.found


def test_traps_use_key_and_keywords(make) -> None:
    g = gold(traps=[{"id": "T1", "key": "commitments.scope", "keywords": [["SSO"]],
                     "why": "declined"}])
    clean = make.brief(make.item("risks.objection", "asked for SSO, declined"))
    hit = make.brief(make.item("commitments.scope", "SSO included"))
    assert not score_deal("d1", g, clean).traps[0].match.found
    assert score_deal("d1", g, hit).traps[0].match.found
    assert summarise([score_deal("d1", g, hit)])["trap_rate"] == 1.0


def test_gaps_flagged_missed_and_false(make) -> None:
    g = gold(facts=[fact("F1", "account.industry", [["logistics"]],
                         alt_keys=["account.business_model"])],
             gaps=["implementation.start_date", "goals.success_metric"])
    b = make.brief(gaps=("implementation.start_date", "account.business_model",
                         "account.business_model", "risks.objection"))
    gaps = {g.key: g for g in score_deal("d1", g, b).gaps}
    assert gaps["implementation.start_date"].flagged
    assert not gaps["goals.success_metric"].flagged
    assert gaps["account.business_model"].false_gap        # covered by F1's alt key, once
    assert not gaps["risks.objection"].false_gap            # no gold fact covers it
    summary = summarise([score_deal("d1", g, b)])
    assert summary["gap_recall"] == 0.5 and summary["false_gaps_per_deal"] == 1.0


def test_gold_gap_covered_by_a_fact_is_not_a_false_gap(make) -> None:
    g = gold(facts=[fact("F1", "implementation.start_date", [["May"]])],
             gaps=["implementation.start_date"])
    b = make.brief(gaps=("implementation.start_date",))
    assert summarise([score_deal("d1", g, b)])["false_gaps_per_deal"] == 0.0


def test_conflict_keywords_match_over_description_and_all_quotes(make) -> None:
    g = gold(conflicts=[{"id": "C1", "keywords": [["4 weeks", "vier Wochen"], ["zehn"]],
                         "sources": ["call-2.vtt", "order-form.pdf"], "note": "ignored"}])
    conflict = Conflict(id="K1", kind=ConflictKind.SOURCES_DISAGREE, topic="duration",
                        description="Go-live: call vs order form",
                        sides=[make.cite("call-2.vtt", "live in vier Wochen"),
                               make.cite("order-form.pdf", "Laufzeit zehn Wochen")])
    assert score_deal("d1", g, make.brief(conflicts=[conflict])).conflicts[0].detected_by
    one_side = conflict.model_copy(update={"sides": conflict.sides[:1]})
    assert score_deal("d1", g, make.brief(conflicts=[one_side])).conflicts[0].detected_by is None


def test_questions_answered_and_cited(make) -> None:
    g = gold(questions=[
        {"id": "Q1", "question": "Who signs?", "keywords": [["Fischer"]], "source": "p.eml"},
        {"id": "Q2", "question": "When live?", "keywords": [["June"]], "source": CALL},
        {"id": "Q3", "question": "Budget?", "keywords": [["80k"]], "source": CALL},
    ])
    answers = {
        "Q1": Answer(question="Who signs?", text="Petra FISCHER signs.",
                     citations=[make.cite("deal/p.eml", "Fischer signs")]),
        "Q2": Answer(question="When live?", text="In June.",
                     citations=[make.cite("other.eml", "June")]),
    }
    outcomes = score_deal("d1", g, make.brief(), answers).questions
    assert [(q.answered, q.cited) for q in outcomes] == [(True, True), (True, False),
                                                        (False, False)]
    summary = summarise([score_deal("d1", g, make.brief(), answers)])
    assert summary["question_accuracy"] == round(2 / 3, 4)
    assert summary["question_citation_accuracy"] == 0.5


def test_grounding_rate_counts_quotes_of_non_rejected_items(make) -> None:
    b = make.brief(
        make.item("account.industry", "logistics", make.cite("a", "x"),
                  make.cite("a", "y", AlignmentStatus.UNGROUNDED)),
        make.item("account.why_us", "price", make.cite("a", "z", AlignmentStatus.FUZZY)),
        make.item("account.locations", "Kiel", make.cite("a", "q", AlignmentStatus.UNGROUNDED),
                  status=ItemStatus.REJECTED),
    )
    assert summarise([score_deal("d1", gold(), b)])["grounding_rate"] == round(2 / 3, 4)


def test_zero_denominators_keep_numbers(make) -> None:
    empty = summarise([score_deal("d1", gold(), make.brief())])
    assert list(empty) == list(SUMMARY_KEYS)
    assert empty["fact_recall"] == 1.0 and empty["citation_accuracy"] == 1.0
    assert empty["grounding_rate"] == 1.0 and empty["trap_rate"] == 0.0
    assert empty["gap_recall"] == 1.0 and empty["question_citation_accuracy"] == 1.0
    nothing_found = summarise([score_deal("d1", gold(facts=[fact("F1", "account.industry",
                                                                  [["x"]])]), make.brief())])
    assert nothing_found["fact_recall"] == 0.0 and nothing_found["citation_accuracy"] == 0.0
    run = summarise([])
    assert run["deals"] == 0 and run["seconds_per_deal"] == 0.0


def test_summary_is_micro_averaged_with_per_category_and_per_deal(make) -> None:
    g1 = gold(facts=[fact(f"F{n}", "account.industry", [[f"w{n}"]]) for n in range(3)])
    g2 = gold(facts=[fact("F1", "goals.primary_goal", [["growth"]])])
    s1 = score_deal("d1", g1, make.brief(make.item("account.industry", "w0 w1 w2")),
                    seconds=3.0)
    s2 = score_deal("d2", g2, make.brief(), seconds=1.0)
    summary = summarise([s1, s2])
    assert summary["fact_recall"] == 0.75          # 3 of 4, not the mean of 1.0 and 0.0
    assert summary["seconds_per_deal"] == 2.0 and summary["deals"] == 2
    assert summary["facts"] == 4
    cats = per_category([s1, s2])
    assert list(cats) == ["account", "goals"]
    assert cats["account"]["fact_recall"] == 1.0 and cats["goals"]["fact_recall"] == 0.0
    rows = per_deal([s1, s2])
    assert [r["deal"] for r in rows] == ["d1", "d2"] and rows[1]["fact_recall"] == 0.0


def test_failed_deal_scores_as_empty_brief() -> None:
    g = gold(facts=[fact("F1", "account.industry", [["x"]])], gaps=["account.why_us"],
             conflicts=[{"id": "C1", "keywords": [["x"]]}])
    score = score_deal("d1", g, None, error="RuntimeError: boom")
    assert not score.facts[0].match.found and not score.gaps[0].flagged
    assert score.conflicts[0].detected_by is None and score.error == "RuntimeError: boom"
    assert per_deal([score])[0]["error"] == "RuntimeError: boom"


def test_key_precision_judges_single_answer_keys_only(make) -> None:
    g = gold(facts=[fact("F1", "stakeholders.economic_buyer", [["Fischer"]]),
                    fact("F2", "account.industry", [["logistics"]]),
                    fact("F3", "goals.primary_goal", [["overtime"]])],
             gaps=["implementation.go_live_date"])
    b = make.brief(
        make.item("stakeholders.economic_buyer", "Petra Fischer, CFO"),          # right
        make.item("stakeholders.economic_buyer", "Ben Ortiz, IT lead"),          # wrong
        make.item("account.industry", "a logistics group"),                      # right
        make.item("implementation.go_live_date", "Go-live: 1 June"),             # a guess
        make.item("implementation.start_date", "Kickoff 4 May"),                 # not judged
        make.item("goals.primary_goal", "something else entirely"),              # not judged
        make.item("stakeholders.economic_buyer", "Fischer again", status=ItemStatus.REJECTED),
    )
    score = score_deal("d1", g, b)
    summary = summarise([score])
    assert summary["key_precision"] == 0.5            # 2 right of 4 judged
    assert summary["items_per_deal"] == 6.0           # the rejected item is not read
    verdicts = {o.item.value: o.judged for o in score.items}
    assert verdicts["Go-live: 1 June"] == (("implementation.go_live_date", False),)
    assert verdicts["Kickoff 4 May"] == ()


def test_key_precision_counts_a_stakeholder_under_every_role_it_claims(make) -> None:
    g = gold(facts=[fact("F1", "stakeholders.champion", [["Keller"]]),
                    fact("F2", "stakeholders.economic_buyer", [["Fischer"]])])
    b = make.brief(make.item("stakeholders.champion", "Anna Keller",
                             attributes={"roles": ["champion", "economic_buyer"]}))
    assert summarise([score_deal("d1", g, b)])["key_precision"] == 0.5
    assert summarise([score_deal("d1", gold(), b)])["key_precision"] == 1.0  # nothing judged


def test_by_origin_counts_each_part_of_the_extraction_alone(make) -> None:
    from evals.metrics import by_origin

    g = gold(facts=[fact("F1", "account.industry", [["logistics"]]),
                    fact("F2", "goals.primary_goal", [["overtime"]]),
                    fact("F3", "risks.objection", [["price"]]),
                    fact("F4", "account.why_us", [["reference"]])])
    b = make.brief(make.item("account.industry", "logistics", origin="rules"),
                   make.item("goals.primary_goal", "halve overtime", origin="model+rules"),
                   make.item("risks.objection", "price too high", origin="classifier"))
    origins = by_origin([score_deal("d1", g, b), score_deal("d2", g, make.brief())])
    assert origins == {"classifier": 0.125, "model": 0.125, "rules": 0.25}


def test_each_item_lists_the_gold_facts_it_matches(make) -> None:
    g = gold(facts=[fact("F1", "technical.integration", [["SAP"]]),
                    fact("F2", "technical.integration", [["Slack"]])],
             traps=[{"id": "T1", "key": "technical.integration", "keywords": [["Oracle"]]}])
    b = make.brief(make.item("technical.integration", "SAP and Slack"),
                   make.item("technical.integration", "Oracle later"),
                   make.item("technical.systems", "SAP"))
    items = score_deal("d1", g, b).items
    assert [(o.facts, o.traps) for o in items] == [(("F1", "F2"), ()), ((), ("T1",)), ((), ())]

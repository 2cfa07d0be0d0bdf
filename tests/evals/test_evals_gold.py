"""Loading datasets: gold.json models, offerings, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.gold import load_dataset
from handoff.errors import InputError

GOLD = {
    "deal": "Nordwind Logistik GmbH - Fleet Ops rollout",
    "language": "de",
    "labeller": "someone else's field",
    "facts": [
        {"id": "F1", "key": "stakeholders.champion", "alt_keys": [],
         "keywords": [["Keller"], ["Head of Operations", "Leiterin Operations"]],
         "source": "2026-03-04-discovery.vtt", "evidence": "ich treibe das intern voran",
         "difficulty": "easy"}
    ],
    "traps": [{"id": "T1", "key": "commitments.scope", "keywords": [["SSO"]],
               "why": "declined", "severity": 3}],
    "gaps": ["implementation.start_date"],
    "conflicts": [{"id": "C1", "keywords": [["4 weeks", "vier Wochen"]],
                   "sources": ["2026-03-04-discovery.vtt", "offering.yaml"], "note": "n"}],
    "questions": [{"id": "Q1", "question": "Who signs off the budget?",
                   "keywords": [["Fischer"]], "source": "2026-03-04-discovery.vtt",
                   "answer_hint": "the CFO"}],
}


def make_deal(root: Path, name: str, gold: dict | str = GOLD, sources=("2026-03-04-discovery.vtt",),
              offering: str | None = None) -> Path:
    deal = root / name
    (deal / "sources").mkdir(parents=True)
    for source in sources:
        (deal / "sources" / source).write_text("WEBVTT\n", encoding="utf-8")
    text = gold if isinstance(gold, str) else json.dumps(gold)
    (deal / "gold.json").write_text(text, encoding="utf-8")
    if offering is not None:
        (deal / "offering.yaml").write_text(offering, encoding="utf-8")
    return deal


def test_unknown_fields_are_ignored_everywhere(tmp_path: Path) -> None:
    make_deal(tmp_path, "nordwind")
    [case] = load_dataset(tmp_path)
    assert case.deal_id == "nordwind" and case.sources == tmp_path / "nordwind" / "sources"
    assert case.gold.facts[0].keys == {"stakeholders.champion"}
    assert case.gold.traps[0].why == "declined"
    assert case.gold.conflicts[0].sources[-1] == "offering.yaml"
    assert case.gold.questions[0].source == "2026-03-04-discovery.vtt"
    assert case.offering is None and case.warnings == ()


def test_deal_offering_overrides_the_datasets(tmp_path: Path) -> None:
    (tmp_path / "offering.yaml").write_text("vendor: Flowbase\nroadmap: [SCIM]\n")
    make_deal(tmp_path, "a")
    make_deal(tmp_path, "b", offering="vendor: Special\nday_rate_eur: 1400\n")
    a, b = load_dataset(tmp_path)
    assert a.offering is not None and a.offering.vendor == "Flowbase"
    assert b.offering is not None and b.offering.vendor == "Special"
    assert b.offering.model_extra == {"day_rate_eur": 1400}


def test_offering_extra_keys_are_kept(tmp_path: Path) -> None:
    (tmp_path / "offering.yaml").write_text(
        "integrations:\n  native: [Slack]\n  custom_development_day_rate_eur: 1400\n"
        "hosting: EU only\n")
    make_deal(tmp_path, "a")
    [case] = load_dataset(tmp_path)
    assert case.offering is not None
    assert case.offering.integrations == {"native": ["Slack"],
                                          "custom_development_day_rate_eur": 1400}
    assert case.warnings == ()


def test_offering_value_of_unexpected_type_is_dropped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "offering.yaml").write_text("roadmap: 12\nvendor: Flowbase\n")
    make_deal(tmp_path, "a")
    [case] = load_dataset(tmp_path)
    assert case.offering is not None and case.offering.vendor == "Flowbase"
    assert case.offering.roadmap == []
    assert any("roadmap" in w for w in case.warnings)


def test_single_deal_folder_loads_with_parent_offering(tmp_path: Path) -> None:
    (tmp_path / "offering.yaml").write_text("vendor: Flowbase\n")
    deal = make_deal(tmp_path, "a")
    [case] = load_dataset(deal)
    assert case.deal_id == "a" and case.offering and case.offering.vendor == "Flowbase"


def test_bare_string_keyword_group_is_one_alternative(tmp_path: Path) -> None:
    gold = {**GOLD, "traps": [{"id": "T1", "key": "commitments.scope",
                               "keywords": ["SSO", ["SAML", "single sign-on"]]}]}
    make_deal(tmp_path, "a", gold=gold)
    assert load_dataset(tmp_path)[0].gold.traps[0].keywords == [["SSO"],
                                                                ["SAML", "single sign-on"]]


@pytest.mark.parametrize(("gold", "needle"), [
    ("{not json", "not valid JSON"),
    ({"language": "de"}, "deal"),
    ({**GOLD, "facts": [{"id": "F1", "key": "account.industry", "source": "x"}]},
     "facts.0.keywords"),
    ({**GOLD, "traps": [{"id": "T1", "key": "commitments.scope", "keywords": [[]]}]},
     "empty"),
    ({**GOLD, "questions": [{"id": "Q", "question": "?", "keywords": [["  "]]}]}, "blank"),
    ({**GOLD, "facts": GOLD["facts"] * 2}, "duplicate facts ids: F1"),
])
def test_invalid_gold_names_the_file_and_problem(tmp_path: Path, gold, needle: str) -> None:
    make_deal(tmp_path, "broken", gold=gold)
    with pytest.raises(InputError) as err:
        load_dataset(tmp_path)
    assert str(tmp_path / "broken" / "gold.json") in str(err.value)
    assert needle in str(err.value)


def test_unusable_offering_names_the_file(tmp_path: Path) -> None:
    make_deal(tmp_path, "a", offering="- just\n- a list\n")
    with pytest.raises(InputError, match="offering.yaml"):
        load_dataset(tmp_path)


def test_unknown_keys_and_missing_sources_are_warnings(tmp_path: Path) -> None:
    gold = {**GOLD, "gaps": ["implementation.kickoff"]}
    make_deal(tmp_path, "a", gold=gold, sources=("other.vtt",))
    [case] = load_dataset(tmp_path)
    text = "\n".join(case.warnings)
    assert "implementation.kickoff" in text
    assert "2026-03-04-discovery.vtt" in text and "offering.yaml" not in text


def test_dataset_folder_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a dataset folder"):
        load_dataset(tmp_path / "missing")
    with pytest.raises(InputError, match="no deal folders"):
        load_dataset(tmp_path)
    (tmp_path / "half-done" / "sources").mkdir(parents=True)
    with pytest.raises(InputError, match="no deal folders"):
        load_dataset(tmp_path)


def test_deal_still_being_labelled_is_skipped_with_a_warning(tmp_path: Path) -> None:
    make_deal(tmp_path, "a")
    (tmp_path / "half-done" / "sources").mkdir(parents=True)
    [case] = load_dataset(tmp_path)
    assert case.deal_id == "a"
    assert any("half-done" in w and "no gold.json" in w for w in case.warnings)


def test_hidden_and_unrelated_folders_are_skipped(tmp_path: Path) -> None:
    make_deal(tmp_path, "b")
    make_deal(tmp_path, "a")
    (tmp_path / ".cache").mkdir()
    (tmp_path / "docs").mkdir()
    assert [c.deal_id for c in load_dataset(tmp_path)] == ["a", "b"]

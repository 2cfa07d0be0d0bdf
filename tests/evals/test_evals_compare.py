"""Comparing two reports: deltas, directions, fact flips, regressions and the exit code."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from rich.console import Console

from evals.compare import compare, exit_code, load_report, print_comparison
from handoff.errors import InputError

BASE = {
    "summary": {
        "fact_recall": 0.80, "citation_accuracy": 0.90, "grounding_rate": 0.95,
        "trap_rate": 0.10, "gap_recall": 0.70, "conflict_recall": 0.50,
        "question_accuracy": 0.60, "question_citation_accuracy": 0.60,
        "false_gaps_per_deal": 0.5, "seconds_per_deal": 10.0, "deals": 4, "facts": 40,
    },
    "facts": [
        {"deal": "d1", "id": "F1", "key": "stakeholders.champion", "found": True, "cited": True},
        {"deal": "d1", "id": "F2", "key": "goals.primary_goal", "found": False, "cited": False},
        {"deal": "d2", "id": "F1", "key": "account.industry", "found": True, "cited": False},
    ],
    "run": {"dataset": "dev", "backend": "rules"},
}


def changed(**summary) -> dict:
    report = copy.deepcopy(BASE)
    report["summary"].update(summary)
    return report


def test_worse_report_regresses_and_exits_1() -> None:
    worse = changed(fact_recall=0.70, trap_rate=0.20, false_gaps_per_deal=1.0)
    worse["facts"][0]["found"] = worse["facts"][0]["cited"] = False
    result = compare(BASE, worse)
    assert {m.name for m in result.regressions} == {"fact_recall", "trap_rate",
                                                    "false_gaps_per_deal"}
    assert exit_code(result) == 1
    assert [(c.deal, c.id, c.change) for c in result.fact_changes] == [
        ("d1", "F1", "found→missed")]


def test_better_report_exits_0_with_better_statuses() -> None:
    better = changed(fact_recall=0.9, trap_rate=0.0, false_gaps_per_deal=0.1,
                     seconds_per_deal=30.0)
    better["facts"][1]["found"] = True
    better["facts"][2]["cited"] = True
    result = compare(BASE, better)
    status = {m.name: m.status for m in result.metrics}
    assert status["fact_recall"] == status["trap_rate"] == "better"
    assert status["false_gaps_per_deal"] == "better" and status["grounding_rate"] == "same"
    assert exit_code(result) == 0
    assert {c.change for c in result.fact_changes} == {"missed→found", "uncited→cited"}


def test_seconds_never_regress_and_small_drops_are_tolerated() -> None:
    result = compare(BASE, changed(seconds_per_deal=1000.0, citation_accuracy=0.885,
                                   fact_recall=0.78))
    assert exit_code(result) == 0
    status = {m.name: m.status for m in result.metrics}
    assert status["seconds_per_deal"] == "changed" and status["citation_accuracy"] == "worse"
    assert exit_code(compare(BASE, changed(fact_recall=0.77), tolerance=0.02)) == 1
    assert exit_code(compare(BASE, changed(fact_recall=0.77), tolerance=0.05)) == 0


def test_missing_metrics_and_changed_facts_are_noted() -> None:
    old = copy.deepcopy(BASE)
    del old["summary"]["conflict_recall"]
    new = changed()
    new["facts"].append({"deal": "d3", "id": "F9", "key": "risks.objection",
                         "found": True, "cited": True})
    new["run"]["dataset"] = "other"
    result = compare(old, new)
    assert "conflict_recall" not in {m.name for m in result.metrics}
    assert any("conflict_recall" in n for n in result.notes)
    assert any("different datasets" in n for n in result.notes)
    assert result.fact_changes[-1].change == "added"


def test_print_comparison_shows_regressions() -> None:
    console = Console(record=True, width=120)
    result = compare(BASE, changed(gap_recall=0.4))
    print_comparison(result, console)
    text = console.export_text()
    assert "gap_recall" in text and "REGRESSION" in text and "Regressed beyond" in text


def test_load_report_from_folder_or_file(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps(BASE), encoding="utf-8")
    assert load_report(tmp_path) == BASE == load_report(tmp_path / "report.json")
    (tmp_path / "other.json").write_text("[]", encoding="utf-8")
    with pytest.raises(InputError, match="not an eval report"):
        load_report(tmp_path / "other.json")
    with pytest.raises(InputError, match="cannot read"):
        load_report(tmp_path / "missing.json")

"""The runner end to end: a dataset on disk, an injected build, one failing deal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.gold import DealCase, load_dataset
from evals.runner import DealProgress, DealRun, run_eval
from handoff.domain import Answer

CALL = "call.vtt"
CALL_TEXT = "WEBVTT\n\n<v Anna Keller>Ich treibe das intern voran."


def write_deal(root: Path, name: str) -> None:
    deal = root / name
    (deal / "sources").mkdir(parents=True)
    (deal / "sources" / CALL).write_text(CALL_TEXT, encoding="utf-8")
    gold = {
        "deal": f"Deal {name}",
        "facts": [
            {"id": "F1", "key": "stakeholders.champion", "keywords": [["Keller"]],
             "source": CALL, "evidence": "ich treibe das intern voran"},
            {"id": "F2", "key": "goals.primary_goal", "keywords": [["overtime"]],
             "source": CALL, "evidence": "overtime"},
        ],
        "questions": [{"id": "Q1", "question": "Champion?", "keywords": [["Keller"]],
                       "source": CALL}],
    }
    (deal / "gold.json").write_text(json.dumps(gold), encoding="utf-8")


@pytest.fixture
def cases(tmp_path: Path) -> list[DealCase]:
    for name in ("alpha", "broken", "gamma"):
        write_deal(tmp_path / "dataset", name)
    return load_dataset(tmp_path / "dataset")


def test_run_eval_scores_writes_reports_and_survives_a_failing_deal(
        make, cases: list[DealCase], tmp_path: Path) -> None:
    def build(case: DealCase) -> DealRun:
        if case.deal_id == "broken":
            raise RuntimeError("the parser fell over")
        brief = make.brief(make.item("stakeholders.champion", "Anna Keller",
                                     make.cite(CALL, "Ich treibe das intern voran.")),
                           deal_id=case.deal_id)
        answer = Answer(question="Champion?", text="Anna Keller",
                        citations=[make.cite(CALL, "Ich treibe")])
        return DealRun(brief=brief, answers={"Q1": answer}, seconds=4.0,
                       source_texts={CALL: CALL_TEXT})

    seen: list[DealProgress] = []
    out = tmp_path / "out"
    report = run_eval(cases, build, out_dir=out, backend_name="fake", progress=seen.append)

    assert [(p.deal_id, p.done, p.total, p.error is not None) for p in seen] == [
        ("alpha", 1, 3, False), ("broken", 2, 3, True), ("gamma", 3, 3, False)]
    summary = report["summary"]
    assert summary["deals"] == 3 and summary["facts"] == 6
    assert summary["fact_recall"] == round(2 / 6, 4)
    assert summary["citation_accuracy"] == 1.0
    assert summary["question_accuracy"] == round(2 / 3, 4)
    assert report["run"]["errors"] == [
        {"deal": "broken", "error": "RuntimeError: the parser fell over"}]
    assert report["run"]["backend"] == "fake"
    assert report["run"]["dataset"] == str(tmp_path / "dataset")
    assert json.loads((out / "report.json").read_text(encoding="utf-8")) == report
    assert "the parser fell over" in (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "the parser fell over" in html
    assert "The evidence was not found in the source text." in html  # F2: "overtime"


def test_build_returning_the_wrong_type_is_a_deal_error(cases: list[DealCase],
                                                        tmp_path: Path) -> None:
    def build(case: DealCase) -> DealRun:
        return "not a run"  # type: ignore[return-value]

    report = run_eval(cases[:1], build, out_dir=tmp_path, backend_name="fake", dataset="dev")
    assert "not a DealRun" in report["run"]["errors"][0]["error"]
    assert report["run"]["dataset"] == "dev" and report["summary"]["fact_recall"] == 0.0


def test_seconds_default_to_the_runners_clock(make, cases: list[DealCase],
                                              tmp_path: Path) -> None:
    report = run_eval(cases[:1], lambda case: DealRun(brief=make.brief()),
                      out_dir=tmp_path, backend_name="fake")
    assert 0.0 <= report["summary"]["seconds_per_deal"] < 5.0
    assert report["run"]["token_usage"]["calls"] == 0

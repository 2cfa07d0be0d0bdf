"""The written reports: JSON contract, Markdown misses, self-contained and escaped HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

from evals.gold import Gold
from evals.metrics import SUMMARY_KEYS, score_deal
from evals.passages import locate, passage
from evals.report import (
    REPORT_KEYS,
    build_report,
    render_html,
    render_markdown,
    write_reports,
)

CALL = "call.vtt"
CALL_TEXT = ("WEBVTT\n\n00:01:02.000 --> 00:01:09.000\n<v Anna Keller>Also, ich TREIBE das\n"
             "intern voran, keine Sorge. Danach reden wir über Jürgen.")


def scores(make):
    gold = Gold.model_validate({
        "deal": "Nordwind",
        "facts": [
            {"id": "F1", "key": "stakeholders.champion", "keywords": [["Keller"]],
             "source": CALL, "evidence": "ich treibe das intern voran"},
            {"id": "F2", "key": "goals.primary_goal", "keywords": [["overtime"]],
             "source": CALL, "evidence": "ich treibe das intern voran"},
            {"id": "F3", "key": "account.industry", "keywords": [["logistics"]],
             "source": CALL, "evidence": "nowhere in the text at all, truly"},
        ],
        "traps": [{"id": "T1", "key": "commitments.scope", "keywords": [["SSO"]]}],
        "gaps": ["implementation.start_date"],
        "conflicts": [{"id": "C1", "keywords": [["weeks"]]}],
        "questions": [{"id": "Q1", "question": "Who?", "keywords": [["Keller"]],
                       "source": CALL}],
    })
    brief = make.brief(
        make.item("stakeholders.champion", "Anna Keller",
                  make.cite(CALL, "ich treibe das intern voran"), id="i1"),
        make.item("goals.primary_goal", "less overtime",
                  make.cite(CALL, "<script>alert(1)</script> wrong"), id="i2"),
        make.item("commitments.scope", "SSO for all", id="i3"),
        gaps=("account.why_us",),
    )
    return [score_deal("d1", gold, brief, seconds=2.5),
            score_deal("d2", gold, None, error="RuntimeError: parser <b>broke</b>")]


def test_report_json_has_exactly_the_documented_keys(make, tmp_path: Path) -> None:
    report = build_report(scores(make), backend="rules", dataset="dev")
    paths = write_reports(report, tmp_path, {("d1", CALL): CALL_TEXT})
    loaded = json.loads(paths.json.read_text(encoding="utf-8"))
    assert list(loaded) == list(REPORT_KEYS)
    assert list(loaded["summary"]) == list(SUMMARY_KEYS)
    assert loaded["run"]["backend"] == "rules" and loaded["run"]["dataset"] == "dev"
    assert loaded["run"]["errors"] == [{"deal": "d2", "error": "RuntimeError: parser <b>broke</b>"}]
    f1, f2, f3 = loaded["facts"][:3]
    assert (f1["status"], f2["status"], f3["status"]) == ("cited", "wrongly cited", "missed")
    assert f1["item_id"] == "i1" and f1["quotes"][0] == {
        "source": CALL, "quote": "ich treibe das intern voran", "locator": None,
        "alignment": "exact", "correct": True}
    assert f2["evidence"] == "ich treibe das intern voran" and f2["source"] == CALL
    assert loaded["facts"][3]["status"] == "error"
    assert loaded["traps"][0]["triggered"] and loaded["traps"][0]["item_id"] == "i3"
    assert {"deal": "d1", "key": "account.why_us", "expected": False, "flagged": True,
            "false_gap": False} in loaded["gaps"]
    assert loaded["per_category"]["stakeholders"]["fact_recall"] == 0.5


def test_html_is_self_contained_escaped_and_highlights_evidence(make, tmp_path: Path) -> None:
    report = build_report(scores(make), backend="rules", dataset="dev")
    html = write_reports(report, tmp_path, {("d1", CALL): CALL_TEXT}).html.read_text("utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;broke&lt;/b&gt;" in html
    assert not re.search(r"<link|\bsrc=|https?://|@import|url\(", html)
    assert "<style>" in html
    # F2 is wrongly cited: its evidence is shown in the source, case and line breaks intact.
    assert "<mark>ich TREIBE das\nintern voran</mark>" in html
    assert "The evidence was not found in the source text." in html      # F3
    assert "stakeholders" in html and "every fact of this deal counts as missed" in html
    assert "No extracted text for this source." in render_html(report, None)


def test_markdown_lists_misses_and_errors(make) -> None:
    md = render_markdown(build_report(scores(make), backend="rules", dataset="dev"))
    assert "## Summary" in md and "## Per category" in md and "## Per deal" in md
    assert "| d1 | F2 | goals.primary_goal | wrongly cited |" in md
    assert "### Triggered traps" in md and "### Missed gaps" in md and "### Errors" in md
    assert "| d1 | F1 |" not in md  # correctly cited facts are not misses
    assert "| d2 | F1 |" not in md  # a failed deal is listed once, under Errors
    assert "| d1 | C1 | (weeks) |" in md


def test_markdown_escapes_table_pipes(make) -> None:
    report = build_report(scores(make), backend="a|b", dataset="dev")
    report["facts"][1]["evidence"] = "x | y\nz"
    assert "x \\| y z" in render_markdown(report)


def test_locate_ignores_case_whitespace_and_decomposition() -> None:
    text = "Wir sprechen mit Ju\u0308rgen   MÜLLER\nnächste Woche."
    start, end, fuzzy = locate(text, "jürgen müller nächste")
    assert text[start:end] == "Ju\u0308rgen   MÜLLER\nnächste" and not fuzzy


def test_passage_window_and_fuzzy_fallback() -> None:
    text = " ".join(f"word{n}" for n in range(200)) + " the customer wants SSO everywhere "
    text += " ".join(f"tail{n}" for n in range(200))
    found = passage(text, "customer wants SSO", window=30)
    assert found is not None and found.marked == "customer wants SSO"
    assert found.before.startswith("…") and found.after.endswith("…")
    assert len(found.before) < 80
    approx = passage(text, "the customer want SSO everywhere")
    assert approx is not None and approx.fuzzy and "SSO" in approx.marked
    assert passage(text, "completely unrelated sentence about pricing") is None

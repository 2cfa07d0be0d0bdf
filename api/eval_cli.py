"""``handoff eval``: score the product on a labelled dataset, and compare two runs.

    handoff eval DATASET_DIR [--backend NAME] [--out DIR] [--deals ID,ID] [--check-floors F]
    handoff eval compare OLD/report.json NEW/report.json [--fail-on-regression]

Each deal is ingested into a fresh, isolated store (its own temporary HANDOFF_HOME), so deals
never see each other's passages; the embedder and the backend (for ``local``, one llama.cpp
server) are shared across deals.
"""

from __future__ import annotations

import json
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.render import handled
from evals.compare import compare, exit_code, load_report, print_comparison
from evals.gold import DealCase, load_dataset
from evals.runner import DealProgress, DealRun, run_eval
from extractor.backends import Backend, open_backend
from extractor.classifier import load_head
from extractor.service import ask, make_brief
from handoff.errors import InputError
from handoff.settings import Settings, get_settings
from index.embedders import Embedder, make_embedder
from index.ingest import IngestStatus, ingest_paths
from index.store import Store

console = Console()


def make_build(settings: Settings, backend: Backend, embedder: Embedder,  # type: ignore[no-untyped-def]
               briefs_dir: Path | None = None, lodo_weights: Path | None = None,
               qa_backend: Backend | None = None):
    """The eval's build step: isolated store, ingest, brief, answer the gold questions
    (with ``qa_backend`` when given, else with the brief's backend)."""
    answerer = qa_backend or backend

    def build(case: DealCase) -> DealRun:
        with tempfile.TemporaryDirectory(prefix=f"handoff-eval-{case.deal_id}-") as tmp:
            deal_settings = settings.model_copy(update={"home": Path(tmp),
                                                        "database_url": None})
            store = Store.open(deal_settings, embedder=embedder)
            store.create_deal(case.deal_id, name=case.gold.deal or case.deal_id)
            results = ingest_paths(store, case.deal_id, case.source_files(),
                                   max_bytes=settings.max_file_bytes)
            bad = [r for r in results if r.status == IngestStatus.REJECTED]
            for r in bad:
                console.print(f"[yellow]{case.deal_id}: {r.filename} rejected: {r.reason}")
            head = None
            if lodo_weights is not None:  # the head trained without this deal
                head = load_head(str(lodo_weights / f"{case.deal_id}.npz"))
            brief = make_brief(store, case.deal_id, backend, offering=case.offering, head=head)
            answers = {q.id: ask(store, case.deal_id, q.question, answerer,
                                 language=case.gold.language)
                       for q in case.gold.questions}
            texts = {d.doc.filename: d.doc.text for d in store.documents(case.deal_id)}
            if briefs_dir is not None:  # what the brief said, for reading beside the report
                briefs_dir.mkdir(parents=True, exist_ok=True)
                (briefs_dir / f"{case.deal_id}.json").write_text(brief.model_dump_json(indent=1),
                                                                 encoding="utf-8")
            store.engine.dispose()
            return DealRun(brief=brief, answers=answers, source_texts=texts)

    return build


def _summary_table(summary: dict[str, float], origins: dict[str, float]) -> Table:
    table = Table("metric", "value", title="Eval summary")
    for key, value in summary.items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    for origin, value in origins.items():
        table.add_row(f"fact_recall by origin: {origin}", f"{value:.3f}")
    return table


def check_floors(summary: dict[str, float], floors_path: Path) -> list[str]:
    """Metrics below their floor (or above their ceiling, for rates where lower is better)."""
    floors = json.loads(floors_path.read_text(encoding="utf-8"))
    problems = []
    for key, bound in floors.get("min", {}).items():
        if summary.get(key, 0.0) < bound:
            problems.append(f"{key} = {summary.get(key)} is below the floor {bound}")
    for key, bound in floors.get("max", {}).items():
        if summary.get(key, 0.0) > bound:
            problems.append(f"{key} = {summary.get(key)} is above the ceiling {bound}")
    return problems


def eval_command(
    args: Annotated[list[str], typer.Argument(help="DATASET_DIR, or: compare OLD NEW")],
    backend: Annotated[str, typer.Option("--backend", "-b")] = "classifier",
    out: Annotated[Path | None, typer.Option("--out", "-o")] = None,
    deals: Annotated[str | None, typer.Option(help="Comma-separated deal ids")] = None,
    check_floors_path: Annotated[Path | None, typer.Option(
        "--check-floors", help="JSON with min/max bounds for summary metrics")] = None,
    fail_on_regression: Annotated[bool, typer.Option("--fail-on-regression")] = False,
    tolerance: Annotated[float, typer.Option(help="Allowed drop before a regression")] = 0.02,
    lodo_weights: Annotated[Path | None, typer.Option(
        "--lodo-weights", help="A folder of classifier heads, one per deal, each trained "
                               "without that deal (python -m evals.training.train "
                               "--save-lodo DIR): honest numbers on the dev set")] = None,
    qa_backend: Annotated[str | None, typer.Option(
        "--qa-backend", help="Answer the gold questions with this backend instead "
                             "(e.g. rules, to time a slow model's briefs alone)")] = None,
) -> None:
    """Score extraction on a labelled dataset (or compare two reports)."""
    with handled():
        if args and args[0] == "compare":
            if len(args) != 3:
                raise InputError("usage: handoff eval compare OLD/report.json NEW/report.json")
            result = compare(load_report(args[1]), load_report(args[2]), tolerance=tolerance)
            print_comparison(result, console)
            if fail_on_regression and exit_code(result):
                raise typer.Exit(1)
            return
        if len(args) != 1:
            raise InputError("usage: handoff eval DATASET_DIR [--backend NAME] [--out DIR]")
        cases = load_dataset(Path(args[0]))
        if deals:
            wanted = {d.strip() for d in deals.split(",") if d.strip()}
            unknown = wanted - {c.deal_id for c in cases}
            if unknown:
                raise InputError(f"unknown deal ids: {', '.join(sorted(unknown))}")
            cases = [c for c in cases if c.deal_id in wanted]
        settings = get_settings()
        out_dir = out or Path("reports") / f"eval-{backend}"
        with ExitStack() as stack:
            be = stack.enter_context(open_backend(settings, backend))
            qa = stack.enter_context(open_backend(settings, qa_backend)) if qa_backend else None
            console.print(f"backend: {be.name} ({be.reason}); {len(cases)} deals"
                          + (f"; questions answered by {qa.name}" if qa else ""))

            def progress(p: DealProgress) -> None:
                state = f"[red]error: {p.error}[/]" if p.error else "ok"
                console.print(f"[{p.done}/{p.total}] {p.deal_id} {p.seconds:.1f}s {state}")

            build = make_build(settings, be, make_embedder(settings),
                               briefs_dir=out_dir / "briefs", qa_backend=qa,
                               lodo_weights=lodo_weights)
            report = run_eval(cases, build,
                              out_dir=out_dir, backend_name=be.name, progress=progress,
                              dataset=str(args[0]),
                              qa_backend=qa.name if qa else None)
        console.print(_summary_table(report["summary"], report["by_origin"]))
        console.print(f"reports: {out_dir}/report.json, report.md, report.html")
        if check_floors_path:
            problems = check_floors(report["summary"], check_floors_path)
            for p in problems:
                console.print(f"[red]floor:[/] {p}")
            if problems:
                raise typer.Exit(1)

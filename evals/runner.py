"""Run a dataset through the product and write the reports.

The runner owns no product code: the caller injects ``build``, which ingests one deal's
sources into a fresh, isolated store, builds its brief and answers its gold questions
(the CLI wires the real parts; tests pass a function returning hand-made briefs). The
runner times each deal, keeps going when one deal fails (its facts then score as missed
and the error is written into every report), scores, and writes ``report.json``,
``report.md`` and ``report.html``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.gold import DealCase
from evals.metrics import DealScore, score_deal
from evals.report import build_report, write_reports
from handoff.domain import Answer, HandoffBrief


@dataclass
class DealRun:
    """What building one deal produced.

    Attributes:
        brief: The brief built from the deal's sources.
        answers: The product's answers by gold question id.
        seconds: How long the build took; None lets the runner use its own wall clock.
        source_texts: Each source's extracted text by file name, for the HTML report.
    """

    brief: HandoffBrief
    answers: dict[str, Answer] = field(default_factory=dict)
    seconds: float | None = None
    source_texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DealProgress:
    """Reported to the ``progress`` callback after each deal."""

    deal_id: str
    done: int
    total: int
    seconds: float
    error: str | None = None


BuildFn = Callable[[DealCase], DealRun]
ProgressFn = Callable[[DealProgress], None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dataset_name(cases: Sequence[DealCase]) -> str:
    parents = {str(case.path.parent) for case in cases}
    return parents.pop() if len(parents) == 1 else ", ".join(sorted(parents))


def run_case(case: DealCase, build: BuildFn) -> tuple[DealScore, DealRun | None]:
    """Build and score one deal; a failing build scores as an empty brief with its error.

    Returns:
        The deal's score, and what the build produced (None when it failed).
    """
    started = time.perf_counter()
    try:
        run = build(case)
        if not isinstance(run, DealRun):
            raise TypeError(f"build returned {type(run).__name__}, not a DealRun")
    except Exception as exc:  # one broken deal must not stop the run
        elapsed = time.perf_counter() - started
        error = f"{type(exc).__name__}: {exc}"
        return score_deal(case.deal_id, case.gold, None, seconds=elapsed, error=error), None
    seconds = run.seconds if run.seconds is not None else time.perf_counter() - started
    score = score_deal(case.deal_id, case.gold, run.brief, run.answers, seconds=seconds)
    return score, run


def _brief_meta(briefs: Sequence[HandoffBrief]) -> dict[str, Any]:
    """Models, prompt versions and token usage of the briefs, for comparing runs."""
    models = sorted({b.metadata.model for b in briefs if b.metadata.model})
    prompts: dict[str, str] = {}
    for brief in briefs:
        prompts.update(brief.metadata.prompt_versions)
    usage = {"prompt_tokens": 0, "completion_tokens": 0, "calls": 0}
    for brief in briefs:
        for name in usage:
            usage[name] += getattr(brief.metadata.token_usage, name)
    return {"model": ", ".join(models) or None, "prompt_versions": prompts,
            "token_usage": usage}


def run_eval(cases: Sequence[DealCase], build: BuildFn, *, out_dir: Path | str,
             backend_name: str, progress: ProgressFn | None = None,
             dataset: str | None = None, qa_backend: str | None = None) -> dict[str, Any]:
    """Build, score and report every deal of a dataset.

    Args:
        cases: The deals, from :func:`evals.gold.load_dataset`.
        build: Builds one deal's brief and answers in a fresh, isolated store.
        out_dir: Where ``report.json``, ``report.md`` and ``report.html`` go.
        backend_name: The backend's name, recorded in the report.
        progress: Called after each deal with a :class:`DealProgress`.
        dataset: The dataset's name for the report; defaults to the deals' parent folder.
        qa_backend: The backend that answered the questions, when not ``backend_name``.

    Returns:
        The report dict, as written to ``report.json``.
    """
    started_at, started = _now(), time.perf_counter()
    scores: list[DealScore] = []
    briefs: list[HandoffBrief] = []
    texts: dict[tuple[str, str], str] = {}
    for n, case in enumerate(cases, start=1):
        score, run = run_case(case, build)
        scores.append(score)
        if run is not None:
            briefs.append(run.brief)
            texts.update({(case.deal_id, name): text for name, text in run.source_texts.items()})
        if progress is not None:
            progress(DealProgress(case.deal_id, n, len(cases), score.seconds, score.error))
    warnings = list(dict.fromkeys(w for case in cases for w in case.warnings))
    meta = {"started_at": started_at, "finished_at": _now(),
            "wall_seconds": round(time.perf_counter() - started, 3),
            **_brief_meta(briefs), "warnings": warnings,
            "qa_backend": qa_backend or backend_name}
    report = build_report(scores, backend=backend_name,
                          dataset=dataset or _dataset_name(cases), run=meta)
    write_reports(report, out_dir, texts)
    return report


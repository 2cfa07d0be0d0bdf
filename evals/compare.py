"""Compare two eval reports: which metrics moved, which facts flipped, what regressed.

Reads the ``report.json`` dicts of :mod:`evals.report`, so a run can be compared with any
earlier one on disk. A quality metric *regresses* when it moves in its worse direction by
more than the tolerance (absolute, in the metric's own unit). ``seconds_per_deal`` and the
counts are informational: they are shown, never a regression, because timing depends on the
machine and the counts on the dataset.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from handoff.errors import InputError

Direction = Literal["higher", "lower", "info"]

DIRECTIONS: dict[str, Direction] = {
    "fact_recall": "higher",
    "citation_accuracy": "higher",
    "grounding_rate": "higher",
    "trap_rate": "lower",
    "gap_recall": "higher",
    "conflict_recall": "higher",
    "question_accuracy": "higher",
    "question_citation_accuracy": "higher",
    "false_gaps_per_deal": "lower",
    "key_precision": "higher",
    "items_per_deal": "info",
    "seconds_per_deal": "info",
    "deals": "info",
    "facts": "info",
}
_EPSILON = 1e-9


@dataclass(frozen=True)
class MetricDelta:
    """One summary metric in both reports.

    Attributes:
        status: "better", "worse" or "same" (for informational metrics: "changed"/"same").
        regression: worse by more than the tolerance.
    """

    name: str
    old: float
    new: float
    direction: Direction
    status: str
    regression: bool

    @property
    def delta(self) -> float:
        """``new - old``."""
        return self.new - self.old


@dataclass(frozen=True)
class FactChange:
    """A gold fact whose outcome differs between the runs.

    ``change`` is one of "found→missed", "missed→found", "cited→uncited",
    "uncited→cited", "added" (only in the new report) or "removed" (only in the old).
    """

    deal: str
    id: str
    key: str
    change: str


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`."""

    metrics: list[MetricDelta]
    fact_changes: list[FactChange]
    tolerance: float
    notes: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[MetricDelta]:
        """The quality metrics that got worse by more than the tolerance."""
        return [m for m in self.metrics if m.regression]


def _status(old: float, new: float, direction: Direction) -> str:
    if abs(new - old) <= _EPSILON:
        return "same"
    if direction == "info":
        return "changed"
    improved = new > old if direction == "higher" else new < old
    return "better" if improved else "worse"


def _metric(name: str, old: float, new: float, tolerance: float) -> MetricDelta:
    direction = DIRECTIONS.get(name, "info")
    status = _status(old, new, direction)
    worsening = old - new if direction == "higher" else new - old
    regression = status == "worse" and worsening > tolerance + _EPSILON
    return MetricDelta(name, old, new, direction, status, regression)


def _fact_changes(old: list[Mapping[str, Any]], new: list[Mapping[str, Any]]) -> list[FactChange]:
    before = {(f["deal"], f["id"]): f for f in old}
    after = {(f["deal"], f["id"]): f for f in new}
    changes = []
    for deal, fact_id in dict.fromkeys([*before, *after]):
        o, n = before.get((deal, fact_id)), after.get((deal, fact_id))
        if n is None:
            key, change = o["key"] if o else "", "removed"
        elif o is None:
            key, change = n["key"], "added"
        elif o["found"] != n["found"]:
            key, change = n["key"], "missed→found" if n["found"] else "found→missed"
        elif o["cited"] != n["cited"]:
            key, change = n["key"], "uncited→cited" if n["cited"] else "cited→uncited"
        else:
            continue
        changes.append(FactChange(deal, fact_id, key, change))
    return changes


def compare(old_report: Mapping[str, Any], new_report: Mapping[str, Any],
            tolerance: float = 0.02) -> Comparison:
    """Compare two ``report.json`` dicts.

    Args:
        old_report: The baseline.
        new_report: The run under review.
        tolerance: How much a quality metric may worsen (absolute) before it counts as a
            regression.
    """
    old_sum, new_sum = _flat_summary(old_report), _flat_summary(new_report)
    notes = []
    metrics = []
    for name in dict.fromkeys([*DIRECTIONS, *new_sum]):
        if name not in old_sum or name not in new_sum:
            side = "old" if name not in old_sum else "new"
            notes.append(f"{name} is missing from the {side} report; not compared")
            continue
        metrics.append(_metric(name, float(old_sum[name]), float(new_sum[name]), tolerance))
    old_run, new_run = old_report.get("run", {}), new_report.get("run", {})
    if old_run.get("dataset") != new_run.get("dataset"):
        notes.append(f"different datasets: {old_run.get('dataset')} vs {new_run.get('dataset')}")
    changes = _fact_changes(old_report.get("facts", []), new_report.get("facts", []))
    if any(c.change in ("added", "removed") for c in changes):
        notes.append("the gold facts differ between the runs; metrics may not be comparable")
    return Comparison(metrics, changes, tolerance, notes)


def _flat_summary(report: Mapping[str, Any]) -> dict[str, Any]:
    """The summary metrics with each origin's recall as ``by_origin.<origin>`` (informational:
    which part finds what shifts whenever another part improves)."""
    flat = dict(report.get("summary", {}))
    for origin, value in report.get("by_origin", {}).items():
        flat[f"by_origin.{origin}"] = value
    return flat


def exit_code(comparison: Comparison) -> int:
    """1 when some quality metric regressed beyond the tolerance, else 0."""
    return 1 if comparison.regressions else 0


def load_report(path: Path | str) -> dict[str, Any]:
    """Read a ``report.json``, given the file or the folder holding it.

    Raises:
        InputError: the file is missing or is not a report.
    """
    file = Path(path)
    if file.is_dir():
        file = file / "report.json"
    try:
        report = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{file}: cannot read the report: {exc}") from exc
    if not isinstance(report, dict) or "summary" not in report:
        raise InputError(f"{file}: not an eval report (no summary)")
    return report


_STYLE = {"better": "green", "worse": "red", "same": "dim", "changed": "yellow"}


def comparison_table(comparison: Comparison) -> Table:
    """The metric deltas as a rich table."""
    table = Table(title="Eval comparison", show_lines=False)
    for col in ("metric", "old", "new", "delta", ""):
        table.add_column(col, justify="left" if col in ("metric", "") else "right")
    for m in comparison.metrics:
        style = _STYLE[m.status]
        mark = "REGRESSION" if m.regression else m.status
        table.add_row(m.name, f"{m.old:.4g}", f"{m.new:.4g}", f"{m.delta:+.4g}",
                      Text(mark, style=style))
    return table


def print_comparison(comparison: Comparison, console: Console | None = None) -> None:
    """Print the metric table, the flipped facts and the notes to the terminal."""
    console = console or Console()
    console.print(comparison_table(comparison))
    if comparison.fact_changes:
        facts = Table(title="Facts that changed")
        for col in ("deal", "fact", "key", "change"):
            facts.add_column(col)
        for c in comparison.fact_changes:
            bad = c.change in ("found→missed", "cited→uncited", "removed")
            style = "red" if bad else "green"
            # Text, not markup: ids and keys come from datasets and may hold brackets.
            facts.add_row(Text(c.deal), Text(c.id), Text(c.key), Text(c.change, style=style))
        console.print(facts)
    for note in comparison.notes:
        console.print(Text("note: ", style="yellow") + Text(note))
    if comparison.regressions:
        names = ", ".join(m.name for m in comparison.regressions)
        console.print(f"[red]Regressed beyond ±{comparison.tolerance}:[/red] {names}")
    else:
        console.print(f"[green]No quality metric regressed beyond ±{comparison.tolerance}.[/green]")

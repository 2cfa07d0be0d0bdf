"""The run report: one JSON document, rendered to Markdown and to a self-contained HTML page.

``build_report`` turns scores into a plain JSON-safe dict (the contract of ``report.json``,
which :mod:`evals.compare` reads back); the renderers only read that dict, so an old
``report.json`` can be re-rendered. The HTML page needs the sources' extracted texts to show
each missed fact's evidence in context; it is written with Jinja2 autoescaping, inline CSS
and no external assets, so it can be mailed or archived as one file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from evals.matching import Match
from evals.metrics import DealScore, by_origin, origins_of, per_category, per_deal, summarise
from evals.passages import passage
from handoff.domain import Citation, Item

SourceTexts = Mapping[tuple[str, str], str]
"""Extracted source texts by ``(deal_id, file name)``."""

Row = Mapping[str, Any]
# A Markdown section: title, rows, column names, and how a row becomes cells.
_Section = tuple[str, list[Row], list[str], Callable[[Row], Sequence[Any]]]

REPORT_KEYS: tuple[str, ...] = (
    "summary", "by_origin", "per_category", "per_deal", "facts", "items", "traps", "gaps",
    "conflicts", "questions", "run",
)
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ReportPaths:
    """Where the three renderings were written."""

    json: Path
    markdown: Path
    html: Path


def _quote(citation: Citation, correct: Citation | None = None) -> dict[str, Any]:
    return {"source": citation.source, "quote": citation.quote, "locator": citation.locator,
            "alignment": str(citation.alignment), "correct": citation is correct}


def _item(item: Item | None) -> dict[str, Any]:
    return {"item_id": item.id if item else None, "item_key": item.key if item else None,
            "item_value": item.shown_value if item else None}


def _match(match: Match) -> dict[str, Any]:
    best = match.best
    return {
        **_item(best),
        "quotes": [_quote(c, match.citation) for c in best.citations] if best else [],
        "matching_items": [i.id for i in match.items],
    }


def _fact_status(found: bool, cited: bool, error: str | None) -> str:
    if error is not None:
        return "error"
    return "cited" if cited else "wrongly cited" if found else "missed"


def _facts(scores: Sequence[DealScore]) -> list[dict[str, Any]]:
    return [
        {"deal": s.deal_id, "id": o.fact.id, "key": o.fact.key, "category": o.fact.category,
         "alt_keys": list(o.fact.alt_keys), "keywords": [list(g) for g in o.fact.keywords],
         "found": o.match.found, "cited": o.match.cited,
         "status": _fact_status(o.match.found, o.match.cited, s.error),
         **_match(o.match), "source": o.fact.source, "evidence": o.fact.evidence,
         "candidates": [{"id": i.id, "key": i.key, "value": i.shown_value}
                        for i in o.candidates]}
        for s in scores for o in s.facts
    ]


def _items(scores: Sequence[DealScore]) -> list[dict[str, Any]]:
    """The reader's view: every item of every brief with the gold facts it matched."""
    return [
        {"deal": s.deal_id, "id": o.item.id, "key": o.item.key, "value": o.item.shown_value,
         "origin": "+".join(origins_of(o.item)), "facts": list(o.facts), "traps": list(o.traps),
         "judged": [{"key": k, "right": right} for k, right in o.judged],
         "quotes": [{"source": c.source, "quote": c.quote, "locator": c.locator}
                    for c in o.item.citations[:3]]}
        for s in scores for o in s.items
    ]


def _traps(scores: Sequence[DealScore]) -> list[dict[str, Any]]:
    return [
        {"deal": s.deal_id, "id": t.trap.id, "key": t.trap.key, "why": t.trap.why,
         "keywords": [list(g) for g in t.trap.keywords], "triggered": t.match.found,
         **_match(t.match)}
        for s in scores for t in s.traps
    ]


def _gaps(scores: Sequence[DealScore]) -> list[dict[str, Any]]:
    return [{"deal": s.deal_id, "key": g.key, "expected": g.expected, "flagged": g.flagged,
             "false_gap": g.false_gap} for s in scores for g in s.gaps]


def _conflicts(scores: Sequence[DealScore]) -> list[dict[str, Any]]:
    rows = []
    for s in scores:
        for c in s.conflicts:
            found = c.detected_by
            rows.append({
                "deal": s.deal_id, "id": c.conflict.id, "sources": list(c.conflict.sources),
                "keywords": [list(g) for g in c.conflict.keywords],
                "detected": found is not None,
                "brief_conflict": None if found is None else {
                    "id": found.id, "kind": str(found.kind), "description": found.description,
                    "sides": [_quote(side) for side in found.sides]},
            })
    return rows


def _questions(scores: Sequence[DealScore]) -> list[dict[str, Any]]:
    return [
        {"deal": s.deal_id, "id": q.question.id, "question": q.question.question,
         "source": q.question.source, "keywords": [list(g) for g in q.question.keywords],
         "answered": q.answered, "cited": q.cited,
         "answer": q.answer.text if q.answer else None,
         "answer_sources": [c.source for c in q.answer.citations] if q.answer else []}
        for s in scores for q in s.questions
    ]


def build_report(scores: Sequence[DealScore], *, backend: str, dataset: str,
                 run: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The report as a JSON-safe dict with the keys :data:`REPORT_KEYS`, in that order.

    Args:
        scores: One score per deal.
        backend: The backend that built the briefs (recorded in ``run``).
        dataset: The dataset's name or path (recorded in ``run``).
        run: Further run metadata (timings, model, warnings); ``errors`` is filled here.
    """
    meta: dict[str, Any] = {"backend": backend, "dataset": dataset,
                            "time": datetime.now(UTC).isoformat(timespec="seconds")}
    meta.update(run or {})
    meta["errors"] = [{"deal": s.deal_id, "error": s.error} for s in scores if s.error]
    return {
        "summary": summarise(scores), "by_origin": by_origin(scores),
        "per_category": per_category(scores), "per_deal": per_deal(scores),
        "facts": _facts(scores), "items": _items(scores), "traps": _traps(scores),
        "gaps": _gaps(scores), "conflicts": _conflicts(scores),
        "questions": _questions(scores), "run": meta,
    }


def _cell(value: Any) -> str:
    """A Markdown table cell: pipes escaped, newlines flattened."""
    text = "" if value is None else str(value)
    return " ".join(text.replace("|", "\\|").split())


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _keywords(groups: Sequence[Sequence[str]]) -> str:
    return " and ".join("(" + " / ".join(g) + ")" for g in groups)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _misses(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Facts found wanting; a failed deal's facts are summed up under Errors instead."""
    return [f for f in report["facts"] if not f["cited"] and f["status"] != "error"]


def _pct(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, float) else str(value)


def format_metric(value: Any, name: str) -> str:
    """A summary value for people: rates as percentages, seconds and per-deal counts plain."""
    if name == "seconds_per_deal":
        return f"{value:.1f} s"
    if name == "false_gaps_per_deal":
        return f"{value:.2f}"
    if name == "items_per_deal":
        return f"{value:.1f}"
    return _pct(value)


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown: summary, per category, per deal, then every miss."""
    run = report["run"]
    out = [f"# Eval report: {run['dataset']} with {run['backend']}", "",
           f"Run at {run.get('time', '')}."
           + (f" Questions answered by {run['qa_backend']}."
              if run.get("qa_backend", run["backend"]) != run["backend"] else ""),
           "", "## Summary", ""]
    out += _table(["metric", "value"],
                  [(k, format_metric(v, k)) for k, v in report["summary"].items()])
    origins = report.get("by_origin", {})
    if origins:
        out += ["## Fact recall by origin", "",
                "Each row counts only the items that part of the extraction found.", ""]
        out += _table(["origin", "fact recall"], [(o, _pct(v)) for o, v in origins.items()])
    out += ["## Per category", ""]
    out += _table(["category", "facts", "found", "cited", "recall", "citation accuracy"],
                  [(c, r["facts"], r["found"], r["cited"], _pct(r["fact_recall"]),
                    _pct(r["citation_accuracy"])) for c, r in report["per_category"].items()])
    out += ["## Per deal", ""]
    out += _table(
        ["deal", "facts", "recall", "cited", "grounding", "items", "key precision",
         "traps hit", "gap recall", "false gaps", "conflicts", "questions", "seconds", "error"],
        [(d["deal"], d["facts"], _pct(d["fact_recall"]), _pct(d["citation_accuracy"]),
          _pct(d["grounding_rate"]), d.get("items", ""), _pct(d.get("key_precision", "")),
          d["triggered"], _pct(d["gap_recall"]), d["false_gaps"],
          _pct(d["conflict_recall"]), _pct(d["question_accuracy"]), d["seconds"],
          d["error"] or "") for d in report["per_deal"]])
    out += ["## Misses", ""]
    facts = _misses(report)
    out += _table(["deal", "fact", "key", "status", "gold source", "evidence", "brief said"],
                  [(f["deal"], f["id"], f["key"], f["status"], f["source"], f["evidence"],
                    f["item_value"] or "") for f in facts]) if facts else ["None.", ""]
    sections: list[_Section] = [
        ("Triggered traps", [t for t in report["traps"] if t["triggered"]],
         ["deal", "trap", "key", "why", "brief said"],
         lambda t: (t["deal"], t["id"], t["key"], t["why"], t["item_value"])),
        ("Wrong items under single-answer keys",
         [{**i, "wrong": k["key"]} for i in report.get("items", []) for k in i["judged"]
          if not k["right"]],
         ["deal", "key", "item", "origin"],
         lambda i: (i["deal"], i["wrong"], i["value"], i["origin"])),
        ("Missed gaps", [g for g in report["gaps"] if g["expected"] and not g["flagged"]],
         ["deal", "key"], lambda g: (g["deal"], g["key"])),
        ("False gaps", [g for g in report["gaps"] if g["false_gap"]],
         ["deal", "key"], lambda g: (g["deal"], g["key"])),
        ("Missed conflicts", [c for c in report["conflicts"] if not c["detected"]],
         ["deal", "conflict", "keywords", "sources"],
         lambda c: (c["deal"], c["id"], _keywords(c["keywords"]), ", ".join(c["sources"]))),
        ("Questions not answered or not cited",
         [q for q in report["questions"] if not (q["answered"] and q["cited"])],
         ["deal", "question", "answered", "cited", "answer"],
         lambda q: (q["deal"], q["question"], _yes(q["answered"]), _yes(q["cited"]),
                    q["answer"])),
        ("Errors (every fact of these deals counts as missed)", run.get("errors", []),
         ["deal", "error"], lambda e: (e["deal"], e["error"])),
    ]
    for title, rows, header, row in sections:
        if rows:
            out += [f"### {title}", ""] + _table(header, [row(r) for r in rows])
    if run.get("warnings"):
        out += ["### Dataset warnings", ""] + [f"- {_cell(w)}" for w in run["warnings"]] + [""]
    return "\n".join(out)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = _pct
    env.filters["metric"] = format_metric
    return env


def render_html(report: Mapping[str, Any], source_texts: SourceTexts | None = None) -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no links).

    Args:
        report: A dict from :func:`build_report` (or a loaded ``report.json``).
        source_texts: Extracted texts by ``(deal_id, file name)``, to show each missed or
            wrongly cited fact's evidence highlighted in its source.
    """
    texts = source_texts or {}
    misses = []
    for fact in _misses(report):
        text = texts.get((fact["deal"], fact["source"]))
        misses.append({**fact, "passage": passage(text, fact["evidence"]) if text else None,
                       "have_text": text is not None})
    readers = []
    for deal, rows in _group(report.get("items", []), "deal").items():
        readers.append({"deal": deal, "keys": _group(rows, "key"),
                        "unmatched": sum(not r["facts"] for r in rows), "count": len(rows)})
    return _environment().get_template("report.html.j2").render(
        report=report, misses=misses, categories=report["per_category"], readers=readers,
        origins=report.get("by_origin", {}))


def _group(rows: Sequence[Mapping[str, Any]], field: str) -> dict[str, list[Mapping[str, Any]]]:
    """Rows grouped by one field, groups in order of first appearance."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(str(row[field]), []).append(row)
    return groups


def write_reports(report: Mapping[str, Any], out_dir: Path | str,
                  source_texts: SourceTexts | None = None) -> ReportPaths:
    """Write ``report.json``, ``report.md`` and ``report.html`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths(out / "report.json", out / "report.md", out / "report.html")
    paths.json.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n",
                          encoding="utf-8")
    paths.markdown.write_text(render_markdown(report), encoding="utf-8")
    paths.html.write_text(render_html(report, source_texts), encoding="utf-8")
    return paths

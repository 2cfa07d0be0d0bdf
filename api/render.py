"""Terminal rendering of briefs, gaps and answers (rich), shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.table import Table

from exports.json_export import render_json
from exports.markdown import render_markdown
from handoff.domain import CATEGORIES, CATEGORY_LABELS, Answer, GapStatus, HandoffBrief
from handoff.errors import HandoffError

err = Console(stderr=True)


@contextmanager
def handled() -> Iterator[None]:
    """Print HandoffErrors as one line and exit 1, instead of a traceback."""
    try:
        yield
    except HandoffError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from exc


def brief_text(brief: HandoffBrief, fmt: str) -> str:
    if fmt == "json":
        return render_json(brief)
    if fmt in ("md", "markdown"):
        return render_markdown(brief, brief.language)
    raise ValueError(f"unknown format {fmt!r}: use json or md")


def print_brief(console: Console, brief: HandoffBrief) -> None:
    lang = brief.language
    console.rule(f"[bold]{brief.deal_name}[/] — completeness {brief.completeness:.0%} "
                 f"({brief.metadata.backend})")
    for category in CATEGORIES:
        items = [i for i in brief.visible_items() if i.category == category]
        console.print(f"\n[bold underline]{CATEGORY_LABELS[category][lang]}[/]")
        if not items:
            console.print("  [dim]—[/]")
        for item in items:
            flags = " [yellow](verbal)[/]" if item.verbal else ""
            flags += " [yellow](still open per the sources)[/]" if item.unresolved else ""
            console.print(f"  [cyan]{item.id}[/] [bold]{item.field}[/]: "
                          f"{item.shown_value}{flags}", highlight=False)
            for c in item.citations[:2]:
                where = " ".join(x for x in (c.source, c.locator or "") if x)
                console.print(f"      [dim]“{c.quote[:160]}” — {where}[/]", highlight=False)
    if brief.conflicts:
        console.print("\n[bold red]Conflicts[/]")
        for conflict in brief.conflicts:
            console.print(f"  [red]{conflict.id}[/] {conflict.description}", highlight=False)
    print_gaps(console, brief)


def print_gaps(console: Console, brief: HandoffBrief) -> None:
    table = Table("gap", "key", "reason", "question", "status", title="Gaps for the rep")
    for g in brief.gaps:
        if g.status == GapStatus.OPEN:
            table.add_row(g.id, g.key, g.reason.value, g.question, g.status.value)
    console.print(table)


def print_answer(console: Console, answer: Answer) -> None:
    style = "" if answer.supported else "[yellow]"
    console.print(f"{style}{answer.text}", highlight=False)
    for i, c in enumerate(answer.citations, start=1):
        where = " ".join(x for x in (c.source, c.locator or "") if x)
        console.print(f"  [{i}] “{c.quote[:200]}” — {where}", highlight=False, markup=False)

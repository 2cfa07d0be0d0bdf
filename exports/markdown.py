"""The brief as Markdown: the same summary and sections as the Word document.

Citations are footnotes; the table of contents links to an explicit anchor before each
section, because generated heading anchors differ between renderers (and drop umlauts).

Text from the brief is escaped so that a stray ``*``, ``|`` or ``[^1]`` in a transcript can
neither break a table nor pose as a citation marker.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from exports.citations import quoted
from exports.conflicts_view import ConflictView, GapView
from exports.formatting import Flag
from exports.outline import Block, Entry, Outline, Section, build_outline
from exports.summary import Point, Summary
from handoff.domain import HandoffBrief, Offering
from handoff.labels import Lang, section_label, term, term_with

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _esc(text: str) -> str:
    """Escape Markdown syntax in brief text and keep it on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _notes(refs: list[int]) -> str:
    return "".join(f"[^{n}]" for n in refs)


def _flags(flags: list[Flag]) -> str:
    return "".join(f" **({_esc(f.text)})**" if f.kind == "warning" else f" *({_esc(f.text)})*"
                   for f in flags)


def _entry(entry: Entry) -> str:
    line = f"{_esc(entry.text)}{_notes(entry.refs)}{_flags(entry.flags)}"
    if entry.details:
        line += "  \n  *" + _esc(" · ".join(entry.details)) + "*"
    return line


def _blocks(blocks: list[Block]) -> list[str]:
    lines = []
    for block in blocks:
        lines += [f"### {_esc(block.title)}", ""]
        lines += [f"- {_entry(e)}" for e in block.entries]
        lines.append("")
    return lines


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = [_row([_esc(h) for h in headers]), _row(["---"] * len(headers))]
    return lines + [_row(r) for r in rows] + [""]


def _stakeholders(section: Section, lang: Lang) -> list[str]:
    if not section.stakeholders:
        return []
    headers = [term(k, lang) for k in ("role", "name", "job_title", "stakeholder_goals",
                                       "stakeholder_notes")]
    rows = []
    for row in section.stakeholders:
        name = f"**{_esc(row.name)}**{_notes(row.refs)}"
        if row.unverified:
            name += _flags([Flag(term("unverified", lang), "unverified")])
        rows.append([
            "<br>".join(_esc(r) for r in row.roles), name, _esc(row.title), _esc(row.goals),
            "<br>".join(_esc(n) for n in row.notes),
        ])
    return _table(headers, rows)


def _conflicts(conflicts: list[ConflictView], lang: Lang) -> list[str]:
    lines = []
    for conflict in conflicts:
        lines += [f"#### {_esc(conflict.heading)}", "", _esc(conflict.description), ""]
        for side in conflict.sides:
            lines.append(f"- *{_esc(quoted(side.quote, lang))}* — {_esc(side.where)}"
                         f"{_notes(side.refs)}{_flags(side.flags)}")
        if conflict.resolution:
            lines += ["", f"**{_esc(conflict.resolution)}**"]
        lines.append("")
    return lines


def _gaps(gaps: list[GapView], lang: Lang, *, answered: bool) -> list[str]:
    if not gaps:
        return []
    if answered:
        headers = [term("gap_topic", lang), term("question", lang), term("answer", lang)]
        rows = [[g.label, g.question, g.answer] for g in gaps]
    else:
        headers = [term("gap_topic", lang), term("gap_reason", lang), term("question", lang)]
        rows = [[g.label, g.reason, g.question] for g in gaps]
    return _table(headers, [[_esc(c) for c in r] for r in rows])


def _points(points: list[Point], empty: str) -> list[str]:
    if not points:
        return [_esc(empty), ""]
    return [f"- {_entry(Entry(p.text, refs=p.refs, flags=p.flags, details=p.details))}"
            for p in points] + [""]


def _anchor(key: str) -> str:
    return f"section-{key}"


def _summary(summary: Summary, lg: Lang) -> list[str]:
    lines = [f"## {_esc(section_label('summary', lg))}", "",
             f"### {_esc(section_label('key_facts', lg))}", ""]
    lines += [f"- **{_esc(f.label)}:** {_esc(f.text)}{_notes(f.refs)}{_flags(f.flags)}"
              for f in summary.facts] + [""]
    lines += [f"### {_esc(section_label('stakeholder_map', lg))}", ""]
    if summary.people:
        rows = []
        for row in summary.people:
            name = f"**{_esc(row.name)}**{_notes(row.refs)}"
            if row.unverified:
                name += _flags([Flag(term("unverified", lg), "unverified")])
            rows.append([name, _esc(row.title), _esc(", ".join(row.roles))])
        lines += _table([term("name", lg), term("job_title", lg), term("role", lg)], rows)
    else:
        lines += [_esc(term("no_people", lg)), ""]
    lines += [f"### {_esc(section_label('open_promises', lg))}", ""]
    lines += _points(summary.promises, term("no_promises", lg))
    lines += [f"### {_esc(section_label('top_risks', lg))}", ""]
    lines += _points(summary.risks, term("no_risks", lg))
    if summary.more_risks:
        lines += [f"[{_esc(term_with('more_risks', lg, n=summary.more_risks))}]"
                  f"(#{_anchor('risks')})", ""]
    lines += [f"### {_esc(section_label('missing_contradictory', lg))}", ""]
    if not summary.gaps and not summary.conflicts:
        lines += [_esc(f"{term('no_gaps', lg)} {term('no_conflicts', lg)}"), ""]
    lines += _gaps(summary.gaps, lg, answered=False)
    lines += _conflicts(summary.conflicts, lg)
    return lines


def _contents(outline: Outline) -> list[str]:
    lines = [f"## {_esc(section_label('contents', outline.lang))}", ""]
    lines += [f"- [{_esc(s.title)} ({s.count})](#{_anchor(s.key)})" for s in outline.contents]
    return lines + [""]


def _sources(section: Section, lang: Lang) -> list[str]:
    lines = []
    for ref in section.sources:
        lines += [f"[^{ref.number}]: {_esc(quoted(ref.quote, lang))} — {_esc(ref.where(lang))}",
                  ""]
    return lines


def render_markdown(
    brief: HandoffBrief,
    lang: str | None = None,
    *,
    signed_at: date | datetime | None = None,
    offering: Offering | None = None,
) -> str:
    """Render the brief as Markdown: summary, contents, one section per category, sources.

    Args:
        brief: The handoff brief.
        lang: ``"de"`` or ``"en"``; ``None`` uses the brief's language.
        signed_at: Contract signature date for the header, when known.
        offering: The vendor's standard offering, to name the support tier.

    Returns:
        The document; citation markers are footnotes (``[^3]``) defined under Sources.

    Raises:
        InputError: ``lang`` is not a supported language.
    """
    outline = build_outline(brief, lang, signed_at=signed_at, offering=offering)
    lg = outline.lang
    lines = [f"# {_esc(outline.title)}", ""]
    if outline.subtitle:
        lines += [f"*{_esc(outline.subtitle)}*", ""]
    lines += [f"- **{_esc(k)}:** {_esc(v)}" for k, v in outline.header]
    lines += ["", f"> {_esc(outline.legend)}", ""]
    lines += _summary(outline.summary, lg)
    lines += _contents(outline)
    for section in outline.sections:
        lines += [f'<a id="{_anchor(section.key)}"></a>', "", f"## {_esc(section.title)}", ""]
        for text in section.paragraphs:
            lines += [_esc(text), ""]
        if section.key == "stakeholders":
            lines += _stakeholders(section, lg)
            continue
        lines += _gaps(section.gaps, lg, answered=section.key == "answered")
        lines += _blocks(section.blocks)
        lines += _sources(section, lg)
    return "\n".join(lines).rstrip() + "\n"

"""The brief as Markdown: the same sections as the Word document, citations as footnotes.

Text from the brief is escaped so that a stray ``*``, ``|`` or ``[^1]`` in a transcript can
neither break a table nor pose as a citation marker.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from exports.citations import quoted
from exports.formatting import Flag
from exports.outline import Block, Entry, Section, build_outline
from handoff.domain import HandoffBrief
from handoff.labels import Lang, term

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


def _overview(blocks: list[Block]) -> list[str]:
    lines = []
    for block in blocks:
        if len(block.entries) == 1:
            lines.append(f"- **{_esc(block.title)}:** {_entry(block.entries[0])}")
        else:
            lines.append(f"- **{_esc(block.title)}:**")
            lines += [f"  - {_entry(e)}".replace("\n  *", "\n    *")
                      for e in block.entries]
    return lines + [""]


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


def _conflicts(section: Section, lang: Lang) -> list[str]:
    lines = []
    for conflict in section.conflicts:
        lines += [f"### {_esc(conflict.heading)}", "", _esc(conflict.description), ""]
        for side in conflict.sides:
            lines.append(f"- *{_esc(quoted(side.quote, lang))}* — {_esc(side.where)}"
                         f"{_notes(side.refs)}{_flags(side.flags)}")
        lines.append("")
    return lines


def _gaps(section: Section, lang: Lang) -> list[str]:
    if not section.gaps:
        return []
    if section.key == "answered":
        headers = [term("gap_topic", lang), term("question", lang), term("answer", lang)]
        rows = [[g.label, g.question, g.answer] for g in section.gaps]
    else:
        headers = [term("gap_topic", lang), term("gap_reason", lang), term("question", lang)]
        rows = [[g.label, g.reason, g.question] for g in section.gaps]
    return _table(headers, [[_esc(c) for c in r] for r in rows])


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
) -> str:
    """Render the brief as Markdown with the sections of the deal overview template.

    Args:
        brief: The handoff brief.
        lang: ``"de"`` or ``"en"``; ``None`` uses the brief's language.
        signed_at: Contract signature date for the customer overview, when known.

    Returns:
        The document; citation markers are footnotes (``[^3]``) defined under Sources.

    Raises:
        InputError: ``lang`` is not a supported language.
    """
    outline = build_outline(brief, lang, signed_at=signed_at)
    lg = outline.lang
    lines = [f"# {_esc(outline.title)}", "", f"*{_esc(outline.subtitle)}*", ""]
    lines += [f"- **{_esc(k)}:** {_esc(v)}" for k, v in outline.header]
    lines += ["", f"> {_esc(outline.legend)}", ""]
    for section in outline.sections:
        lines += [f"## {_esc(section.title)}", ""]
        for text in section.paragraphs:
            lines += [_esc(text), ""]
        if section.key == "customer_overview":
            lines += _overview(section.blocks)
            continue
        lines += _stakeholders(section, lg)
        lines += _conflicts(section, lg)
        lines += _gaps(section, lg)
        lines += _blocks(section.blocks)
        lines += _sources(section, lg)
    return "\n".join(lines).rstrip() + "\n"

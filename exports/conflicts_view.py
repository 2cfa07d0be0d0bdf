"""Conflicts and gaps prepared for display: both sides quoted, each gap with its question.

Both are written in the display language even when the brief was extracted in the other
one: a gap's question is taken from ``prompts/gap_questions`` by its key (the evidence of a
gap the sources call open is quoted, with who said it and when), and a conflict described
in another language is described anew from its kind and topic. Only the quotes stay in the
words of their sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import prompts
from exports.citations import SourceRegistry, clean, quoted, readable_time
from exports.formatting import Flag, format_date
from handoff.domain import (
    ALL_KEYS,
    Citation,
    Conflict,
    ConflictKind,
    Gap,
    GapReason,
    HandoffBrief,
    Item,
)
from handoff.labels import QUESTION_GAP_KEY, Lang, field_label, term, term_with, topic_label

OFFERING_SOURCE = "offering.yaml"

_REASON_TERMS = {
    GapReason.MISSING: "gap_missing",
    GapReason.VERBAL_ONLY: "gap_verbal_only",
    GapReason.LOW_CONFIDENCE: "gap_low_confidence",
    GapReason.UNGROUNDED: "gap_ungrounded",
    GapReason.UNRESOLVED: "gap_unresolved",
}


@dataclass
class SideView:
    """One side of a conflict: the quote and where it comes from."""

    quote: str
    where: str
    refs: list[int] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    holds: bool = False


@dataclass
class ConflictView:
    """A conflict ready to display."""

    heading: str
    description: str
    sides: list[SideView]
    resolution: str = ""  # "Resolved: side 2 holds — note", in the display language
    id: str = ""


@dataclass
class GapView:
    """A gap ready to display."""

    label: str
    reason: str
    question: str
    answer: str = ""


def where_text(citation: Citation, lang: Lang) -> str:
    """Source, speaker and a readable time; an email's Message-ID is never shown."""
    stamp = readable_time(citation.timestamp, lang) if citation.timestamp else None
    if stamp is None and citation.locator and "message-id" not in citation.locator.lower():
        stamp = citation.locator
    parts = [citation.source, citation.speaker, stamp if stamp != citation.source else None]
    return " · ".join(clean(p) for p in parts if p)


def _side(citation: Citation, registry: SourceRegistry, lang: Lang) -> SideView:
    flags: list[Flag] = []
    refs: list[int] = []
    if citation.source == OFFERING_SOURCE:
        flags.append(Flag(term("standard_offering", lang)))
    elif citation.grounded:
        refs = registry.refs([citation])
    else:
        flags.append(Flag(term("unverified", lang), "unverified"))
    return SideView(quote=clean(citation.quote), where=where_text(citation, lang),
                    refs=refs, flags=flags)


def conflict_heading(conflict: Conflict, lang: Lang) -> str:
    """"Sources disagree: go-live" or "Beyond the standard offering: support tier"."""
    kind = ("sources_disagree" if conflict.kind == ConflictKind.SOURCES_DISAGREE
            else "beyond_offering")
    return f"{term(kind, lang)}: {topic_label(conflict.topic, lang)}"


def conflict_description(conflict: Conflict, lang: Lang, brief_lang: str) -> str:
    """The conflict's description, or a new one in ``lang`` when it was written in another."""
    if brief_lang == lang and conflict.description.strip():
        return clean(conflict.description)
    name = ("conflict_disagree_generic" if conflict.kind == ConflictKind.SOURCES_DISAGREE
            else "conflict_beyond_generic")
    return term_with(name, lang, topic=topic_label(conflict.topic, lang))


def resolution_text(conflict: Conflict, lang: Lang) -> str:
    """How the rep settled the conflict, or "" while it is open."""
    r = conflict.resolution
    if r is None:
        return ""
    side = (term("neither_side", lang) if r.holds is None or not 0 <= r.holds < len(conflict.sides)
            else f"{term_with('side', lang, n=r.holds + 1)} ({conflict.sides[r.holds].source})")
    text = term_with("resolved_holds", lang, side=side)
    if r.note.strip():
        text += f" — {term('resolved_note', lang)}: {clean(r.note)}"
    if r.by:
        when = f", {format_date(r.at, lang)}" if r.at else ""
        text += f" ({term_with('resolved_by', lang, who=r.by)}{when})"
    return text


def conflict_views(conflicts: list[Conflict], registry: SourceRegistry, lang: Lang,
                   brief_lang: str | None = None) -> list[ConflictView]:
    """Conflicts with a localized heading and every side quoted.

    Grounded sides get citation numbers; the vendor's offering is labelled as the standard
    offering; any other side whose quote was not found is flagged unverified. A settled
    conflict says which side holds.
    """
    views = []
    for conflict in conflicts:
        sides = [_side(c, registry, lang) for c in conflict.sides]
        r = conflict.resolution
        if r is not None and r.holds is not None and 0 <= r.holds < len(sides):
            sides[r.holds].holds = True
        views.append(ConflictView(
            heading=conflict_heading(conflict, lang),
            description=conflict_description(conflict, lang, brief_lang or lang),
            sides=sides, resolution=resolution_text(conflict, lang), id=conflict.id))
    return views


def key_label(key: str, lang: Lang) -> str:
    """The field label of a key, or the key itself when it is not part of the schema."""
    if key == QUESTION_GAP_KEY:
        return term("asked_question", lang)
    return field_label(key, lang) if key in ALL_KEYS else key


def _questions() -> dict[str, Any]:
    return prompts.load_yaml("gap_questions")[1]  # type: ignore[no-any-return]


def _evidence(brief: HandoffBrief | None, gap: Gap, lang: Lang) -> str | None:
    if brief is None or gap.item_id is None:
        return None
    item = next((i for i in brief.items if i.id == gap.item_id), None)
    cite = next((c for c in item.citations if c.grounded), None) if item else None
    if cite is None:
        return None
    return f"{quoted(cite.quote, lang)}, {where_text(cite, lang)}"


def _item_of(brief: HandoffBrief | None, gap: Gap) -> Item | None:
    if brief is None or gap.item_id is None:
        return None
    return next((i for i in brief.items if i.id == gap.item_id), None)


def gap_question(gap: Gap, lang: Lang, brief: HandoffBrief | None = None) -> str:
    """The question for the rep in ``lang``.

    A missing required key asks the question of its key; a key the sources call open quotes
    that source first; a promise only said on a call (briefs made before open promises were
    items of their own) asks to confirm it, quoting it; a question CS asked keeps its words.
    """
    questions = _questions()
    item = _item_of(brief, gap)
    if gap.reason == GapReason.VERBAL_ONLY and item is not None and "verbal" in questions:
        cite = next((c for c in item.citations if c.grounded), None)
        return clean(questions["verbal"][lang].format(
            value=clean(item.shown_value), source=where_text(cite, lang) if cite else ""))
    if gap.reason == GapReason.UNGROUNDED and item is not None and "ungrounded" in questions:
        return clean(questions["ungrounded"][lang].format(value=clean(item.shown_value),
                                                          label=key_label(gap.key, lang)))
    base = questions.get(gap.key)
    if not isinstance(base, dict) or lang not in base:
        return clean(gap.question)
    if gap.reason == GapReason.MISSING:
        return clean(base[lang])
    if gap.reason == GapReason.UNRESOLVED:
        evidence = _evidence(brief, gap, lang)
        if evidence:
            return clean(questions["unresolved"][lang].format(evidence=evidence,
                                                              question=base[lang]))
        return clean(base[lang])
    return clean(gap.question)


def gap_views(gaps: list[Gap], lang: Lang, brief: HandoffBrief | None = None) -> list[GapView]:
    """Gaps with the field label, the reason in words and the question for the rep."""
    return [
        GapView(label=key_label(g.key, lang), reason=term(_REASON_TERMS[g.reason], lang),
                question=gap_question(g, lang, brief), answer=clean(g.answer or ""))
        for g in gaps
    ]

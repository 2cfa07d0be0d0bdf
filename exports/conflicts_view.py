"""Conflicts and gaps prepared for display: both sides quoted, each gap with its question."""

from __future__ import annotations

from dataclasses import dataclass, field

from exports.citations import SourceRegistry, clean, readable_time
from exports.formatting import Flag
from handoff.domain import ALL_KEYS, Citation, Conflict, ConflictKind, Gap, GapReason
from handoff.labels import Lang, field_label, term, topic_label

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


@dataclass
class ConflictView:
    """A conflict ready to display."""

    heading: str
    description: str
    sides: list[SideView]


@dataclass
class GapView:
    """A gap ready to display."""

    label: str
    reason: str
    question: str
    answer: str = ""


def _side(citation: Citation, registry: SourceRegistry, lang: Lang) -> SideView:
    parts = [citation.source]
    stamp = readable_time(citation.timestamp, lang) if citation.timestamp else citation.locator
    parts += [p for p in (citation.speaker, stamp) if p]
    flags: list[Flag] = []
    refs: list[int] = []
    if citation.source == OFFERING_SOURCE:
        flags.append(Flag(term("standard_offering", lang)))
    elif citation.grounded:
        refs = registry.refs([citation])
    else:
        flags.append(Flag(term("unverified", lang), "unverified"))
    return SideView(quote=clean(citation.quote), where=" · ".join(clean(p) for p in parts),
                    refs=refs, flags=flags)


def conflict_views(conflicts: list[Conflict], registry: SourceRegistry,
                   lang: Lang) -> list[ConflictView]:
    """Conflicts with a localized heading and every side quoted.

    Grounded sides get citation numbers; the vendor's offering is labelled as the standard
    offering; any other side whose quote was not found is flagged unverified.
    """
    views = []
    for conflict in conflicts:
        kind = ("sources_disagree" if conflict.kind == ConflictKind.SOURCES_DISAGREE
                else "beyond_offering")
        heading = f"{term(kind, lang)}: {topic_label(conflict.topic, lang)}"
        sides = [_side(c, registry, lang) for c in conflict.sides]
        views.append(ConflictView(heading=heading, description=clean(conflict.description),
                                  sides=sides))
    return views


def key_label(key: str, lang: Lang) -> str:
    """The field label of a key, or the key itself when it is not part of the schema."""
    return field_label(key, lang) if key in ALL_KEYS else key


def gap_views(gaps: list[Gap], lang: Lang) -> list[GapView]:
    """Gaps with the field label, the reason in words and the question for the rep."""
    return [
        GapView(label=key_label(g.key, lang), reason=term(_REASON_TERMS[g.reason], lang),
                question=clean(g.question), answer=clean(g.answer or ""))
        for g in gaps
    ]

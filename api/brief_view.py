"""The brief prepared for the web page: items by category, citations with links, gaps.

The flags and details of an item (verbal, needs validation, corrected, unverified; who
promised what to whom) come from :func:`exports.outline.item_entry`, so the page marks an item
exactly as the DOCX and Markdown briefs do. What the page adds is a link from every grounded
citation to the source passage it quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from exports.citations import SourceRegistry, clean, readable_time
from exports.conflicts_view import OFFERING_SOURCE, key_label
from exports.formatting import Flag
from exports.outline import item_entry
from handoff.domain import (
    CATEGORIES,
    Citation,
    ConflictKind,
    GapReason,
    GapStatus,
    HandoffBrief,
    Item,
    ItemStatus,
)
from handoff.labels import Lang, category_label, term, topic_label

QUOTE_CHARS = 220

_REASONS = {GapReason.MISSING: "gap_missing", GapReason.VERBAL_ONLY: "gap_verbal_only",
            GapReason.LOW_CONFIDENCE: "gap_low_confidence",
            GapReason.UNGROUNDED: "gap_ungrounded", GapReason.UNRESOLVED: "gap_unresolved"}


@dataclass
class CiteView:
    """A citation as shown: the quote, where it is from, and the link to its passage."""

    quote: str
    where: str
    href: str | None  # the passage page; None when the quote was not found in a source
    flags: list[Flag] = field(default_factory=list)
    unverified: bool = False


@dataclass
class ItemView:
    """An item as shown: value, flags, details, citations; ``original`` when corrected."""

    id: str
    key: str
    label: str
    text: str
    original: str | None
    status: str
    flags: list[Flag]
    details: list[str]
    citations: list[CiteView]


@dataclass
class CategoryView:
    """One of the seven categories with its visible items in schema order."""

    key: str
    title: str
    items: list[ItemView]


@dataclass
class ConflictPage:
    """A conflict with its localized heading and every side quoted."""

    id: str
    heading: str
    description: str
    sides: list[CiteView]


@dataclass
class GapPage:
    """A gap of the rep's inbox."""

    id: str
    label: str
    reason: str
    question: str
    open: bool
    answer: str
    item_id: str | None = None  # the item a weak-item gap is about (confirm or reject it)


@dataclass
class BriefPage:
    """Everything the deal page shows of a brief."""

    categories: list[CategoryView]
    conflicts: list[ConflictPage]
    gaps: list[GapPage]
    open_gaps: int


def _short(text: str) -> str:
    text = clean(text)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _topic(topic: str, lang: Lang) -> str:
    """The topic's label; an unlabelled topic id (``go_live``) is at least shown as words."""
    label = topic_label(topic, lang)
    return label.replace("_", " ") if label == topic else label


def passage_href(deal_id: str, c: Citation) -> str | None:
    """The passage link of a grounded citation with offsets, else None."""
    if not c.grounded or c.start is None or c.end is None or c.end <= c.start:
        return None
    params = {"source": c.source, "start": c.start, "end": c.end}
    if c.document_id:
        params["document_id"] = c.document_id
    return f"/deals/{deal_id}/passage?{urlencode(params)}"


def cite_view(deal_id: str, c: Citation, lang: Lang) -> CiteView:
    """A citation for display; the offering and unfound quotes are labelled, not linked."""
    stamp = readable_time(c.timestamp, lang) if c.timestamp else c.locator
    parts = [c.source, c.speaker, stamp if stamp != c.source else None]
    where = " · ".join(clean(p) for p in parts if p)
    flags: list[Flag] = []
    unverified = False
    if c.source == OFFERING_SOURCE:
        flags.append(Flag(term("standard_offering", lang)))
    elif not c.grounded:
        flags.append(Flag(term("unverified", lang), "unverified"))
        unverified = True
    return CiteView(quote=_short(c.quote), where=where, href=passage_href(deal_id, c),
                    flags=flags, unverified=unverified)


def item_view(deal_id: str, item: Item, lang: Lang) -> ItemView:
    """An item for display, flagged exactly as the exported briefs flag it."""
    entry = item_entry(item, SourceRegistry(), lang)
    corrected = item.status == ItemStatus.CORRECTED or bool(item.corrected_value)
    return ItemView(
        id=item.id, key=item.key, label=key_label(item.key, lang), text=entry.text,
        original=clean(item.value) if corrected else None, status=item.status.value,
        flags=entry.flags, details=entry.details,
        citations=[cite_view(deal_id, c, lang) for c in item.citations],
    )


def brief_page(brief: HandoffBrief, lang: Lang) -> BriefPage:
    """Everything the deal page shows of a brief, in ``lang``; rejected items are left out."""
    order = {key: i for i, key in enumerate(f"{c}.{f}" for c, fs in CATEGORIES.items()
                                            for f in fs)}
    categories = []
    for category in CATEGORIES:
        items = sorted((i for i in brief.visible_items() if i.category == category),
                       key=lambda i: order.get(i.key, 0))
        categories.append(CategoryView(category, category_label(category, lang),
                                       [item_view(brief.deal_id, i, lang) for i in items]))
    conflicts = []
    for c in brief.conflicts:
        kind = "sources_disagree" if c.kind == ConflictKind.SOURCES_DISAGREE else "beyond_offering"
        conflicts.append(ConflictPage(
            id=c.id, heading=f"{term(kind, lang)}: {_topic(c.topic, lang)}",
            description=clean(c.description),
            sides=[cite_view(brief.deal_id, side, lang) for side in c.sides]))
    gaps = [GapPage(id=g.id, label=key_label(g.key, lang), reason=term(_REASONS[g.reason], lang),
                    question=clean(g.question), open=g.status == GapStatus.OPEN,
                    answer=clean(g.answer or ""), item_id=g.item_id)
            for g in sorted(brief.gaps, key=lambda g: g.status != GapStatus.OPEN)]
    return BriefPage(categories=categories, conflicts=conflicts, gaps=gaps,
                     open_gaps=sum(1 for g in gaps if g.open))

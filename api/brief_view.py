"""The brief prepared for the web page: the summary first, then one section per category.

Content decisions come from :mod:`exports` (the summary's facts, an item's line in the reader's
language, its flags and details), so the page says exactly what the DOCX and Markdown briefs
say. What the page adds: every grounded citation links to the source passage it quotes (an
overlay next to the quote, or a page of its own without JavaScript), a quote that only repeats
the item's line is not printed again, and the rep's review controls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from exports.citations import SourceRegistry, clean
from exports.conflicts_view import (
    OFFERING_SOURCE,
    conflict_description,
    conflict_heading,
    gap_question,
    key_label,
    resolution_text,
    where_text,
)
from exports.formatting import Flag
from exports.lines import repeats
from exports.outline import SECTION_KEYS, item_details, item_entry
from exports.stakeholders import StakeholderRow
from exports.summary import KeyFact, Point, build_summary
from handoff.domain import (
    Citation,
    GapReason,
    GapStatus,
    HandoffBrief,
    Item,
    ItemStatus,
    Offering,
)
from handoff.labels import Lang, category_label, field_label, term

LINE_CHARS = 220  # an old-style value (a whole source sentence) is cut on the page

_REASONS = {GapReason.MISSING: "gap_missing", GapReason.VERBAL_ONLY: "gap_verbal_only",
            GapReason.LOW_CONFIDENCE: "gap_low_confidence",
            GapReason.UNGROUNDED: "gap_ungrounded", GapReason.UNRESOLVED: "gap_unresolved"}


@dataclass
class CiteView:
    """A citation as shown: where it is from, its quote (unless the line says it), the link."""

    quote: str
    where: str
    href: str | None  # the passage page; None when the quote was not found in a source
    label: str = ""  # the chip's short text: who and when, else the file
    flags: list[Flag] = field(default_factory=list)
    unverified: bool = False
    repeats: bool = False  # the item's line already says what the quote says


@dataclass
class ItemView:
    """An item as shown: its one line, flags, details, citations; ``original`` if corrected."""

    id: str
    key: str
    label: str
    text: str
    full: str
    original: str | None
    status: str
    flags: list[Flag]
    details: list[str]
    citations: list[CiteView]


@dataclass
class GroupView:
    """The items of one field key inside a category."""

    key: str
    label: str
    items: list[ItemView]


@dataclass
class CategoryView:
    """One of the seven categories with its visible items, grouped by key in reading order."""

    key: str
    title: str
    groups: list[GroupView]

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)

    @property
    def items(self) -> list[ItemView]:
        return [i for g in self.groups for i in g.items]


@dataclass
class ConflictPage:
    """A conflict with its localized heading, every side quoted, and how it was resolved."""

    id: str
    heading: str
    description: str
    sides: list[CiteView]
    resolution: str
    holds: int | None
    resolved: bool


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
class FactView:
    """One cell of the key-facts strip, with links to the quotes it was read from."""

    key: str
    label: str
    text: str
    flags: list[Flag]
    citations: list[CiteView]
    missing: bool
    item_id: str | None


@dataclass
class PointView:
    """A promise or risk of the summary."""

    item_id: str
    text: str
    details: list[str]
    flags: list[Flag]
    citations: list[CiteView]


@dataclass
class PersonView:
    """A row of the stakeholder map."""

    name: str
    title: str
    roles: list[str]
    unverified: bool
    citations: list[CiteView]


@dataclass
class BriefPage:
    """Everything the deal page shows of a brief."""

    facts: list[FactView]
    people: list[PersonView]
    promises: list[PointView]
    risks: list[PointView]
    more_risks: int
    categories: list[CategoryView]
    conflicts: list[ConflictPage]
    gaps: list[GapPage]
    open_gaps: int
    rejected: list[ItemView]

    @property
    def open_conflicts(self) -> int:
        return sum(1 for c in self.conflicts if not c.resolved)


def _cut(text: str) -> str:
    text = clean(text)
    if len(text) <= LINE_CHARS:
        return text
    return text[: LINE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def passage_href(deal_id: str, c: Citation) -> str | None:
    """The passage link of a grounded citation with offsets, else None."""
    if not c.grounded or c.start is None or c.end is None or c.end <= c.start:
        return None
    params = {"source": c.source, "start": c.start, "end": c.end}
    if c.document_id:
        params["document_id"] = c.document_id
    return f"/deals/{deal_id}/passage?{urlencode(params)}"


def cite_view(deal_id: str, c: Citation, lang: Lang, line: str = "") -> CiteView:
    """A citation for display; the offering and unfound quotes are labelled, not linked."""
    flags: list[Flag] = []
    unverified = False
    if c.source == OFFERING_SOURCE:
        flags.append(Flag(term("standard_offering", lang)))
    elif not c.grounded:
        flags.append(Flag(term("unverified", lang), "unverified"))
        unverified = True
    return CiteView(quote=_cut(c.quote), where=where_text(c, lang),
                    href=passage_href(deal_id, c), flags=flags, unverified=unverified,
                    repeats=bool(line) and repeats(line, c), label=chip_label(c, lang))


def chip_label(c: Citation, lang: Lang) -> str:
    """"Deirdre Collins · 00:06:25" or "rep-handoff-note-sam.md · line 13": short, no ids."""
    where = where_text(c, lang)
    if c.speaker and where.startswith(c.source):
        return where[len(c.source):].lstrip(" ·") or c.source
    return where


def item_view(deal_id: str, item: Item, lang: Lang) -> ItemView:
    """An item for display, flagged exactly as the exported briefs flag it."""
    entry = item_entry(item, SourceRegistry(), lang)
    corrected = item.status == ItemStatus.CORRECTED or bool(item.corrected_value)
    return ItemView(
        id=item.id, key=item.key, label=key_label(item.key, lang), text=_cut(entry.text),
        full=entry.text, original=clean(item.value) if corrected else None,
        status=item.status.value, flags=entry.flags, details=entry.details,
        citations=[cite_view(deal_id, c, lang, entry.text) for c in item.citations],
    )


def _fact(deal_id: str, f: KeyFact, lang: Lang) -> FactView:
    return FactView(key=f.key, label=f.label, text=f.text, flags=f.flags,
                    citations=[cite_view(deal_id, c, lang) for c in f.citations
                               if c.grounded][:2],
                    missing=f.missing, item_id=f.item_id)


def _point(deal_id: str, p: Point, lang: Lang) -> PointView:
    return PointView(item_id=p.item_id, text=_cut(p.text), details=p.details, flags=p.flags,
                     citations=[cite_view(deal_id, c, lang, p.text) for c in p.citations])


def _person(deal_id: str, row: StakeholderRow, lang: Lang) -> PersonView:
    return PersonView(name=row.name, title=row.title, roles=row.roles,
                      unverified=row.unverified,
                      citations=[cite_view(deal_id, c, lang) for c in row.citations
                                 if c.grounded][:2])


def conflict_page(brief: HandoffBrief, index: int, lang: Lang) -> ConflictPage:
    """One conflict of the brief as the page shows it."""
    c = brief.conflicts[index]
    r = c.resolution
    return ConflictPage(
        id=c.id, heading=conflict_heading(c, lang),
        description=conflict_description(c, lang, brief.language),
        sides=[cite_view(brief.deal_id, side, lang) for side in c.sides],
        resolution=resolution_text(c, lang), holds=r.holds if r else None,
        resolved=r is not None)


def brief_page(brief: HandoffBrief, lang: Lang, offering: Offering | None = None) -> BriefPage:
    """Everything the deal page shows of a brief, in ``lang``; rejected items listed apart."""
    summary = build_summary(brief, SourceRegistry(), lang, item_details, offering=offering)
    categories = []
    for category, keys in SECTION_KEYS.items():
        groups = []
        for key in keys:
            items = brief.items_for(key)
            if items:
                groups.append(GroupView(key, field_label(key, lang),
                                        [item_view(brief.deal_id, i, lang) for i in items]))
        categories.append(CategoryView(category, category_label(category, lang), groups))
    gaps = [GapPage(id=g.id, label=key_label(g.key, lang), reason=term(_REASONS[g.reason], lang),
                    question=gap_question(g, lang, brief), open=g.status == GapStatus.OPEN,
                    answer=clean(g.answer or ""), item_id=g.item_id)
            for g in sorted(brief.gaps, key=lambda g: g.status != GapStatus.OPEN)]
    return BriefPage(
        facts=[_fact(brief.deal_id, f, lang) for f in summary.facts],
        people=[_person(brief.deal_id, r, lang) for r in summary.people],
        promises=[_point(brief.deal_id, p, lang) for p in summary.promises],
        risks=[_point(brief.deal_id, p, lang) for p in summary.risks],
        more_risks=summary.more_risks,
        categories=categories,
        conflicts=[conflict_page(brief, n, lang) for n in range(len(brief.conflicts))],
        gaps=gaps, open_gaps=sum(1 for g in gaps if g.open),
        rejected=[item_view(brief.deal_id, i, lang) for i in brief.items
                  if i.status == ItemStatus.REJECTED],
    )

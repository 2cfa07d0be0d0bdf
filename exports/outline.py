"""The brief laid out as a document, independent of the output format.

Design note: the DOCX and Markdown renderers (and the web page) only draw what
:func:`build_outline` decides. The document opens with the summary (:mod:`exports.summary`):
key facts, stakeholder map, open promises, top risks, then what is missing and contradictory.
The details follow, one section per category of the schema with a table of contents, then the
answered questions, the completeness check and the numbered Sources. Which items appear, with
which line, flags and citation numbers is settled here once, so every format shows the same.
Rejected items never reach the outline; corrected items carry the corrected value; an item
without a grounded citation is flagged unverified and gets no number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from exports.citations import SourceRef, SourceRegistry, clean
from exports.conflicts_view import GapView, gap_views
from exports.formatting import (
    Flag,
    attr_text,
    display_date_text,
    format_date,
    format_percent,
    truthy,
)
from exports.lines import item_line
from exports.stakeholders import StakeholderRow, roles_of
from exports.summary import Summary, build_summary
from handoff.domain import (
    CATEGORIES,
    REQUIRED_KEYS,
    GapStatus,
    HandoffBrief,
    Item,
    ItemStatus,
    Offering,
)
from handoff.labels import Lang, category_label, field_label, resolve_lang, section_label, term


@dataclass
class Entry:
    """One statement with its citation numbers and flags (already in the display language)."""

    text: str
    refs: list[int] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    unverified: bool = False
    verbal: bool = False
    item_id: str | None = None


@dataclass
class Block:
    """A labelled group of entries, usually all items of one field key."""

    title: str
    entries: list[Entry]
    key: str = ""


@dataclass
class Section:
    """A section of the details; it carries whichever payload its kind needs."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    stakeholders: list[StakeholderRow] = field(default_factory=list)
    gaps: list[GapView] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)
    count: int = 0  # items shown in it, for the table of contents


@dataclass
class Outline:
    """The whole document: title, header facts, summary, then the details in reading order."""

    lang: Lang
    title: str
    subtitle: str
    header: list[tuple[str, str]]
    legend: str
    summary: Summary
    sections: list[Section]

    def section(self, key: str) -> Section:
        """The section with ``key``.

        Raises:
            KeyError: no such section.
        """
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def contents(self) -> list[Section]:
        """The category sections, for the table of contents."""
        return [s for s in self.sections if s.key in CATEGORIES]


# The order of keys inside each category's section (the deal overview template's reading
# order: what a CSM needs first comes first).
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "account": ("account.industry", "account.market_position", "account.company_size",
                "account.locations", "account.org_structure", "account.business_model",
                "account.challenges", "account.priorities", "account.why_us", "account.why_now",
                "account.competitors_evaluated", "account.competitive_pressure",
                "account.growth_plans", "account.tech_landscape", "account.lead_source",
                "account.sales_cycle"),
    "stakeholders": tuple(f"stakeholders.{f}" for f in CATEGORIES["stakeholders"]),
    "goals": ("goals.primary_goal", "goals.success_metric", "goals.roi_expectation",
              "goals.adoption_target", "goals.results_timeframe", "goals.personal_win"),
    "commitments": ("commitments.scope", "commitments.service", "commitments.timeline",
                    "commitments.commercial", "commitments.verbal"),
    "technical": ("technical.integration", "technical.systems", "technical.data_migration",
                  "technical.security_compliance", "technical.security_review",
                  "technical.technical_contact", "technical.poc_result",
                  "technical.resolved_objection", "technical.open_question"),
    "implementation": ("implementation.start_date", "implementation.go_live_date",
                       "implementation.milestone", "implementation.customer_resource",
                       "implementation.training_plan", "implementation.dependency",
                       "implementation.constraint", "implementation.timeline_risk"),
    "risks": ("risks.objection", "risks.competitive_concern", "risks.budget_constraint",
              "risks.political_risk", "risks.churn_indicator", "risks.unrealistic_expectation"),
}


def item_details(item: Item, lang: Lang) -> list[str]:
    """Who promised what to whom and when; who raised an objection and how it stands."""
    a = item.attributes
    out: list[str] = []
    by, to = attr_text(a.get("promised_by")), attr_text(a.get("promised_to"))
    if by:
        out.append(f"{term('promised_by', lang)} {by}" + (f" {term('promised_to', lang)} {to}"
                                                           if to else ""))
    for key in ("said_on", "due"):
        text = attr_text(a.get(key))
        if text:
            out.append(f"{term(key, lang)} {display_date_text(text, lang)}")
    raised = attr_text(a.get("raised_by"))
    if raised:
        out.append(f"{term('raised_by', lang)} {raised}")
    handling = attr_text(a.get("handling"))
    if handling:
        out.append(f"{term('handling', lang)}: {handling}")
    if "open" in a and a["open"] is not None:
        out.append(term("still_open" if truthy(a["open"]) else "resolved", lang))
    return out


def item_entry(item: Item, registry: SourceRegistry, lang: Lang) -> Entry:
    """Turn an item into an entry: its short line, citation numbers, flags and details."""
    verbal = item.verbal or item.key == "commitments.verbal"
    flags: list[Flag] = []
    if verbal:
        flags.append(Flag(term("verbal", lang), "warning"))
    if (verbal or truthy(item.attributes.get("needs_validation"))) and item.status not in (
            ItemStatus.CONFIRMED, ItemStatus.CORRECTED):
        flags.append(Flag(term("needs_validation", lang), "warning"))
    if item.status == ItemStatus.CORRECTED or item.corrected_value:
        flags.append(Flag(term("corrected", lang)))
    elif item.status == ItemStatus.CONFIRMED:
        flags.append(Flag(term("confirmed", lang)))
    if item.unresolved:
        flags.append(Flag(term("unresolved", lang), "warning"))
    if not item.grounded:
        flags.append(Flag(term("unverified", lang), "unverified"))
    return Entry(
        text=item_line(item, lang),
        refs=registry.refs(item.citations),
        flags=flags,
        details=item_details(item, lang),
        unverified=not item.grounded,
        verbal=verbal,
        item_id=item.id,
    )


def _blocks(brief: HandoffBrief, keys: tuple[str, ...], registry: SourceRegistry,
            lang: Lang) -> list[Block]:
    blocks = []
    for key in keys:
        items = brief.items_for(key)
        if items:
            blocks.append(Block(field_label(key, lang),
                                [item_entry(i, registry, lang) for i in items], key=key))
    return blocks


def _covered(brief: HandoffBrief) -> set[str]:
    """Keys with a grounded or rep-confirmed item or an answered gap.

    A stakeholder item covers every role it lists, not only its own key.
    """
    ok = (ItemStatus.CONFIRMED, ItemStatus.CORRECTED)
    covered = {g.key for g in brief.gaps if g.status == GapStatus.ANSWERED}
    for item in brief.visible_items():
        if (item.grounded and not item.unresolved) or item.status in ok:
            covered.add(item.key)
            if item.category == "stakeholders":
                covered |= {f"stakeholders.{r}" for r in roles_of(item)}
    return covered


def missing_required(brief: HandoffBrief, lang: Lang) -> list[str]:
    """Labels of the required keys nothing in the brief covers yet."""
    covered = _covered(brief)
    return [field_label(k, lang) for k in REQUIRED_KEYS if k not in covered]


def build_outline(
    brief: HandoffBrief,
    lang: str | None = None,
    *,
    signed_at: date | datetime | None = None,
    offering: Offering | None = None,
) -> Outline:
    """Lay the brief out: summary first, then one section per category.

    Args:
        brief: The handoff brief.
        lang: ``"de"`` or ``"en"``; ``None`` uses the brief's language.
        signed_at: The contract signature, when the caller knows it (shown in the header).
        offering: The vendor's standard offering, to name the support tier.

    Returns:
        The outline with a numbered Sources appendix; the summary's markers come first.
    """
    lg = resolve_lang(lang, brief.language)
    registry = SourceRegistry()
    summary = build_summary(brief, registry, lg, item_details, offering=offering)

    sections = []
    for category, keys in SECTION_KEYS.items():
        blocks = _blocks(brief, keys, registry, lg)
        section = Section(category, category_label(category, lg), blocks=blocks,
                          count=sum(len(b.entries) for b in blocks))
        if category == "stakeholders":
            section.stakeholders = summary.people
        if not blocks:
            section.paragraphs = [term("no_items", lg)]
        sections.append(section)

    answered = gap_views([g for g in brief.gaps if g.status == GapStatus.ANSWERED], lg, brief)
    if answered:
        sections.append(Section("answered", section_label("answered", lg), gaps=answered))
    score = format_percent(brief.completeness, lg)
    completeness = Section("completeness", section_label("completeness", lg),
                           paragraphs=[f"{term('score', lg)}: {score} ({term('target', lg)})"])
    missing = missing_required(brief, lg)
    if missing:
        completeness.blocks.append(Block(term("missing_required", lg),
                                         [Entry(m) for m in missing]))
    sections.append(completeness)
    sections.append(Section("sources", section_label("sources", lg), sources=registry.entries,
                            paragraphs=[] if registry.entries else [term("no_sources", lg)]))

    created = brief.metadata.created_at
    source_count = len(brief.metadata.sources) or len(
        {c.source for i in brief.visible_items() for c in i.citations})
    header = [
        (term("deal", lg), clean(brief.deal_name)),
        (term("created", lg), format_date(created, lg)),
        (term("source_count", lg), str(source_count)),
        (section_label("completeness", lg), score),
    ]
    if signed_at is not None:
        header.insert(1, (term("close_date", lg), format_date(signed_at, lg)))
    return Outline(
        lang=lg,
        title=f"{section_label('title', lg)}: {clean(brief.deal_name)}",
        subtitle=_customer(summary),
        header=header,
        legend=term("legend", lg),
        summary=summary,
        sections=sections,
    )


def _customer(summary: Summary) -> str:
    return next((f.text for f in summary.facts if f.key == "customer"), "")

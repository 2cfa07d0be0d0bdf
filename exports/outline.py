"""The brief laid out as a document, independent of the output format.

Design note: the DOCX and Markdown renderers only draw what :func:`build_outline` decides.
Which items appear, in which section, with which flags and which citation numbers is
settled here once, so both formats always show the same sections, the same markers and the
same appendix. Rejected items never reach the outline; corrected items carry the corrected
value; an item without a grounded citation is flagged unverified and gets no number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from exports.citations import SourceRef, SourceRegistry, clean
from exports.conflicts_view import ConflictView, GapView, conflict_views, gap_views
from exports.formatting import (
    Flag,
    attr_text,
    close_date_item,
    customer_name,
    display_date_text,
    format_date,
    format_percent,
    mentions_money,
    truthy,
)
from exports.stakeholders import StakeholderRow, roles_of, stakeholder_rows
from handoff.domain import REQUIRED_KEYS, GapStatus, HandoffBrief, Item, ItemStatus
from handoff.labels import Lang, field_label, resolve_lang, section_label, term


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


@dataclass
class Section:
    """A top-level section; it carries whichever payload its kind needs."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    stakeholders: list[StakeholderRow] = field(default_factory=list)
    conflicts: list[ConflictView] = field(default_factory=list)
    gaps: list[GapView] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)


@dataclass
class Outline:
    """The whole document: title, header facts, legend and sections in reading order."""

    lang: Lang
    title: str
    subtitle: str
    header: list[tuple[str, str]]
    legend: str
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


# Which field keys fill which section, in reading order (the deal overview template).
_GOALS = ("goals.primary_goal", "goals.success_metric", "goals.roi_expectation",
          "goals.adoption_target", "goals.results_timeframe", "goals.personal_win")
_COMMITMENTS = ("commitments.scope", "technical.integration", "commitments.service",
                "commitments.timeline", "commitments.commercial", "commitments.verbal")
_TECHNICAL = ("technical.systems", "technical.data_migration", "technical.security_compliance",
              "technical.security_review", "technical.technical_contact", "technical.poc_result",
              "technical.resolved_objection", "technical.open_question")
_IMPLEMENTATION = ("implementation.start_date", "implementation.go_live_date",
                   "implementation.milestone", "implementation.customer_resource",
                   "implementation.training_plan", "implementation.dependency",
                   "implementation.constraint", "implementation.timeline_risk")
_RISKS = ("risks.objection", "risks.competitive_concern", "risks.budget_constraint",
          "risks.political_risk", "risks.churn_indicator", "risks.unrealistic_expectation")
_OVERVIEW_REST = ("account.company_size", "account.locations", "account.org_structure",
                  "account.business_model", "account.challenges", "account.priorities",
                  "account.competitive_pressure", "account.growth_plans",
                  "account.tech_landscape", "account.lead_source", "account.sales_cycle",
                  "account.competitors_evaluated", "account.why_us", "account.why_now")


def _details(item: Item, lang: Lang) -> list[str]:
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
    """Turn an item into an entry: shown value, citation numbers, flags and details."""
    verbal = item.verbal or item.key == "commitments.verbal"
    flags: list[Flag] = []
    if verbal:
        flags.append(Flag(term("verbal", lang), "warning"))
    if verbal or truthy(item.attributes.get("needs_validation")):
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
        text=clean(item.shown_value),
        refs=registry.refs(item.citations),
        flags=flags,
        details=_details(item, lang) if item.category in ("commitments", "risks") else [],
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
                                [item_entry(i, registry, lang) for i in items]))
    return blocks


def _overview(brief: HandoffBrief, registry: SourceRegistry, lang: Lang,
              signed_at: date | datetime | None) -> list[Block]:
    missing = Entry(term("not_recorded", lang))
    blocks = [Block(term("customer", lang), [Entry(customer_name(brief))])]
    blocks += _blocks(brief, ("account.industry", "account.market_position"), registry, lang)
    if signed_at is not None:
        close = [Entry(format_date(signed_at, lang))]
    elif (found := close_date_item(brief)) is not None:
        item, text = found
        close = [Entry(display_date_text(text, lang), refs=registry.refs(item.citations),
                       unverified=not item.grounded,
                       flags=[] if item.grounded else [Flag(term("unverified", lang),
                                                            "unverified")])]
    else:
        close = [missing]
    blocks.append(Block(term("close_date", lang), close))
    money = [i for i in brief.items_for("commitments.commercial")
             if mentions_money(i.shown_value)]
    blocks.append(Block(term("contract_value", lang),
                        [item_entry(i, registry, lang) for i in money] or [missing]))
    blocks += _blocks(brief, _OVERVIEW_REST, registry, lang)
    return blocks


def _covered(brief: HandoffBrief) -> set[str]:
    """Keys with a grounded or rep-confirmed item or an answered gap.

    A stakeholder item covers every role it lists, not only its own key.
    """
    ok = (ItemStatus.CONFIRMED, ItemStatus.CORRECTED)
    covered = {g.key for g in brief.gaps if g.status == GapStatus.ANSWERED}
    for item in brief.visible_items():
        if item.grounded or item.status in ok:
            covered.add(item.key)
            if item.category == "stakeholders":
                covered |= {f"stakeholders.{r}" for r in roles_of(item)}
    return covered


def build_outline(
    brief: HandoffBrief,
    lang: str | None = None,
    *,
    signed_at: date | datetime | None = None,
) -> Outline:
    """Lay the brief out as the deal overview document.

    Args:
        brief: The handoff brief.
        lang: ``"de"`` or ``"en"``; ``None`` uses the brief's language.
        signed_at: The contract signature, when the caller knows it (the brief itself has no
            field for it); otherwise a close date is looked for in the items' attributes.

    Returns:
        The outline with sections in the template's order and a numbered Sources appendix.
    """
    lg = resolve_lang(lang, brief.language)
    registry = SourceRegistry()
    none = [term("no_items", lg)]

    def blocks_section(key: str, keys: tuple[str, ...]) -> Section:
        blocks = _blocks(brief, keys, registry, lg)
        return Section(key, section_label(key, lg), blocks=blocks,
                       paragraphs=[] if blocks else none)

    sections = [Section("customer_overview", section_label("customer_overview", lg),
                        blocks=_overview(brief, registry, lg, signed_at))]
    rows = stakeholder_rows(brief, registry, lg)
    sections.append(Section("stakeholders", section_label("stakeholders", lg),
                            stakeholders=rows, paragraphs=[] if rows else none))
    sections.append(blocks_section("goals", _GOALS))
    sections.append(blocks_section("commitments", _COMMITMENTS))
    sections.append(blocks_section("technical", _TECHNICAL))
    sections.append(blocks_section("implementation", _IMPLEMENTATION))
    sections.append(blocks_section("risks", _RISKS))

    conflicts = conflict_views(brief.conflicts, registry, lg)
    sections.append(Section("conflicts", section_label("conflicts", lg), conflicts=conflicts,
                            paragraphs=[] if conflicts else [term("no_conflicts", lg)]))
    open_gaps = gap_views([g for g in brief.gaps if g.status == GapStatus.OPEN], lg)
    sections.append(Section("gaps", section_label("gaps", lg), gaps=open_gaps,
                            paragraphs=[] if open_gaps else [term("no_gaps", lg)]))
    answered = gap_views([g for g in brief.gaps if g.status == GapStatus.ANSWERED], lg)
    if answered:
        sections.append(Section("answered", section_label("answered", lg), gaps=answered))

    score = format_percent(brief.completeness, lg)
    covered = _covered(brief)
    missing = [field_label(k, lg) for k in REQUIRED_KEYS if k not in covered]
    completeness = Section("completeness", section_label("completeness", lg),
                           paragraphs=[f"{term('score', lg)}: {score} ({term('target', lg)})"])
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
        (term("deal_id", lg), brief.deal_id),
        (term("created", lg), format_date(created, lg)),
        (term("source_count", lg), str(source_count)),
        (section_label("completeness", lg), score),
    ]
    return Outline(
        lang=lg,
        title=f"{section_label('title', lg)}: {clean(brief.deal_name)}",
        subtitle=customer_name(brief),
        header=header,
        legend=term("legend", lg),
        sections=sections,
    )

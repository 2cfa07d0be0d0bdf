"""The summary a CSM reads first: key facts, people, open promises, top risks, what is open.

Design note. Every format (page, DOCX, Markdown) opens with this, in the same order: a strip of
key facts (customer, contract value and term, signer, go-live, kickoff, support tier, seats),
the stakeholder map, the promises CS still has to validate, the top risks, then what is
missing and what is contradictory. Each fact points at the item it was read from, so its
quotes are one click (or one footnote) away, and a fact that a conflict touches or the
sources call open says so. Facts are read from items only; the support tier's names come from
the vendor's ``offering.yaml`` when it is given, never from words fixed in code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from exports.citations import SourceRegistry, clean
from exports.conflicts_view import ConflictView, GapView, conflict_views, gap_views
from exports.formatting import Flag, customer_name, money_in, truthy
from exports.lines import item_line
from exports.stakeholders import StakeholderRow, people_with_role, stakeholder_rows
from handoff.domain import (
    CATEGORIES,
    Citation,
    GapStatus,
    HandoffBrief,
    Item,
    ItemStatus,
    Offering,
)
from handoff.labels import Lang, term, term_with

TOP_RISKS = 3
FACT_CHARS = 90

_PER_YEAR = re.compile(r"per year|a year|/\s?year|annual|p\.\s?a\.|pro Jahr|jährlich|im Jahr|"
                       r"Jahresgebühr|/\s?Jahr", re.I)
_PER_MONTH = re.compile(r"per month|a month|/\s?month|monthly|pro Monat|monatlich|/\s?Monat",
                        re.I)
_TERM = re.compile(r"\b(\d{1,3})[- ]?(?:month|months|Monate?n?)\b"
                   r"|\b(\d{1,2})[- ]?(?:year|years|Jahre?n?)\s+(?:term|Laufzeit)", re.I)
_SEATS = re.compile(r"\b(\d{1,3}(?:[.,]\d{3})*|\d+)\s+(?:named\s+|active\s+)?"
                    r"(?:users|seats|licen[cs]es|Nutzer(?:innen)?|Lizenzen|Anwender(?:innen)?|"
                    r"Benutzer(?:innen)?|Arbeitsplätze)\b", re.I)
_TIER_WORD = re.compile(r"\b([A-ZÄÖÜ][\wäöüß]+)[ -](?:support|tier|plan|Support|Stufe|Paket)\b")
# Conflict topics that touch a key fact (the topic ids the extraction writes).
_TOPICS = {
    "contract": {"money", "price", "discount", "term", "payment"},
    "go_live": {"go_live", "go_live_date", "date", "duration", "implementation_weeks"},
    "kickoff": {"start", "start_date"},
    "support_tier": {"tier", "support_tier", "support", "sla"},
    "seats": {"seats"},
    "signer": {"person"},
}
_ALL_KEYS = tuple(f"{c}.{f}" for c, fs in CATEGORIES.items() for f in fs)
_RISK_ORDER = ("risks.objection", "risks.churn_indicator", "risks.competitive_concern",
               "risks.budget_constraint", "risks.unrealistic_expectation", "risks.political_risk",
               "implementation.timeline_risk")


@dataclass
class KeyFact:
    """One cell of the key-facts strip."""

    key: str                      # customer, contract, signer, go_live, kickoff, ...
    label: str
    text: str
    refs: list[int] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    item_id: str | None = None
    citations: list[Citation] = field(default_factory=list)
    missing: bool = False


@dataclass
class Point:
    """A promise or a risk in the summary: the short line, who and when, its item."""

    text: str
    details: list[str]
    refs: list[int]
    flags: list[Flag]
    item_id: str
    citations: list[Citation]


@dataclass
class Summary:
    """What the brief opens with, in reading order."""

    facts: list[KeyFact]
    people: list[StakeholderRow]
    promises: list[Point]
    risks: list[Point]
    more_risks: int
    gaps: list[GapView]
    conflicts: list[ConflictView]


def _short(text: str) -> str:
    text = clean(text)
    if len(text) <= FACT_CHARS:
        return text
    cut = text[:FACT_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:–- ") + "…"


def _reliable(items: list[Item]) -> list[Item]:
    """Rep-confirmed, then grounded items first, promises still to validate last.

    A fact of the contract is read from what was signed or written before what was only
    said on a call ("Premium support" promised aloud does not make the tier Premium).
    """
    ok = (ItemStatus.CONFIRMED, ItemStatus.CORRECTED)
    return sorted(items, key=lambda i: (i.status not in ok, not i.grounded,
                                        needs_validation(i)))


def _touched(brief: HandoffBrief, fact: str, item: Item | None) -> bool:
    topics = _TOPICS.get(fact, set())
    return any(c.resolution is None and (c.topic in topics or (item and item.id in c.item_ids))
               for c in brief.conflicts)


class _Facts:
    """Builds the strip; each fact is read from the items that can state it."""

    def __init__(self, brief: HandoffBrief, registry: SourceRegistry, lang: Lang,
                 offering: Offering | None, people: list[StakeholderRow]) -> None:
        self.brief, self.registry, self.lang = brief, registry, lang
        self.offering, self.people = offering, people

    def fact(self, key: str, text: str | None, item: Item | None = None,
             extra: list[Flag] | None = None, cites: list[Citation] | None = None) -> KeyFact:
        lg = self.lang
        label = term(f"fact_{key}", lg)
        if not text:
            return KeyFact(key, label, term("not_recorded", lg), missing=True)
        flags = list(extra or [])
        citations = cites if cites is not None else (item.citations if item else [])
        if item is not None:
            if item.unresolved:
                flags.append(Flag(term("still_open", lg), "warning"))
            if not item.grounded and item.status not in (ItemStatus.CONFIRMED,
                                                         ItemStatus.CORRECTED):
                flags.append(Flag(term("unverified", lg), "unverified"))
            if item.status == ItemStatus.CONFIRMED:
                flags.append(Flag(term("confirmed", lg)))
        if _touched(self.brief, key, item):
            flags.append(Flag(term("contradictory", lg), "warning"))
        return KeyFact(key, label, text, refs=self.registry.refs(citations), flags=flags,
                       item_id=item.id if item else None, citations=list(citations))

    def first(self, keys: tuple[str, ...], pick: Callable[[Item], str | None]
              ) -> tuple[Item, str] | None:
        """The first item of ``keys`` that ``pick`` reads a value from.

        A promise still to validate is never read as a fact of the deal: "Premium support"
        said on a call is listed under the open promises, not as the tier.
        """
        for key in keys:
            for item in _reliable(self.brief.items_for(key)):
                if needs_validation(item):
                    continue
                found = pick(item)
                if found:
                    return item, found
        return None

    # ------------------------------------------------------------------ the seven facts

    def customer(self) -> KeyFact:
        industry = self.brief.items_for("account.industry")
        name = customer_name(self.brief)
        return self.fact("customer", name, None,
                         cites=industry[0].citations[:1] if industry else [])

    def contract(self) -> KeyFact:
        lg = self.lang
        keys = ("commitments.commercial", "commitments.scope", "account.business_model")
        found = self.first(keys, lambda i: money_in(i.shown_value))
        if found is None:
            return self.fact("contract", None)
        item, amount = found
        text = item.shown_value
        parts = [amount]
        if _PER_YEAR.search(text):
            parts[0] += f" {term('per_year', lg)}"
        elif _PER_MONTH.search(text):
            parts[0] += f" {term('per_month', lg)}"
        months = _months(text) or next(
            (n for i in self.brief.items_for("commitments.commercial")
             if (n := _months(i.shown_value))), None)
        if months:
            parts.append(term_with("term_months", lg, n=months))
        return self.fact("contract", " · ".join(parts), item)

    def signer(self) -> KeyFact:
        rows = [r for r in people_with_role(self.people, "economic_buyer")]
        if not rows:
            return self.fact("signer", None)
        row = rows[0]
        text = f"{row.name}, {row.title}" if row.title else row.name
        item = next((i for i in self.brief.items_for("stakeholders.economic_buyer")), None)
        item = item or next((i for i in self.brief.visible_items()
                             if i.category == "stakeholders"
                             and clean(i.attributes.get("name", "")).casefold()
                             == row.name.casefold()), None)
        flags = [Flag(term("unverified", self.lang), "unverified")] if row.unverified else []
        return KeyFact("signer", term("fact_signer", self.lang), text,
                       refs=self.registry.refs(row.citations), flags=flags,
                       item_id=item.id if item else None,
                       citations=list(item.citations) if item else [])

    def date(self, fact: str, key: str) -> KeyFact:
        items = [i for i in _reliable(self.brief.items_for(key)) if not needs_validation(i)]
        if not items:
            return self.fact(fact, None)
        settled = [i for i in items if not i.unresolved]
        item = settled[0] if settled else items[0]
        if item.unresolved and not item.corrected_value:
            # "Kickoff date: not agreed yet – waiting for Alan's signature" is in the quote;
            # the strip only says that it is open (the flag) and links to why.
            return self.fact(fact, term("not_agreed", self.lang), item)
        return self.fact(fact, _short(item_line(item, self.lang)), item)

    def support_tier(self) -> KeyFact:
        names = [t.name for t in self.offering.support_tiers] if self.offering else []

        def tier(item: Item) -> str | None:
            text = item.shown_value
            for name in names:
                if re.search(rf"\b{re.escape(name)}\b", text, re.I):
                    return name
            if names:
                return None
            m = _TIER_WORD.search(text)
            return m.group(1) if m else None

        keys = ("commitments.commercial", "commitments.service", "commitments.scope",
                *(k for k in _ALL_KEYS if not k.startswith(("commitments.", "risks."))))
        found = self.first(keys, tier)
        if found is None:
            return self.fact("support_tier", None)
        item, name = found
        return self.fact("support_tier", name, item)

    def seats(self) -> KeyFact:
        lg = self.lang

        def count(item: Item) -> str | None:
            m = _SEATS.search(item.shown_value)
            return m.group(1) if m else None

        keys = ("commitments.commercial", "commitments.scope", "goals.adoption_target",
                "stakeholders.end_user", "account.company_size")
        found = self.first(keys, count)
        if found is None:
            return self.fact("seats", None)
        item, n = found
        return self.fact("seats", term_with("seats_count", lg, n=n), item)


def _months(text: str) -> int | None:
    m = _TERM.search(text)
    if not m:
        return None
    return int(m.group(1)) if m.group(1) else int(m.group(2)) * 12


def _point(item: Item, registry: SourceRegistry, lang: Lang,
           details: Callable[[Item, Lang], list[str]]) -> Point:
    flags = []
    if item.verbal or item.key == "commitments.verbal":
        flags.append(Flag(term("verbal", lang), "warning"))
    if item.unresolved or truthy(item.attributes.get("open")):
        flags.append(Flag(term("still_open", lang), "warning"))
    if not item.grounded:
        flags.append(Flag(term("unverified", lang), "unverified"))
    return Point(text=item_line(item, lang), details=details(item, lang),
                 refs=registry.refs(item.citations), flags=flags, item_id=item.id,
                 citations=list(item.citations))


def needs_validation(item: Item) -> bool:
    """A promise CS must still validate: said only aloud, or flagged, and not yet confirmed."""
    if item.status in (ItemStatus.CONFIRMED, ItemStatus.CORRECTED, ItemStatus.REJECTED):
        return False
    return (truthy(item.attributes.get("needs_validation"))
            or (item.category == "commitments" and (item.verbal
                                                    or item.key == "commitments.verbal")))


def build_summary(brief: HandoffBrief, registry: SourceRegistry, lang: Lang,
                  details: Callable[[Item, Lang], list[str]], *,
                  offering: Offering | None = None) -> Summary:
    """The summary of ``brief`` in ``lang``; citation numbers come from ``registry``.

    Args:
        brief: The brief (rejected items are ignored).
        registry: Hands out the citation numbers, so the summary's markers come first.
        lang: Display language.
        details: Who promised what and when, as the details lines of an item.
        offering: The vendor's offering; its support tiers name the tier fact.
    """
    people = stakeholder_rows(brief, SourceRegistry(), lang)
    f = _Facts(brief, registry, lang, offering, people)
    facts = [f.customer(), f.contract(), f.signer(),
             f.date("go_live", "implementation.go_live_date"),
             f.date("kickoff", "implementation.start_date"), f.support_tier(), f.seats()]
    for row in people:  # numbered after the facts, so markers count up down the page
        row.refs = registry.refs(row.citations)
    order = {k: n for n, k in enumerate(f"{c}.{x}" for c, xs in CATEGORIES.items() for x in xs)}
    promises = sorted((i for i in brief.visible_items() if needs_validation(i)),
                      key=lambda i: order.get(i.key, 0))
    rank = {k: n for n, k in enumerate(_RISK_ORDER)}
    risky = [i for i in brief.visible_items() if i.key in rank]
    risky.sort(key=lambda i: (not (i.unresolved or truthy(i.attributes.get("open"))),
                              not i.grounded, rank[i.key]))
    open_gaps = [g for g in brief.gaps if g.status == GapStatus.OPEN]
    return Summary(
        facts=facts,
        people=people,
        promises=[_point(i, registry, lang, details) for i in promises],
        risks=[_point(i, registry, lang, details) for i in risky[:TOP_RISKS]],
        more_risks=max(0, len(risky) - TOP_RISKS),
        gaps=gap_views(open_gaps, lang, brief),
        conflicts=conflict_views(brief.conflicts, registry, lang, brief.language),
    )


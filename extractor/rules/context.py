"""What every rule needs about a deal: citable units, people, competitors and guards.

Design note: a *unit* is what an item cites: one sentence of a primary segment, or a short
sentence together with the next one of the same segment ("OpsPilot and Shiftwise. OpsPilot
came in thirty percent cheaper."). Its quote is ``doc.text[start:end]``, so every citation
the rules backend makes is exact. Units never come from quoted replies, headers,
signatures or hidden text: sources are untrusted, and a fact must stand in the sender's own
words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from extractor.roster import Person, build_roster, fold, resolve
from extractor.rules.lexicon import (
    COMPETITORS,
    SYSTEMS,
    FieldSpec,
    commitment_cues,
    guard,
    load,
    systems_regex,
)
from extractor.sentences import Sentence, primary
from extractor.values import Value, extract_values
from handoff.domain import AlignmentStatus, Citation, Item, ParsedDocument, SegmentKind, SourceKind

_SHORT = 45  # a sentence shorter than this is cited together with the next one
_DATE_IN_NAME = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")
_CAP = r"[A-Z][\w&+-]*[a-z][\w&+-]*"
_COMPETITOR_PATTERNS = [
    re.compile(rf"(?i:also\s+(?:looking\s+at|evaluating|talking\s+to)|evaluat(?:ing|ed)|"
               rf"talked\s+to|compared\s+(?:with|to)|competitors?|wettbewerber|angebot\s+von|"
               rf"comp|wettbewerb|konkurrenz|alternative[sn]?)\s*[:(-]?\s*"
               rf"(?P<name>{_CAP})(?:\s*(?:,|and|und|&|/|\+)\s*(?P<more>{_CAP}))?"),
    re.compile(rf"(?P<name>{_CAP})(?:\s+\([^)]*\))?\s+(?i:came\s+in|is|was|were|war|waren|"
               rf"liegt|lag|ist|claims?|verspricht|offered|bietet)\b[^.;]{{0,40}}"
               rf"(?i:cheaper|günstiger|billiger|faster|schneller|\d+\s?%|percent|prozent|"
               rf"drunter|im\s+haus)"),
    re.compile(rf"(?i:hatten|hatte|haben|had)\s+(?P<name>{_CAP})\s+(?i:im\s+haus|in\s+house|in)"),
    re.compile(rf"(?P<name>{_CAP})\s+(?i:promised|promises|claimed|claims|quoted|offered\s+us|"
               rf"told\s+us|versprach|verspricht|hat\s+(?:uns\s+)?\S+(?:\s+\S+)?\s+versprochen)"),
    re.compile(rf"(?i:bei|with|von)\s+(?P<name>{_CAP})\s+(?i:hieß\s+es|hat\s+man|sagte\s+man|"
               rf"they\s+(?:said|promised|claim)|versprechen|würden\s+wir)"),
]

_CONTRACT = re.compile(r"(?i)order[ _-]?form|angebot|proposal|quote|offer|vertrag|contract|"
                       r"\bsow\b|auftrag|bestell|\bang-|\bof-")


def is_contract(doc: ParsedDocument) -> bool:
    """The vendor's order form, proposal, quote or contract (by name or opening words)."""
    return doc.kind == SourceKind.DOCUMENT and bool(
        _CONTRACT.search(doc.filename) or _CONTRACT.search(doc.text[:400]))


_CONTRAST = re.compile(r"(?i)[,;]?\s+\b(?:but|however|instead|aber|jedoch|stattdessen|dafür)\b")


@dataclass
class Unit:
    """A citable span of one segment: a sentence, or a short sentence plus the next."""

    sentences: list[Sentence]
    doc: ParsedDocument
    order: tuple[str, int, int]  # (date, document index, offset): later means said later
    side: str | None  # the writer's or speaker's side: vendor, customer, None
    speaker: Person | None

    @cached_property
    def start(self) -> int:
        return self.sentences[0].start

    @cached_property
    def end(self) -> int:
        return self.sentences[-1].end

    @cached_property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]

    @cached_property
    def values(self) -> list[Value]:
        """Durations, money, dates, percentages and counts in the unit (computed once)."""
        year = int(self.order[0][:4]) if self.order[0][:4].isdigit() else None
        return extract_values(self.text, year=year)

    @property
    def flat(self) -> str:
        """The text with runs of whitespace collapsed, for item values."""
        return " ".join(self.text.split())

    @property
    def segment_kind(self) -> SegmentKind:
        return self.sentences[0].segment.kind

    @property
    def is_call(self) -> bool:
        return self.doc.kind == SourceKind.TRANSCRIPT

    def head(self) -> Unit:
        """The unit's first sentence alone (a promise is judged sentence by sentence)."""
        if len(self.sentences) == 1:
            return self
        return Unit(self.sentences[:1], self.doc, self.order, self.side, self.speaker)

    def citation(self) -> Citation:
        """The exact citation of this unit."""
        seg = self.sentences[0].segment
        return Citation(
            source=self.doc.filename, quote=self.text, locator=seg.locator or None,
            speaker=seg.speaker, timestamp=seg.timestamp, segment_index=seg.index,
            start=self.start, end=self.end, alignment=AlignmentStatus.EXACT,
        )


def doc_date(doc: ParsedDocument) -> str:
    """The document's date as ``YYYY-MM-DD`` when its name or metadata gives one, else ""."""
    m = _DATE_IN_NAME.search(doc.filename)
    if m:
        return "-".join(m.groups())
    for seg in doc.segments:
        if seg.timestamp and _DATE_IN_NAME.match(seg.timestamp):
            return seg.timestamp[:10]
    return ""


class Context:
    """The parsed deal as the rules see it."""

    def __init__(self, docs: list[ParsedDocument]) -> None:
        self.docs = docs
        self.roster = build_roster(docs)
        vendor_orgs = {p.organisation for p in self.roster if p.vendor and p.organisation}
        self.vendor_names = {o.split(".")[0].split("-")[0] for o in vendor_orgs}
        self.units: list[Unit] = []
        for index, doc in enumerate(docs):
            self.units.extend(self._units(doc, index))
        self.own_systems = self._own_systems()
        self.competitors = self._competitors()
        names = sorted(self.competitors, key=len, reverse=True)
        self.competitor_regex = (re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, names))})"
                                            rf"(?![\w])") if names else None)

    def _units(self, doc: ParsedDocument, index: int) -> list[Unit]:
        date = doc_date(doc)
        by_segment: dict[int, list[Sentence]] = {}
        for s in primary(doc):
            by_segment.setdefault(s.segment.index, []).append(s)
        units: list[Unit] = []
        for sents in by_segment.values():
            seg = sents[0].segment
            speaker = resolve(seg.speaker, self.roster) if seg.speaker else None
            side = self._side(doc, seg.kind, speaker)
            when = (seg.timestamp or "")[:19] if doc.kind != SourceKind.TRANSCRIPT else ""
            for i, s in enumerate(sents):
                group = [s]
                if len(s.text) < _SHORT and i + 1 < len(sents):
                    group.append(sents[i + 1])
                units.append(Unit(group, doc, (when or date, index, s.start), side, speaker))
        return units

    @staticmethod
    def _side(doc: ParsedDocument, kind: SegmentKind, speaker: Person | None) -> str | None:
        if kind in (SegmentKind.TURN, SegmentKind.MESSAGE):
            return speaker.side if speaker else None
        if doc.kind in (SourceKind.CRM_NOTE, SourceKind.DOCUMENT):
            return "vendor"  # the vendor's CRM, proposals, order forms and handoff notes
        return None

    def _competitors(self) -> set[str]:
        """Competitor names: after "also looking at", "Wettbewerber", "Comp:" (strong), or in
        "X came in cheaper" / "X promised" (weak: only a name seen twice, or CamelCase)."""
        people = {fold(a) for p in self.roster for a in p.aliases}
        not_names = {w.lower() for w in load("names.yaml")["not_names"]}
        customer = {p.organisation.split(".")[0].split("-")[0] for p in self.roster
                    if p.side == "customer" and p.organisation}
        systems = systems_regex()
        found: set[str] = set()
        for unit in self.units:
            for n, rx in enumerate(_COMPETITOR_PATTERNS):
                for m in rx.finditer(unit.text):
                    for name in (m.groupdict().get("name"), m.groupdict().get("more")):
                        if not name or len(name) < 3 or name.lower() in not_names:
                            continue
                        if fold(name) in people or fold(name) in self.vendor_names | customer:
                            continue
                        if systems.fullmatch(name):
                            continue
                        if re.search(r"[a-z][A-Z]|\d", name):  # CamelCase: a brand
                            found.add(name)
                        elif not self._common_noun(name) and (
                                n in (0, 3, 4) or self._seen_twice(name)):
                            found.add(name)
        return found

    def _own_systems(self) -> set[str]:
        """In-house systems the customer names ("we call it Atlas Core", "heißt bei uns X")."""
        rx = re.compile(rf"(?i:we\s+call\s+it|called|nennen\s+(?:wir\s+)?(?:es|das|ihn)|"
                        rf"heißt\s+bei\s+uns)\s+(?P<name>{_CAP}(?:\s+{_CAP})?)")
        return {m.group("name") for u in self.units for m in rx.finditer(u.text)
                if u.side != "vendor"}

    def _seen_twice(self, name: str) -> bool:
        """Named in two sentences, and never as a common noun ("in drei Wochen", "die ...")."""
        rx = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
        return sum(1 for u in self.units if len(u.sentences) == 1 and rx.search(u.text)) >= 2

    def _common_noun(self, name: str) -> bool:
        """Used after an article or a number somewhere ("in drei Wochen", "die Zentrale")."""
        noun = re.compile(rf"(?i:\b(?:der|die|das|den|dem|des|ein|eine|einen|einem|einer|the|a|an"
                          rf"|\d+|zwei|drei|vier|fünf|sechs|two|three|four|five|six)\s+)"
                          rf"{re.escape(name)}(?![\w-])")
        return any(noun.search(u.text) for u in self.units)

    # ------------------------------------------------------------------ checks

    def mentions_competitor(self, unit: Unit) -> bool:
        """The unit names a competitor, or speaks of "the competitor"."""
        if self.competitor_regex is not None and self.competitor_regex.search(unit.text):
            return True
        return guard("competitor_words").search(unit.text) is not None

    @staticmethod
    def is_question(unit: Unit) -> bool:
        return unit.sentences[-1].text.rstrip(" \"'”)").endswith("?")

    @staticmethod
    def declines(unit: Unit) -> bool:
        """The unit refuses something. A refusal followed by an explicit counter-offer is not
        one: "I can't do 3%, but I can cap the uplift at 5%" is a promise, while "We don't do
        free pilots, but we'd make the onboarding count" and "I'd love to, but we can't" are
        not."""
        text = guard("decline_exempt").sub(" ", unit.text)
        rest = _CONTRAST.split(text)[-1]
        if rest != text and commitment_cues()["vendor"].search(rest):
            text = rest
        return guard("decline").search(text) is not None

    @staticmethod
    def hypothetical(unit: Unit) -> bool:
        return guard("hypothetical").search(unit.text) is not None

    def refs_match(self, refs: frozenset[str], unit: Unit) -> bool:
        """Whether a ``@systems`` / ``@competitors`` reference occurs in the unit."""
        for ref in refs:
            if ref == SYSTEMS and systems_regex().search(unit.text):
                return True
            if ref == COMPETITORS and self.competitor_regex is not None and \
                    self.competitor_regex.search(unit.text):
                return True
        return False

    def passes_guards(self, spec: FieldSpec, unit: Unit) -> bool:
        """The field's guards: hypothetical, competitor, question, decline."""
        checks = {"hypothetical": self.hypothetical, "competitor": self.mentions_competitor,
                  "question": self.is_question, "decline": self.declines}
        return not any(checks[g](unit) for g in spec.guards if g in checks)

    # ------------------------------------------------------------------ items

    def attributes(self, unit: Unit) -> dict[str, Any]:
        """Who said it and when, for any item."""
        seg = unit.sentences[0].segment
        attrs: dict[str, Any] = {}
        if seg.speaker:
            attrs["said_by"] = unit.speaker.name if unit.speaker else seg.speaker
        if seg.timestamp or unit.order[0]:
            attrs["said_on"] = unit.order[0] if not unit.is_call or not seg.timestamp else (
                f"{doc_date(unit.doc) or unit.doc.filename} {seg.timestamp}".strip())
        return attrs

    def item(self, key: str, unit: Unit, *, value: str | None = None,
             attributes: dict[str, Any] | None = None, confidence: float = 0.5,
             verbal: bool = False, extra: list[Unit] | None = None) -> Item:
        """An item citing ``unit`` (and ``extra`` units) exactly."""
        cites = [unit.citation()] + [u.citation() for u in extra or [] if u is not unit]
        return Item(id="r0", key=key, value=value or unit.flat,
                    attributes={**self.attributes(unit), **(attributes or {})},
                    citations=cites, confidence=confidence, verbal=verbal)

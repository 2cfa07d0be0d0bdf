"""One deal as every step of the brief reads it: sentences with ids, people, values, guards.

Design note. A brief used to re-split sentences and rebuild the roster in every step (rules,
model grounding, merge, conflicts). :class:`DealContext` is built once per brief, in
:func:`build_context`, and handed to the classifier, the model reader, the resolver, gaps and
conflicts. Its sentences are the *evidence* of the deal: primary segments only (no quoted
replies whose original was uploaded, no headers, signatures or hidden text), each with a
position id (what the model answers with), a stable id (file name and offset), its
document's offsets (``doc.text[start:end] == text``, so a citation is exact by
construction), the speaker resolved to a person of the roster, the writer's side, the date
it was said or written, its language, and its typed values (dates resolved against that
date's year).

The guards here (question, decline, hypothetical, competitor, "not known yet") are lexicons
of the kind that generalise: they say how something is said, not which key it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from extractor.language import detect_language
from extractor.quotes import promote_orphan_quotes
from extractor.roster import Person, build_roster, fold, resolve
from extractor.rules.lexicon import commitment_cues, guard, load, systems_regex
from extractor.rules.people import NAME, clean_name
from extractor.sentences import Sentence, primary
from extractor.values import Value, extract_values
from handoff.domain import AlignmentStatus, Citation, ParsedDocument, SegmentKind, SourceKind

_DATE_IN_NAME = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")
_CAP = r"[A-Z][\w&+-]*[a-z][\w&+-]*"
_CONTRACT = re.compile(r"(?i)order[ _-]?form|angebot|proposal|quote|offer|vertrag|contract|"
                       r"\bsow\b|statement of work|auftrag|bestell|\bang-|\bof-")
_CONTRAST = re.compile(r"(?i)[,;]?\s+\b(?:but|however|instead|aber|jedoch|stattdessen|dafür)\b")
_COMPETITOR_PATTERNS = [
    re.compile(rf"(?i:also\s+(?:looking\s+at|evaluating|talking\s+to)|evaluat(?:ing|ed)|"
               rf"talked\s+to|compared\s+(?:with|to)|competitors?|wettbewerber|angebot\s+von|"
               rf"comp|wettbewerb|konkurrenz|alternative[sn]?)\s*[:(-]?\s*"
               rf"(?P<name>{_CAP})(?:\s*(?:,|and|und|&|/|\+)\s*(?P<more>{_CAP}))?"),
    re.compile(rf"(?P<name>{_CAP})\s+(?i:promised|promises|claimed|claims|quoted|offered\s+us|"
               rf"told\s+us|versprach|verspricht|hat\s+(?:uns\s+)?\S+(?:\s+\S+)?\s+versprochen)"),
    re.compile(rf"(?i:bei|with|von)\s+(?P<name>{_CAP})\s+(?i:hieß\s+es|hat\s+man|sagte\s+man|"
               rf"they\s+(?:said|promised|claim)|versprechen|würden\s+wir)"),
]


def doc_date(doc: ParsedDocument) -> str:
    """The document's date as ``YYYY-MM-DD`` when its name or metadata gives one, else ""."""
    m = _DATE_IN_NAME.search(doc.filename)
    if m:
        return "-".join(m.groups())
    for seg in doc.segments:
        if seg.timestamp and _DATE_IN_NAME.match(seg.timestamp):
            return seg.timestamp[:10]
    return ""


def is_contract(doc: ParsedDocument) -> bool:
    """The vendor's order form, proposal, quote or contract (by name or opening words)."""
    return doc.kind == SourceKind.DOCUMENT and bool(
        _CONTRACT.search(doc.filename) or _CONTRACT.search(doc.text[:400]))


def is_question(text: str) -> bool:
    return text.rstrip(" \"'”)").endswith("?")


def hypothetical(text: str) -> bool:
    return guard("hypothetical").search(text) is not None


def says_unknown(text: str) -> bool:
    """Says something is not known or decided yet ("Go-live: TBD", "weiß ich nicht")."""
    return guard("unknown").search(text) is not None


def retracts(text: str) -> bool:
    return guard("retraction").search(text) is not None


def competitor_words(text: str) -> bool:
    """Speaks of "the competitor", "the other vendor", "die Konkurrenz"."""
    return guard("competitor_words").search(text) is not None


def declines(text: str) -> bool:
    """Refuses something. A refusal followed by an explicit counter-offer is not one: "I
    can't do 3%, but I can cap the uplift at 5%" is a promise, while "We don't do free
    pilots, but we'd make the onboarding count" is not."""
    cleaned = guard("decline_exempt").sub(" ", text)
    rest = _CONTRAST.split(cleaned)[-1]
    if rest != cleaned and commitment_cues()["vendor"].search(rest):
        cleaned = rest
    return guard("decline").search(cleaned) is not None


@dataclass(eq=False)
class DealSentence:
    """One sentence of the deal's evidence."""

    id: int                 # position in the deal: what the model answers with
    sentence: Sentence      # text and exact document offsets
    doc: ParsedDocument
    doc_index: int
    speaker: Person | None  # the call speaker or email sender, resolved to the roster
    side: str | None        # "vendor", "customer" or None (see DealContext.set_sides)
    date: str               # when it was said or written ("YYYY-MM-DD...", or "")
    language: str
    values: tuple[Value, ...] = field(default=())

    @property
    def sid(self) -> str:
        """A stable id: the same sentence of the same file keeps it across briefs."""
        return f"{self.doc.filename}#{self.sentence.start}"

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def flat(self) -> str:
        """The text with runs of whitespace collapsed."""
        return " ".join(self.sentence.text.split())

    @property
    def start(self) -> int:
        return self.sentence.start

    @property
    def end(self) -> int:
        return self.sentence.end

    @property
    def source(self) -> str:
        return self.doc.filename

    @property
    def kind(self) -> SourceKind:
        return self.doc.kind

    @property
    def segment_kind(self) -> SegmentKind:
        return self.sentence.segment.kind

    @property
    def is_call(self) -> bool:
        return self.doc.kind == SourceKind.TRANSCRIPT

    @property
    def written_by_vendor(self) -> bool:
        """The vendor's CRM note, proposal or order form, or a vendor person's words."""
        return self.side == "vendor"

    def citation(self) -> Citation:
        """The exact citation of this sentence."""
        return self.sentence.citation()


class DealContext:
    """The parsed deal, built once per brief (see the module docstring)."""

    def __init__(self, documents: list[ParsedDocument]) -> None:
        self.documents = documents
        self.roster = build_roster(documents)
        self.language = detect_language(documents)
        self.sentences: list[DealSentence] = []
        for index, doc in enumerate(documents):
            self._add_sentences(doc, index)
        self._by_doc: dict[int, list[DealSentence]] = {}
        for s in self.sentences:
            self._by_doc.setdefault(s.doc_index, []).append(s)
        vendor_orgs = {p.organisation for p in self.roster if p.vendor and p.organisation}
        self.vendor_names = {o.split(".")[0].split("-")[0] for o in vendor_orgs}

    # ------------------------------------------------------------------ building

    def _add_sentences(self, doc: ParsedDocument, index: int) -> None:
        date = doc_date(doc)
        lang = detect_language([doc])
        for s in primary(doc):
            seg = s.segment
            speaker = resolve(seg.speaker, self.roster) if seg.speaker else None
            side = self._side(doc, seg.kind, speaker)
            when = (seg.timestamp or "")[:19] if doc.kind != SourceKind.TRANSCRIPT else ""
            when = when if _DATE_IN_NAME.match(when) else date
            year = int(when[:4]) if when[:4].isdigit() else None
            self.sentences.append(DealSentence(
                id=len(self.sentences), sentence=s, doc=doc, doc_index=index, speaker=speaker,
                side=side, date=when, language=lang,
                values=tuple(extract_values(s.text, year=year))))

    @staticmethod
    def _side(doc: ParsedDocument, kind: SegmentKind, speaker: Person | None) -> str | None:
        if kind in (SegmentKind.TURN, SegmentKind.MESSAGE):
            return speaker.side if speaker else None
        if doc.kind in (SourceKind.CRM_NOTE, SourceKind.DOCUMENT):
            return "vendor"  # the vendor's CRM, proposals, order forms and handoff notes
        return None

    def set_sides(self, sides: dict[int, str]) -> int:
        """Give speakers whose side no header, address or title told a side (by person id,
        from how they talk: see :func:`extractor.classifier.speaker_sides`); returns how
        many sentences changed."""
        changed = 0
        for s in self.sentences:
            if s.side is None and s.speaker is not None and id(s.speaker) in sides and \
                    s.segment_kind in (SegmentKind.TURN, SegmentKind.MESSAGE):
                s.side = sides[id(s.speaker)]
                changed += 1
        for p in self.roster:
            if p.side is None and id(p) in sides:
                p.side = sides[id(p)]
        return changed

    # ------------------------------------------------------------------ neighbours

    def in_document(self, s: DealSentence) -> list[DealSentence]:
        """The sentences of ``s``'s document, in order."""
        return self._by_doc[s.doc_index]

    def previous(self, s: DealSentence, same_segment: bool = False) -> DealSentence | None:
        """The sentence before ``s`` in its document (or its segment)."""
        prev = self.sentences[s.id - 1] if s.id > 0 else None
        if prev is None or prev.doc_index != s.doc_index:
            return None
        if same_segment and prev.sentence.segment.index != s.sentence.segment.index:
            return None
        return prev

    def following(self, s: DealSentence, same_segment: bool = False) -> DealSentence | None:
        """The sentence after ``s`` in its document (or its segment)."""
        nxt = self.sentences[s.id + 1] if s.id + 1 < len(self.sentences) else None
        if nxt is None or nxt.doc_index != s.doc_index:
            return None
        if same_segment and nxt.sentence.segment.index != s.sentence.segment.index:
            return None
        return nxt

    def document(self, filename: str) -> ParsedDocument | None:
        return next((d for d in self.documents if d.filename == filename), None)

    # ------------------------------------------------------------------ people

    def people_in(self, s: DealSentence) -> list[tuple[Person, int]]:
        """Roster people named in the sentence, with the offset (in the sentence) of each."""
        found: list[tuple[Person, int]] = []
        for m in re.finditer(NAME, s.text):
            person = resolve(clean_name(m.group(0)), self.roster)
            if person is not None and all(p is not person for p, _ in found):
                found.append((person, m.start()))
        return found

    # ------------------------------------------------------------------ guards

    @staticmethod
    def is_question(s: DealSentence) -> bool:
        return is_question(s.text)

    @staticmethod
    def hypothetical(s: DealSentence) -> bool:
        return hypothetical(s.text)

    @staticmethod
    def says_unknown(s: DealSentence) -> bool:
        """The sentence says something is not known or decided yet ("Go-live: TBD")."""
        return says_unknown(s.text)

    @staticmethod
    def retracts(s: DealSentence) -> bool:
        return retracts(s.text)

    @staticmethod
    def declines(s: DealSentence) -> bool:
        return declines(s.text)

    @cached_property
    def competitors(self) -> frozenset[str]:
        """Competitor names: after "also looking at", "Wettbewerber", "Comp:", or in
        "X promised" / "bei X hieß es"; never a person, the vendor or the customer."""
        people = {fold(a) for p in self.roster for a in p.aliases}
        not_names = {w.lower() for w in load("names.yaml")["not_names"]}
        customer = {p.organisation.split(".")[0].split("-")[0] for p in self.roster
                    if p.side == "customer" and p.organisation}
        systems = systems_regex()
        found: set[str] = set()
        for s in self.sentences:
            for rx in _COMPETITOR_PATTERNS:
                for m in rx.finditer(s.text):
                    for name in (m.groupdict().get("name"), m.groupdict().get("more")):
                        if not name or len(name) < 3 or name.lower() in not_names:
                            continue
                        if fold(name) in people or fold(name) in self.vendor_names | customer:
                            continue
                        if not systems.fullmatch(name):
                            found.add(name)
        return frozenset(found)

    @cached_property
    def _competitor_regex(self) -> re.Pattern[str] | None:
        names = sorted(self.competitors, key=len, reverse=True)
        if not names:
            return None
        return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, names))})(?![\w])")

    def mentions_competitor(self, s: DealSentence) -> bool:
        """The sentence names a competitor, or speaks of "the competitor"."""
        rx = self._competitor_regex
        if rx is not None and rx.search(s.text):
            return True
        return competitor_words(s.text)

    def citation(self, s: DealSentence) -> Citation:
        """The exact citation of one sentence."""
        c = s.citation()
        return c.model_copy(update={"alignment": AlignmentStatus.EXACT})


def build_context(documents: list[ParsedDocument]) -> DealContext:
    """The deal context of one brief: orphan quotes promoted, then everything built once."""
    return DealContext(promote_orphan_quotes(documents))

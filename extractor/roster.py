"""Who is who in a deal: the people of all sources, their titles, sides and aliases.

Design note: names come from structured places first (call speakers, Gong participants,
email From/To/Cc, signature blocks), then from text patterns that pair a name with a title
("Anna Keller (Head of Ops)", "Ruth Abernathy, our CFO", "Kevin Osei = Head of IT",
"ich bin Leiterin Operations"). Each person keeps the sentence where the title shows, so a
stakeholder can cite it. People who were only cc'd, and people said to have left, are
marked: they must not become stakeholders. The vendor side is inferred from CRM note
authors (the CRM is the vendor's), Gong affiliations and vendor-ish titles, and spreads to
everyone sharing their email domain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import getaddresses

from extractor.rules.people import (
    HONORIFIC,
    LEADS,
    LEFT,
    MENTION_PATTERNS,
    NAME,
    SELF_INTRO,
    TITLE,
    clean_name,
    clean_title,
    fold,
    is_vendor_title,
    lead_title,
    looks_like_name,
    strip_honorific,
)
from extractor.sentences import Sentence, segment_sentences
from handoff.domain import ParsedDocument, SegmentKind

__all__ = ["NAME", "TITLE", "Person", "build_roster", "clean_name", "fold", "resolve"]

@dataclass
class Person:
    """One person of the deal, merged across sources."""

    name: str
    title: str | None = None
    titles: list[str] = field(default_factory=list)  # every way the title was written
    email: str | None = None
    organisation: str | None = None
    side: str | None = None  # "vendor", "customer" or None when unknown
    sources: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    seen_as: set[str] = field(default_factory=set)  # speaker, from, to, cc, signature, ...
    left: bool = False
    title_at: Sentence | None = None
    evidence: list[Sentence] = field(default_factory=list)

    @property
    def cc_only(self) -> bool:
        """Only ever cc'd on an email: never spoke, wrote or was described."""
        return bool(self.seen_as) and self.seen_as <= {"cc"}

    @property
    def vendor(self) -> bool:
        """One of the vendor's own people (sales, SE, CSM)."""
        return self.side == "vendor"

    @property
    def can_be_stakeholder(self) -> bool:
        """A customer-side person who is still there and took part."""
        return not (self.left or self.cc_only or self.side == "vendor")

    def refresh_aliases(self) -> None:
        """Recompute aliases from the name: first, last, honorific + last, "First L."."""
        parts = self.name.split()
        self.aliases.add(self.name)
        if len(parts) >= 2:
            first, last = parts[0], parts[-1]
            self.aliases |= {first, last, f"{first} {last[0]}.", f"{first} {last[0]}"}
            self.aliases |= {f"{h} {last}" for h in ("Herr", "Frau", "Mr", "Ms", "Mrs", "Dr")}
            self.aliases.add("".join(p[0] for p in parts).upper())


class _Builder:
    def __init__(self) -> None:
        self.people: list[Person] = []
        self.ours: list[tuple[Person, str]] = []  # ("our CFO" person, who said it)

    def add(self, name: str, source: str, how: str, *, title: str | None = None,
            at: Sentence | None = None, email: str | None = None,
            known_only: bool = False) -> Person | None:
        """Add or merge a person; ``known_only`` drops an unknown bare surname."""
        honorific = HONORIFIC.match(name.strip(" *")) is not None
        name = clean_name(name)
        if not looks_like_name(name):
            return None
        person = resolve(name, self.people)
        if person is None and known_only and len(name.split()) == 1 and not honorific:
            return None
        if person is None:
            person = Person(name=name)
            self.people.append(person)
        elif len(name.split()) > len(person.name.split()):
            person.name = name  # "Hollmann" seen first, "Katrin Hollmann" now
        person.refresh_aliases()
        person.sources.add(source)
        person.seen_as.add(how)
        if email and not person.email:
            person.email = email.lower()
            person.organisation = email.rpartition("@")[2].lower()
        if title:
            cleaned = clean_title(title)
            if cleaned and cleaned not in person.titles:
                person.titles.append(cleaned)
            if person.title is None or (at is not None and person.title_at is None) or (
                    at is not None and len(cleaned) > len(person.title) + 4):
                person.title = cleaned  # the fullest title wins ("Engineering Manager")
                person.title_at = at or person.title_at
        if at is not None and at not in person.evidence:
            person.evidence.append(at)
        return person


def _from_headers(b: _Builder, doc: ParsedDocument) -> None:
    for seg in doc.segments:
        if seg.kind != SegmentKind.HEADER:
            continue
        for header, how in (("From", "from"), ("To", "to"), ("Cc", "cc")):
            for name, addr in getaddresses([seg.meta.get(header, "")]):
                if name:
                    b.add(name, doc.filename, how, email=addr or None)


def _from_signatures(b: _Builder, doc: ParsedDocument) -> None:
    for seg in doc.segments:
        if seg.kind != SegmentKind.SIGNATURE or seg.hidden:
            continue
        lines = [s for s in segment_sentences(doc, seg) if s.text.strip()]
        for i, line in enumerate(lines[:-1]):
            name = line.text.strip(" *")
            if looks_like_name(clean_name(name)) and re.search(r"\w\s+\w", name):
                nxt = lines[i + 1]
                title = re.match(rf"\s*(?:{TITLE})", nxt.text)
                b.add(name, doc.filename, "signature", known_only=True,
                      title=title.group(0) if title else None, at=nxt if title else None)
                break


def _from_turns_and_text(b: _Builder, doc: ParsedDocument) -> None:
    for seg in doc.segments:
        if seg.hidden or seg.kind in (SegmentKind.QUOTED, SegmentKind.HEADER,
                                      SegmentKind.SIGNATURE):
            continue
        sents = segment_sentences(doc, seg)
        participant = seg.meta.get("section") == "participants"
        if seg.speaker and (seg.kind == SegmentKind.TURN or participant):
            person = b.add(seg.speaker, doc.filename, "participant" if participant else "speaker",
                           title=seg.speaker_title, at=sents[0] if participant and sents else None,
                           email=seg.meta.get("email") or None)
            if person and participant:
                aff = seg.meta.get("affiliation", "").lower()
                person.side = {"internal": "vendor", "external": "customer"}.get(aff, person.side)
            if person and seg.kind == SegmentKind.TURN:
                for s in sents:
                    m = SELF_INTRO.search(s.text)
                    lead = LEADS.search(s.text)
                    if m and (not m.group("name") or resolve(m.group("name"), [person])):
                        b.add(person.name, doc.filename, "speaker", title=m.group("title"), at=s)
                    elif lead and not lead.group("name") and lead_title(lead):
                        b.add(person.name, doc.filename, "speaker", title=lead_title(lead), at=s)
        elif seg.speaker and seg.kind == SegmentKind.NOTE:
            b.add(seg.speaker, doc.filename, "note_author")
        for s in sents:
            for lead in LEADS.finditer(s.text):
                if lead.group("name") and lead_title(lead):
                    b.add(lead.group("name"), doc.filename, "mention", title=lead_title(lead),
                          at=s, known_only=True)
            for rx in MENTION_PATTERNS:
                for m in rx.finditer(s.text):
                    person = b.add(m.group("name"), doc.filename, "mention",
                                   title=m.group("title"), at=s, known_only=True)
                    spoken = seg.kind in (SegmentKind.TURN, SegmentKind.MESSAGE)
                    if person and spoken and seg.speaker and re.search(r"(?i)\b(?:our|unser)",
                                                                       m.group(0)):
                        b.ours.append((person, seg.speaker))


def _mark_left(b: _Builder, docs: list[ParsedDocument]) -> None:
    """Mark people said to have left; a full name not yet known is added as left."""
    for doc in docs:
        for seg in doc.segments:
            if seg.hidden or seg.kind in (SegmentKind.QUOTED, SegmentKind.HEADER):
                continue
            prev = ""
            for s in segment_sentences(doc, seg):
                window = f"{prev} {s.text}"  # "It was Marco de Vries. He left in January."
                for cue in LEFT.finditer(s.text):
                    at = len(prev) + 1 + cue.start()
                    person = _nearest_person(window, at, b.people)
                    if person is None:
                        name = _nearest_name(window, at)
                        person = b.add(name, doc.filename, "mention") if name else None
                    if person is not None:
                        person.left = True
                        person.evidence.append(s)
                prev = s.text


def _distance(m: re.Match[str], at: int) -> int:
    return at - m.end() if m.end() <= at else (m.start() - at) * 2


def _nearest_name(text: str, at: int) -> str | None:
    """The closest two-word name to offset ``at`` (within 60 characters)."""
    found = [(_distance(m, at), clean_name(m.group(0))) for m in re.finditer(NAME, text)]
    found = [(d, n) for d, n in found if d <= 60 and len(n.split()) >= 2 and looks_like_name(n)]
    return min(found)[1] if found else None


def _nearest_person(text: str, at: int, people: list[Person]) -> Person | None:
    best: tuple[int, Person] | None = None
    for m in re.finditer(NAME, text):
        person = resolve(clean_name(m.group(0)), people)
        dist = _distance(m, at)
        if person is not None and dist <= 60 and (best is None or dist < best[0]):
            best = (dist, person)
    return best[1] if best else None


def _vendor_speakers(b: _Builder, docs: list[ParsedDocument], names: set[str]) -> None:
    """Speakers who place themselves at the vendor ("ich betreue bei Flowbase")."""
    if not names:
        return
    vendor = "|".join(re.escape(n) for n in names)
    at_vendor = re.compile(
        rf"(?i)\b(?:I'm|I\s+am|ich\s+bin|ich\s+betreue|ich\s+arbeite|my\s+name|mein\s+name|"
        rf"we|wir|here|hier)\b[^.?!]{{0,60}}?\b(?:bei|at|from|von|with)\s+(?:{vendor})\b")
    us = re.compile(r"(?i)\b(?:von\s+uns|on\s+our\s+side|from\s+our\s+side|us:)")
    for doc in docs:
        for seg in doc.segments:
            if seg.kind == SegmentKind.TURN and seg.speaker and at_vendor.search(
                    doc.text[seg.start:seg.end]):
                person = resolve(seg.speaker, b.people)
                if person is not None and person.side is None:
                    person.side = "vendor"
            if seg.kind == SegmentKind.NOTE:
                for s in segment_sentences(doc, seg):
                    for m in us.finditer(s.text):
                        near = _nearest_person(s.text, m.start(), b.people)
                        if near is not None:
                            near.side = "vendor"


def _infer_sides(b: _Builder, docs: list[ParsedDocument]) -> None:
    """Vendor = CRM note authors, Gong "internal" parties, vendor titles, their domain."""
    vendor_domains: set[str] = set()
    for p in b.people:
        if p.side == "vendor" or "note_author" in p.seen_as or (
                p.title and is_vendor_title(p.title)):
            p.side = "vendor"
            if p.organisation:
                vendor_domains.add(p.organisation)
    _vendor_speakers(b, docs, {d.split(".")[0] for d in vendor_domains if len(d) > 4})
    others = [p.organisation for p in b.people if p.organisation and
              p.organisation not in vendor_domains]
    customer = max(set(others), key=others.count) if others else None
    for p in b.people:  # an email address is the strongest evidence of a side
        if p.organisation in vendor_domains:
            p.side = "vendor"
        elif p.organisation and vendor_domains:
            p.side = "customer" if p.organisation == customer else "other"
    for person, speaker in b.ours:  # "our CFO" takes the speaker's side
        said_by = resolve(speaker, b.people)
        if person.side is None and said_by is not None and said_by.side:
            person.side = said_by.side


def build_roster(docs: list[ParsedDocument]) -> list[Person]:
    """Everyone named in ``docs``, merged across sources.

    Args:
        docs: the parsed sources of one deal.

    Returns:
        People with title (and where it shows), email, organisation, side, sources,
        aliases, and the ``left`` / ``cc_only`` marks.
    """
    b = _Builder()
    for doc in docs:
        _from_headers(b, doc)
        _from_signatures(b, doc)
    for doc in docs:
        _from_turns_and_text(b, doc)
    _mark_left(b, docs)
    _infer_sides(b, docs)
    return b.people


def _same_person(a: list[str], b: list[str]) -> bool:
    """Folded name tokens that can name one person: same surname, compatible first names."""
    if a[-1] != b[-1]:
        return False
    return len(a) == 1 or len(b) == 1 or a[0].startswith(b[0]) or b[0].startswith(a[0])


def resolve(name_or_alias: str, roster: list[Person]) -> Person | None:
    """The person a name, surname, first name or "Frau Keller" refers to, if unambiguous.

    Args:
        name_or_alias: a full name or an alias as written in a source ("Greg" finds
            "Gregory Vance", "Bruenjes" finds "Hendrik Brünjes").
        roster: the deal's people.

    Returns:
        The person, or None when nobody (or more than one person) matches.
    """
    raw = name_or_alias.strip(" *\"'.,")
    honorific = HONORIFIC.match(raw) is not None
    key = fold(strip_honorific(raw))
    if not key:
        return None
    tokens = key.split()
    tests: tuple[Callable[[Person], bool], ...] = (
        lambda p: fold(p.name) == key,
        lambda p: key in {fold(a) for a in p.aliases},
        lambda p: _same_person(tokens, fold(p.name).split()),
        lambda p: (len(tokens) == 1 and not honorific and len(key) >= 3
                   and fold(p.name).split()[0].startswith(key)),
    )
    for test in tests:
        pool = {id(p): p for p in roster if test(p)}
        if len(pool) == 1:
            return next(iter(pool.values()))
        if len(pool) > 1:
            return None
    return None

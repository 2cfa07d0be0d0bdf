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
import unicodedata
from dataclasses import dataclass, field
from email.utils import getaddresses
from functools import cache
from pathlib import Path

import yaml

from extractor.sentences import Sentence, segment_sentences
from handoff.domain import ParsedDocument, SegmentKind

# The lexicon lives with the other rules data; read it by path so that importing the roster
# does not import the rules package (which imports the roster).
_RULES_DIR = Path(__file__).with_name("rules")
HONORIFIC = re.compile(r"^(?:Herrn?|Frau|Mr\.?|Ms\.?|Mrs\.?|Dr\.?|Prof\.?)\s+")
_TOKEN = (r"(?:[A-ZÄÖÜÉ][a-zäöüßéèáíóúñçø]+(?:['’-][A-ZÄÖÜa-zäöüß][a-zäöüßéè]+)?"
          r"|[A-Z]['’][A-Z][a-z]+)")
NAME = (rf"(?<![\w-])(?:(?:Herrn?|Frau|Mr\.?|Ms\.?|Mrs\.?|Dr\.?)[ \t]+)?{_TOKEN}"
        rf"(?:[ \t]+(?:(?:van|von|de|der|den|da|di|du|ter|zu|la|le)[ \t]+)*{_TOKEN}){{0,2}}"
        r"(?![\w-])")



def fold(text: str) -> str:
    """Compare names loosely: case, umlauts ("ü" = "ue"), accents and spacing ignored."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def strip_honorific(name: str) -> str:
    """ "Frau Keller" -> "Keller"."""
    return HONORIFIC.sub("", name.strip())


def clean_name(name: str) -> str:
    """Drop leading and trailing words that are not part of a name ("Met Maya C." -> ...)."""
    tokens = name.strip(" *\"'").split()
    inner = [i for i, t in enumerate(tokens) if HONORIFIC.match(t + " ")]
    tokens = tokens[inner[-1] + 1:] if inner else tokens
    while tokens and tokens[0].lower().strip(",.:;!") in _stop():
        tokens.pop(0)
    while tokens and tokens[-1].lower().strip(".") in _stop():
        tokens.pop()
    return " ".join(tokens)


def looks_like_name(name: str) -> bool:
    """One to four capitalized words, none of them a common non-name word."""
    tokens = name.split()
    return 1 <= len(tokens) <= 4 and all(
        t[0].isupper() and t.lower() not in _stop() and t.lower() not in _title_words()
        and re.search(r"[a-zäöüß]", t) and not _COMPOUND_TITLE.search(t)
        for t in tokens if t.lower() not in ("van", "von", "de", "der", "den", "da", "di", "du",
                                             "ter", "zu", "la", "le")
    )


@cache
def _lexicon() -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name in ("titles.yaml", "names.yaml"):
        loaded = yaml.safe_load((_RULES_DIR / name).read_text(encoding="utf-8"))
        data.update({k: [str(v) for v in vals] for k, vals in loaded.items()})
    return data


@cache
def _stop() -> frozenset[str]:
    return frozenset(w.lower() for w in _lexicon()["not_names"])


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _title_regex() -> str:
    lx = _lexicon()
    domain = (rf"(?:(?i:{_alt(lx['domain_words'])})\b|[A-Z]{{2,4}}\b"
              rf"|[A-ZÄÖÜ][a-zäöü]+(?:ions?|ment|ing|ics|ance|ware)\b)")
    word = rf"(?:{domain}|[A-ZÄÖÜ][a-zäöüß]+\b)"  # any capitalized word may name a department
    joined = rf"{word}(?:[ \t]+(?:&|and|und|/)[ \t]+{word})?"
    mods = rf"(?:(?:{_alt(lx['modifiers'])})[ \t]+)*"
    head = (rf"(?:{_alt(lx['head_words'])})(?:[ \t]+(?i:of|für|der|des|for))?(?:[ \t]+the)?"
            rf"[ \t]+{word}(?:[ \t]+(?:(?:&|and|und|/)[ \t]+)?{domain}){{0,3}}")
    tail = rf"(?:{joined}[ \t-]+){{0,3}}(?i:{_alt(lx['tail_words'])})\b"
    tail_q = rf"(?:{joined}[ \t-]+){{1,3}}(?i:{_alt(lx['tail_words_qualified'])})\b"
    department = r"[A-ZÄÖÜ][a-zäöüß]*(?:ung|ion|ik|ienst|ienste|ransport|esen|ager|erk|bau|handel)"
    compound = (rf"[A-ZÄÖÜ][\wäöüß]*-?(?i:{_alt(lx['compound_suffixes'])})\b"
                rf"(?:[ \t]+{department}\b)?")
    alone = rf"(?:{_alt(lx['standalone'])})\b"
    return rf"{mods}(?:{head}|{tail_q}|{tail}|{compound}|{alone})"


@cache
def _title_words() -> frozenset[str]:
    lx = _lexicon()
    words = [*lx["head_words"], *lx["tail_words"], *lx["tail_words_qualified"],
             *lx["standalone"], *lx["domain_words"]]
    return frozenset(w.lower().rstrip(".") for w in words if " " not in w)


TITLE = _title_regex()
_COMPOUND_TITLE = re.compile(rf"(?i)(?:{_alt(_lexicon()['compound_suffixes'])})$")
_VENDOR_TITLE = re.compile(rf"(?i)\b(?:{_alt(_lexicon()['vendor_titles'])})\b")


def is_vendor_title(title: str) -> bool:
    """Whether a title belongs to the vendor's own team (AE, SE, CSM ...)."""
    return _VENDOR_TITLE.search(title) is not None


_LEFT = re.compile(
    r"(?i)\b(?:left\s+(?:the\s+)?(?:company|co\b|us\b|the\s+business)|has\s+left|"
    r"is\s+no\s+longer|no\s+longer\s+(?:with|at|works?)|moved\s+on|departed|"
    r"former(?:ly)?\b|prev(?:ious)?\.?\s+contact|ex-(?:c[efiot]o|head|vp|director|leiter\w*|geschäftsführer\w*)\b|do\s+not\s+contact|"
    r"verlassen|nicht\s+mehr\s+(?:bei\s+uns|da|im\s+haus|an\s*zuschreiben|anschreiben|dabei)|"
    r"ausgeschieden|ehem\.|ehemalige[rn]?|früher(?:e[rn]?)?\s+(?:it-)?leiter|weg,|"
    r"(?:he|she|they)\s+(?:has\s+|had\s+)?left\s+(?:in|last|at\s+the\s+end|for|to\s+join|recently"
    r"|the\s+company|the\s+business|us)\b|left\s+(?:in\s+|last\s+|at\s+the"
    r"\s+end\s+of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|month|year|week)\w*)"
)
_MENTION_PATTERNS = [
    # "Anna Keller (Head of Ops)", "Wessels (IT-Leiter)"
    re.compile(rf"(?P<name>{NAME})\s*\((?:[^()]*?\b)?(?P<title>{TITLE})[^()]*\)"),
    # "Ruth Abernathy, our CFO", "**Frank Albers**, Kaufm. Leiter"
    re.compile(rf"(?P<name>{NAME})\**\s*[,–—-]\s*(?:(?i:our|the|unser(?:e|er)?|die|der|ihr(?:e)?)"
               rf"\s+)?(?:(?i:new|neue[r]?|current)\s+)?(?P<title>{TITLE})"),
    # "Kevin Osei = Head of IT", "Timo Wessels ist jetzt IT-Leiter", "Greg's the COO"
    re.compile(rf"(?P<name>{NAME})(?:['’]s(?=\s+(?:the|our|a|now)\b)"
               rf"|\s+(?i:is|ist|=|as|als|wird))\s+"
               rf"(?:(?i:now|jetzt|neu|our|unser(?:e|er)?|the|der|die|seit\s+\w+)\s+)*"
               rf"(?P<title>{TITLE})"),
    # "unser Geschäftsführer, Herr Brünjes", "our CFO Ruth Abernathy"
    re.compile(rf"(?i:our|unser(?:e|er)?|the|die|der)\s+(?P<title>{TITLE}),?\s+"
               rf"(?P<name>{NAME})"),
]
_DEPARTMENT = (r"(?:(?i:the|our|die|den|das|unsere?)\s+)?(?P<dept>[\w&/-]+(?:[ \t]+[\w&/-]+){0,5}?)"
               r"(?=\s*(?:[,.;:!?)]|$|\s(?:at|for|in|bei|für|seit|since|also|and\s+I|und\s+ich)\b))")
_LEADS = re.compile(
    rf"(?:(?P<name>{NAME})\s+(?i:runs|heads|leads|manages|leitet|verantwortet)"
    rf"|(?i:\bI\s+(?:run|head|lead|manage)|\bich\s+(?:leite|verantworte))(?:\s+(?i:bei\s+uns|here))?)"
    rf"\s+{_DEPARTMENT}"
)
_SELF_INTRO = re.compile(
    rf"(?i:\bI'm|\bI\s+am|\bich\s+bin|\bmy\s+role\s+is|\bI\s+work\s+as|\bich\s+arbeite\s+als)"
    rf"\s+(?:(?i:the|a|an|die|der|hier|jetzt|seit\s+\w+)\s+)*(?:(?P<name>{NAME}),?\s+)?"
    rf"(?:(?i:the|a|an|die|der)\s+)?(?P<title>{TITLE})"
)


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
            cleaned = _clean_title(title)
            if cleaned and cleaned not in person.titles:
                person.titles.append(cleaned)
            if person.title is None or (at is not None and person.title_at is None) or (
                    at is not None and len(cleaned) > len(person.title) + 4):
                person.title = cleaned  # the fullest title wins ("Engineering Manager")
                person.title_at = at or person.title_at
        if at is not None and at not in person.evidence:
            person.evidence.append(at)
        return person


def _clean_title(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip(" ,.;:-–*")


def _lead_title(m: re.Match[str]) -> str | None:
    """ "I run business systems" -> "Head of business systems" ("ich leite" -> "Leitung")."""
    dept = m.group("dept")
    if dept.split()[0].lower() in {"this", "it", "that", "the", "a", "an", "das", "es", "dies",
                                   "ein", "eine", "things", "everything", "alles", "with"}:
        return None
    german = re.search(r"(?i)\b(?:leite|leitet|verantworte|verantwortet)\b", m.group(0))
    return f"Leitung {dept}" if german else f"Head of {dept}"


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
                    m = _SELF_INTRO.search(s.text)
                    lead = _LEADS.search(s.text)
                    if m and (not m.group("name") or resolve(m.group("name"), [person])):
                        b.add(person.name, doc.filename, "speaker", title=m.group("title"), at=s)
                    elif lead and not lead.group("name") and _lead_title(lead):
                        b.add(person.name, doc.filename, "speaker", title=_lead_title(lead), at=s)
        elif seg.speaker and seg.kind == SegmentKind.NOTE:
            b.add(seg.speaker, doc.filename, "note_author")
        for s in sents:
            for lead in _LEADS.finditer(s.text):
                if lead.group("name") and _lead_title(lead):
                    b.add(lead.group("name"), doc.filename, "mention", title=_lead_title(lead),
                          at=s, known_only=True)
            for rx in _MENTION_PATTERNS:
                for m in rx.finditer(s.text):
                    person = b.add(m.group("name"), doc.filename, "mention",
                                   title=m.group("title"), at=s, known_only=True)
                    if person and seg.speaker and re.search(r"(?i)\b(?:our|unser)", m.group(0)):
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
                for cue in _LEFT.finditer(s.text):
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
    tests = (
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

"""Conflicts: sources that disagree, and promises beyond the vendor's standard offering.

Design note. Conflicts are found in code over every sentence of the deal's own text (quoted
replies, signatures and hidden HTML excluded), not only over extracted items, because the
other side of a disagreement (the order form's "ten weeks") is often not an item. Each
sentence is tagged with topics (go-live, start, price, seats, tier, training, discount) by
cue words in English and German and with typed values (:mod:`extractor.values`). Two
different sources giving different values on one topic are a conflict; so is a promise
(a sentence with a commitment cue) that goes beyond ``offering.yaml``: fewer implementation
weeks than the minimum, a premium-tier service on the standard tier, a custom integration
sold as native, a roadmap item sold as available, more training than included. Each conflict
quotes both sides exactly; the offering side cites ``offering.yaml``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from extractor.sentences import Sentence, sentences
from extractor.values import Value, extract_values
from handoff.domain import (
    AlignmentStatus,
    Citation,
    Conflict,
    ConflictKind,
    Item,
    Offering,
    ParsedDocument,
    SegmentKind,
)

_TOPICS: dict[str, re.Pattern[str]] = {
    "go_live": re.compile(r"go[- ]?live|\blive\b|launch|implementation|implementierung|"
                          r"einführung|rollout|roll-out|produktiv|onboarding", re.I),
    "start": re.compile(r"kick[- ]?off|project start|projektstart|\bstart|beginn", re.I),
    "price": re.compile(r"price|pricing|contract value|total|annual|per year|subscription|"
                        r"\bacv\b|\barr\b|preis|vertragswert|jahresgebühr|lizenzkosten|"
                        r"gesamt|pro jahr|jährlich", re.I),
    "seats": re.compile(r"\b(?:users?|seats?|licen[cs]es?|nutzer|lizenzen|anwender)\b", re.I),
    "training": re.compile(r"training|schulung|workshop", re.I),
    "discount": re.compile(r"discount|rabatt|nachlass", re.I),
}
_VALUE_FOR_TOPIC = {"go_live": ("duration", "date"), "start": ("date",), "price": ("money",),
                    "seats": ("count",), "training": ("count",), "discount": ("percent",)}
_PROMISE = re.compile(
    r"\bwe(?:'ll| will| can| guarantee| promise)|\byou(?:'ll| will) (?:have|get|be)|"
    r"\bi(?:'ll| will| can) (?:make sure|promise|guarantee|get you)|\bpromise|guarantee|"
    r"\bincluded\b|\bincludes?\b|no extra cost|out of the box|\bnative(?:ly)?\b|"
    r"\bwir (?:garantieren|sichern|schaffen|liefern|stellen|werden|können)|zugesagt|"
    r"\bsagen? (?:wir|ich) zu|bekommen sie|kriegen sie|\binklusive\b|garantiert|"
    r"versprech|ohne aufpreis|\bnativ\b|im standard enthalten|standardschnittstelle",
    re.I)
_DECLINE = re.compile(
    r"\b(?:can(?:no|')t|cannot|won't|not able|not possible|not part of|don't offer|"
    r"do not offer|not included|isn't included|no longer|off the table|declined?|"
    r"leider nicht|nicht möglich|können wir nicht|nicht anbieten|nicht enthalten|"
    r"nicht inklusive|nicht im standard|abgelehnt|zurückgezogen|doch nicht)\b", re.I)
_HYPOTHETICAL = re.compile(r"\b(?:if we ever|hypothetically|would you|falls wir|wenn wir "
                           r"irgendwann|angenommen)\b", re.I)
_NATIVE = re.compile(r"\bnative(?:ly)?\b|out of the box|standard (?:connector|integration)|"
                     r"\bnativ\b|standardschnittstelle|standard-schnittstelle|im standard|"
                     r"\bincluded\b|\binklusive\b|no extra cost|ohne aufpreis", re.I)
_PREMIUM_HINTS = {
    "dedicated": re.compile(r"dedicated (?:csm|customer success)|own csm|named csm|"
                            r"eigene[nr]? (?:csm|customer success)|persönliche[nr]? "
                            r"ansprechpartner|feste[nr]? ansprechpartner|dediziert", re.I),
    "24/7": re.compile(r"24\s*/\s*7|24x7|round the clock|rund um die uhr", re.I),
    "1h": re.compile(r"\b(?:1|one|eine[rn]?)\s*(?:h\b|hour|stunde)", re.I),
}
OFFERING_FILE = "offering.yaml"


@dataclass(frozen=True)
class _Claim:
    topic: str
    value: Value
    sentence: Sentence

    @property
    def key(self) -> str:
        v = self.value
        if v.kind == "duration" and v.days is not None:
            return f"{round(v.days / 7, 1)}w"
        if v.kind == "date":
            return v.iso or str(v.value)
        return f"{v.value}{v.unit}"


def _cite(s: Sentence) -> Citation:
    seg = s.segment
    return Citation(source=s.filename, quote=s.text, start=s.start, end=s.end,
                    segment_index=seg.index, locator=seg.locator, speaker=seg.speaker,
                    timestamp=seg.timestamp, alignment=AlignmentStatus.EXACT)


def _offering_cite(text: str) -> Citation:
    return Citation(source=OFFERING_FILE, quote=text, locator=OFFERING_FILE,
                    alignment=AlignmentStatus.EXACT)


def _cid(*parts: str) -> str:
    return "C" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:7]


def own_sentences(docs: list[ParsedDocument]) -> list[Sentence]:
    """Sentences a party actually wrote or said: no quotes, headers, signatures, hidden text."""
    skip = {SegmentKind.QUOTED, SegmentKind.HEADER, SegmentKind.SIGNATURE}
    return [s for d in docs for s in sentences(d)
            if s.segment.kind not in skip and not s.segment.hidden]


def _usable(text: str) -> bool:
    return not (_DECLINE.search(text) or _HYPOTHETICAL.search(text)
                or text.rstrip().endswith("?"))


def _claims(sents: list[Sentence]) -> list[_Claim]:
    out = []
    for s in sents:
        if not _usable(s.text):
            continue
        values = extract_values(s.text)
        for topic, cue in _TOPICS.items():
            if not cue.search(s.text):
                continue
            for v in values:
                if v.kind in _VALUE_FOR_TOPIC[topic] and _unit_fits(topic, v):
                    out.append(_Claim(topic, v, s))
    return out


_COUNT_UNITS = {"seats": {"users", "seats", "licenses"}, "training": {"sessions"}}


def _unit_fits(topic: str, v: Value) -> bool:
    units = _COUNT_UNITS.get(topic)
    return v.kind != "count" or units is None or v.unit in units


_TOPIC_LABEL = {
    "en": {"go_live": "go-live / implementation time", "start": "start date", "price": "price",
           "seats": "number of users", "training": "training", "discount": "discount"},
    "de": {"go_live": "Go-Live / Implementierungsdauer", "start": "Starttermin", "price": "Preis",
           "seats": "Anzahl Nutzer", "training": "Schulungen", "discount": "Rabatt"},
}
_TEXT = {
    "en": {
        "disagree": 'Sources disagree on {topic}: "{a}" ({fa}) vs "{b}" ({fb})',
        "weeks": 'Promised "{value}" for go-live; the standard implementation takes {lo}-{hi} '
                 "weeks",
        "tier": 'Promised "{value}", which is part of the {tier} tier, not the standard offering',
        "integration": "{system} integration promised as standard/native; it is a custom "
                       "integration that needs paid development",
        "roadmap": 'Roadmap item "{feature}" promised, but it is not available yet',
        "training": "Promised {value}; {n} training sessions are included",
    },
    "de": {
        "disagree": 'Quellen widersprechen sich bei {topic}: „{a}" ({fa}) vs. „{b}" ({fb})',
        "weeks": 'Zugesagt: „{value}" bis zum Go-Live; die Standard-Implementierung dauert '
                 "{lo}-{hi} Wochen",
        "tier": 'Zugesagt: „{value}" – gehört zum {tier}-Paket, nicht zum Standardangebot',
        "integration": "{system}-Integration als Standard/nativ zugesagt; sie ist eine "
                       "kostenpflichtige Individualentwicklung",
        "roadmap": 'Roadmap-Funktion „{feature}" zugesagt, ist aber noch nicht verfügbar',
        "training": "Zugesagt: {value}; im Standard sind {n} Schulungen enthalten",
    },
}


def _months(v: Value) -> set[int] | None:
    """The months a date value can mean (None when unknown): "08" and "08-01" share August."""
    text = str(v.value)
    q = re.search(r"Q([1-4])", text)
    if q:
        first = 3 * int(q.group(1)) - 2
        return {first, first + 1, first + 2}
    m = re.search(r"(?:^|\s|\d{4}-)(\d{2})(?:-\d{2})?$", text)
    return {int(m.group(1))} if m else None


def _day_precise(v: Value) -> bool:
    return bool(re.search(r"\d{2}-\d{2}$", str(v.value)))


def _compatible(a: _Claim, b: _Claim) -> bool:
    """Values that can both be true: a month and a day in it, a quarter and a month in it."""
    if a.value.kind != "date" or b.value.kind != "date":
        return False
    ma, mb = _months(a.value), _months(b.value)
    if ma is None or mb is None:
        return True  # e.g. a calendar week against a month: too vague to call a conflict
    if not ma & mb:
        return False
    return not (_day_precise(a.value) and _day_precise(b.value))


def disagreements(sents: list[Sentence], lang: str = "en") -> list[Conflict]:
    """Two sources stating different values for the same topic."""
    by_topic: dict[tuple[str, str], dict[str, _Claim]] = {}
    for c in _claims(sents):
        unit_kind = "duration" if c.value.kind == "duration" else c.value.kind
        by_topic.setdefault((c.topic, unit_kind), {}).setdefault(
            f"{c.sentence.filename}|{c.key}", c)
    conflicts = []
    for (topic, _kind), claims in by_topic.items():
        values = list(claims.values())
        done: set[tuple[str, str]] = set()
        for i, a in enumerate(values):
            for b in values[i + 1:]:
                if (a.sentence.filename == b.sentence.filename or a.key == b.key
                        or _compatible(a, b)):
                    continue
                pair = (a.key, b.key) if a.key < b.key else (b.key, a.key)
                if pair in done:
                    continue
                done.add(pair)
                desc = _TEXT[lang]["disagree"].format(
                    topic=_TOPIC_LABEL[lang][topic], a=a.value.text, fa=a.sentence.filename,
                    b=b.value.text, fb=b.sentence.filename)
                conflicts.append(Conflict(
                    id=_cid(topic, a.sentence.filename, a.key, b.sentence.filename, b.key),
                    kind=ConflictKind.SOURCES_DISAGREE, topic=topic, description=desc,
                    sides=[_cite(a.sentence), _cite(b.sentence)]))
    return conflicts


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"\w+", name.lower()) if len(w) >= 3]


def beyond_offering(sents: list[Sentence], offering: Offering,
                    lang: str = "en") -> list[Conflict]:
    """Promises that go beyond what CS can deliver without special approval."""
    out: list[Conflict] = []
    text_of = _TEXT[lang]
    weeks = offering.implementation_weeks or {}
    min_weeks = weeks.get("min")
    tiers = {t.name.lower(): t for t in offering.support_tiers}
    premium_only: list[str] = []
    if len(offering.support_tiers) >= 2:
        base = {x.lower() for x in offering.support_tiers[0].includes}
        premium_only = [x for t in offering.support_tiers[1:] for x in t.includes
                        if x.lower() not in base]
    custom = offering.integrations.get("custom", []) if offering.integrations else []
    custom = [str(x) for x in custom] if isinstance(custom, list) else []
    sessions = offering.training.get("included_sessions") if offering.training else None
    bought_premium = any(re.search(r"\bpremium\b", s.text, re.I) and not _DECLINE.search(s.text)
                         for s in sents if s.segment.kind != SegmentKind.TURN)
    for s in sents:
        text = s.text
        if not _usable(text) or not _PROMISE.search(text):
            continue
        values = extract_values(text)
        if min_weeks and _TOPICS["go_live"].search(text):
            for v in values:
                if v.kind == "duration" and v.days is not None and v.days / 7 < float(min_weeks):
                    out.append(_conflict("implementation_weeks", s,
                                         text_of["weeks"].format(
                                             value=v.text, lo=_num(min_weeks),
                                             hi=_num(weeks.get("max", min_weeks))),
                                         f"implementation_weeks: min {min_weeks}, max "
                                         f"{weeks.get('max', min_weeks)}"))
                    break
        if premium_only and not bought_premium:
            for include in premium_only:
                hint = next((p for k, p in _PREMIUM_HINTS.items() if k in include.lower()), None)
                hit = hint.search(text) if hint else re.search(re.escape(include), text, re.I)
                if hit:
                    tier = next((n for n, t in tiers.items() if include in t.includes), "premium")
                    out.append(_conflict("support_tier", s,
                                         text_of["tier"].format(value=hit.group(0),
                                                                tier=tier.title()),
                                         f"support_tiers: {include} is {tier.title()} only"))
                    break
        for system in custom:
            if re.search(rf"\b{re.escape(system)}\b", text, re.I) and _NATIVE.search(text):
                out.append(_conflict("integration", s,
                                     text_of["integration"].format(system=system),
                                     f"integrations: custom: {system}"))
        for feature in offering.roadmap:
            words = _words(feature)
            found = [w for w in words if re.search(rf"{re.escape(w)}", text, re.I)]
            if words and len(found) >= max(1, round(0.6 * len(words))):
                out.append(_conflict("roadmap", s,
                                     text_of["roadmap"].format(feature=feature),
                                     f"roadmap: {feature}"))
        if sessions is not None and _TOPICS["training"].search(text):
            for v in values:
                if (v.kind == "count" and v.unit == "sessions" and isinstance(v.value, float)
                        and v.value > sessions):
                    out.append(_conflict("training", s,
                                         text_of["training"].format(value=v.text, n=sessions),
                                         f"training: included_sessions {sessions}"))
                    break
    return out


def _num(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _conflict(topic: str, s: Sentence, desc: str, offering_text: str) -> Conflict:
    return Conflict(id=_cid(topic, s.filename, str(s.start)), kind=ConflictKind.BEYOND_OFFERING,
                    topic=topic, description=desc,
                    sides=[_cite(s), _offering_cite(offering_text)])


def detect_conflicts(items: list[Item], docs: list[ParsedDocument], offering: Offering | None,
                     *, language: str = "en") -> list[Conflict]:
    """All conflicts of a deal, linked to the brief items that quote the same passages."""
    lang = language if language in _TEXT else "en"
    sents = own_sentences(docs)
    found = disagreements(sents, lang)
    if offering is not None:
        found += beyond_offering(sents, offering, lang)
    unique: dict[str, Conflict] = {}
    for c in found:
        unique.setdefault(c.id, c)
    for c in unique.values():
        for item in items:
            if any(ic.source == side.source and ic.start is not None and side.start is not None
                   and ic.end is not None and side.end is not None
                   and ic.start < side.end and side.start < ic.end
                   for ic in item.citations for side in c.sides):
                c.item_ids.append(item.id)
    return list(unique.values())

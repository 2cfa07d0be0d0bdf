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

from extractor.rules.lexicon import systems_regex
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
    r"versprech|ohne aufpreis|\bnativ\b|im standard enthalten|standardschnittstelle|"
    r"(?:that's|that is|it's|it is|is) (?:available|there|ready)|you can use it|"
    r"we do (?:this|that|it) natively|\bwe support\b|supported out of the box|"
    r"we'?ll give you|\bverfügbar\b|steht (?:ihnen|dir|euch) zur verfügung|"
    r"können sie (?:sofort |direkt )?nutzen|haben wir (?:schon|bereits)",
    re.I)
_DECLINE = re.compile(
    r"\b(?:can(?:no|')t|cannot|won't|not able|not possible|not part of|don't offer|"
    r"do not offer|not included|isn't included|no longer|off the table|declined?|"
    r"leider nicht|nicht möglich|können wir nicht|nicht anbieten|nicht enthalten|"
    r"nicht inklusive|nicht im standard|abgelehnt|zurückgezogen|doch nicht|not available|"
    r"isn't available|on (?:our|the) roadmap|nicht verfügbar|auf der roadmap)\b", re.I)
_HYPOTHETICAL = re.compile(r"\b(?:if we ever|hypothetically|would you|falls wir|wenn wir "
                           r"irgendwann|angenommen)\b", re.I)
_NATIVE = re.compile(r"\bnative(?:ly)?\b|out of the box|standard (?:connector|integration)|"
                     r"\bnativ\b|standardschnittstelle|standard-schnittstelle|im standard|"
                     r"\bincluded\b|\binklusive\b|no extra cost|ohne aufpreis", re.I)
_PREMIUM_HINTS = {
    "dedicated": re.compile(r"dedicated (?:csm|customer success)|own csm|named csm|"
                            r"eigene[nr]? (?:csm|customer success)|persönliche[nr]? "
                            r"ansprechpartner|feste[nr]? ansprechpartner|dediziert", re.I),
    "24/7": re.compile(r"24\s*/\s*7|24x7|round the clock|rund um die uhr|"
                       r"twenty[- ]four[- ]seven|vierundzwanzig sieben", re.I),
    "1h": re.compile(r"\b(?:1|one|eine[rn]?)\s*(?:h\b|hour|stunde)", re.I),
}
OFFERING_FILE = "offering.yaml"
MAX_SIDES = 4


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
        if v.kind == "count":  # "sixty licenses" and "sixty seats" agree
            return f"{v.value}users"
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


NEAR = 60  # characters between a topic cue and its value


def _claims(sents: list[Sentence]) -> list[_Claim]:
    """Topic values stated near their cue word ("go-live ... in six weeks")."""
    out = []
    for s in sents:
        if not _usable(s.text):
            continue
        values = extract_values(s.text)
        for topic, cue in _TOPICS.items():
            cues = [(m.start(), m.end()) for m in cue.finditer(s.text)]
            if not cues:
                continue
            for v in values:
                near = any(v.start - b <= NEAR and a - v.end <= NEAR for a, b in cues)
                if near and v.kind in _VALUE_FOR_TOPIC[topic] and _unit_fits(topic, v):
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
        "disagree": "Sources disagree on {topic}: {values}",
        "weeks": 'Promised "{value}" for go-live; the standard implementation takes {lo}-{hi} '
                 "weeks",
        "tier": 'Promised "{value}", which is part of the {tier} tier, not the standard offering',
        "integration": "{system} integration promised as standard/native; it is a custom "
                       "integration that needs paid development",
        "roadmap": 'Roadmap item "{feature}" promised, but it is not available yet',
        "training": "Promised {value}; {n} training sessions are included",
        "discount": "Promised {value} discount; more than {n}% needs approval",
    },
    "de": {
        "disagree": "Quellen widersprechen sich bei {topic}: {values}",
        "weeks": 'Zugesagt: „{value}" bis zum Go-Live; die Standard-Implementierung dauert '
                 "{lo}-{hi} Wochen",
        "tier": 'Zugesagt: „{value}" – gehört zum {tier}-Paket, nicht zum Standardangebot',
        "integration": "{system}-Integration als Standard/nativ zugesagt; sie ist eine "
                       "kostenpflichtige Individualentwicklung",
        "roadmap": 'Roadmap-Funktion „{feature}" zugesagt, ist aber noch nicht verfügbar',
        "training": "Zugesagt: {value}; im Standard sind {n} Schulungen enthalten",
        "discount": "Zugesagt: {value} Rabatt; mehr als {n} % braucht eine Freigabe",
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
    """Values that can both be true: a month and a day in it, a quarter and a month in it; and
    amounts too far apart to be two statements of one price (a per-seat price, a services
    fee and a budget ceiling are three prices, not a disagreement)."""
    if a.value.kind == "money" and b.value.kind == "money":
        x, y = a.value.value, b.value.value
        if a.value.unit != b.value.unit or not isinstance(x, float) or not isinstance(y, float):
            return True
        return max(x, y) >= 2 * min(x, y)
    if a.value.kind != "date" or b.value.kind != "date":
        return False
    ma, mb = _months(a.value), _months(b.value)
    if ma is None or mb is None:
        return True  # e.g. a calendar week against a month: too vague to call a conflict
    if not ma & mb:
        return False
    return not (_day_precise(a.value) and _day_precise(b.value))


def disagreements(sents: list[Sentence], lang: str = "en") -> list[Conflict]:
    """Sources stating incompatible values for one topic: one conflict per topic, all sides."""
    by_topic: dict[tuple[str, str], dict[str, _Claim]] = {}
    for c in _claims(sents):
        by_topic.setdefault((c.topic, c.value.kind), {}).setdefault(
            f"{c.sentence.filename}|{c.key}", c)
    conflicts = []
    for (topic, _kind), claims in by_topic.items():
        values = list(claims.values())
        involved = [a for a in values
                    if any(b.sentence.filename != a.sentence.filename and a.key != b.key
                           and not _compatible(a, b) for b in values)]
        sides: dict[str, _Claim] = {}
        quoted: set[tuple[str, int]] = set()
        for c in involved:  # one side per value, and never the same sentence twice
            where = (c.sentence.filename, c.sentence.start)
            if c.key not in sides and where not in quoted:
                sides[c.key] = c
                quoted.add(where)
        chosen = list(sides.values())[:MAX_SIDES]
        if len(chosen) < 2:
            continue
        listed = "; ".join(f"\"{c.value.text}\" ({c.sentence.filename})" for c in chosen)
        desc = _TEXT[lang]["disagree"].format(topic=_TOPIC_LABEL[lang][topic], values=listed)
        conflicts.append(Conflict(
            id=_cid(topic, *sorted(sides)), kind=ConflictKind.SOURCES_DISAGREE, topic=topic,
            description=desc, sides=[_cite(c.sentence) for c in chosen]))
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
    native_list = offering.integrations.get("native", []) if offering.integrations else []
    native = {str(x).lower() for x in native_list} if isinstance(native_list, list) else set()
    max_discount = _find_number(offering.model_dump(), "discount")
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
        if _NATIVE.search(text):
            named = {m.group(0) for m in systems_regex().finditer(text)}
            named |= {c for c in custom if re.search(rf"\b{re.escape(c)}\b", text, re.I)}
            for system in sorted(named):
                low = system.lower()
                if any(low in n or n in low for n in native):
                    continue
                where = "custom" if system.lower() in {c.lower() for c in custom} else \
                    "not native"
                out.append(_conflict("integration", s,
                                     text_of["integration"].format(system=system),
                                     f"integrations: {where}: {system}"))
        if max_discount is not None and _TOPICS["discount"].search(text):
            for v in values:
                if v.kind == "percent" and isinstance(v.value, float) and v.value > max_discount:
                    out.append(_conflict("discount", s,
                                         text_of["discount"].format(value=v.text,
                                                                    n=_num(max_discount)),
                                         f"max_discount_without_approval_percent: "
                                         f"{_num(max_discount)}"))
                    break
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


def _find_number(data: object, word: str) -> float | None:
    """The first number under a key containing ``word``, anywhere in the offering."""
    if isinstance(data, dict):
        for k, v in data.items():
            if word in str(k).lower() and isinstance(v, int | float) and not isinstance(v, bool):
                return float(v)
            found = _find_number(v, word)
            if found is not None:
                return found
    elif isinstance(data, list):
        for v in data:
            found = _find_number(v, word)
            if found is not None:
                return found
    return None


def _num(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _conflict(topic: str, s: Sentence, desc: str, offering_text: str) -> Conflict:
    """One conflict per breached offering term; more sentences saying it become extra sides."""
    return Conflict(id=_cid(topic, offering_text), kind=ConflictKind.BEYOND_OFFERING,
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
        first = unique.setdefault(c.id, c)
        if first is not c and c.kind == ConflictKind.BEYOND_OFFERING:
            said = [x for x in first.sides if x.source != OFFERING_FILE]
            if len(said) < MAX_SIDES - 1 and all(x.quote != c.sides[0].quote for x in said):
                first.sides.insert(len(said), c.sides[0])
    for c in unique.values():
        for item in items:
            if any(ic.source == side.source and ic.start is not None and side.start is not None
                   and ic.end is not None and side.end is not None
                   and ic.start < side.end and side.start < ic.end
                   for ic in item.citations for side in c.sides):
                c.item_ids.append(item.id)
    return list(unique.values())

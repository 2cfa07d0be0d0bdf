"""Conflicts: sources that disagree, and promises beyond the vendor's standard offering.

Design note. Conflicts are found over the deal's evidence sentences (the :class:`DealContext`),
not only over the brief's items, because the other side of a disagreement (the order form's
"ten weeks") is often not an item. Only like is compared with like:

* a *claim* is a value on one topic: a go-live or start date, an implementation duration, a
  price, a seat count. Its topic comes from what the classifier says the sentence is about
  (a go-live date, a promised timeline, a commercial term), never from a stray word; and
  questions, hypotheticals and anything a competitor said or promised are no claims at all;
* two dates disagree only when no day fits both: "before March" and "23 February" agree,
  "June" and "mid-June" agree, "1 June" and "1 July" do not (:func:`date_window`);
* a promise beyond the offering is a sentence of ours that promises something (the
  classifier reads it as a commitment, and it declines nothing) and matches what
  ``offering.yaml`` says: an item of a support tier above the one ordered, fewer weeks than
  the shortest implementation, a custom integration sold as included, a roadmap item sold as
  available, more training sessions than included, a discount above the approval limit. The
  tiers and their contents come from the offering file alone.

Each conflict quotes both sides exactly; an offering side cites ``offering.yaml``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from extractor.classifier import Scores
from extractor.deal import DealContext, DealSentence, is_contract
from extractor.values import Value, date_window
from handoff.domain import (
    AlignmentStatus,
    Citation,
    Conflict,
    ConflictKind,
    Item,
    Offering,
    SourceKind,
)
from handoff.labels import resolve_lang

OFFERING_FILE = "offering.yaml"
MAX_SIDES = 4
_PROMISE_KEYS = ("commitments.scope", "commitments.service", "commitments.timeline",
                 "commitments.commercial", "commitments.verbal")
_TOPIC_KEYS = {
    "go_live": ("implementation.go_live_date", "commitments.timeline"),
    "start": ("implementation.start_date",),
    "price": ("commitments.commercial",),
}
# an amount the sentence itself calls a price or fee is a price claim, however it is read
_PRICE_WORD = re.compile(r"(?i)\b(?:price[ds]?|pricing|fees?|costs?|quoted?|preis\w*|kosten|"
                         r"gebühr\w*|honorar\w*)\b")
_SEAT_UNITS = {"users", "seats", "licenses"}
_NATIVE = re.compile(r"(?i)\bnative(?:ly)?\b|out of the box|standard (?:connector|integration)|"
                     r"\bnativ\b|standardschnittstelle|im standard|\bincluded\b|\binklusive\b|"
                     r"no extra cost|at no cost|ohne aufpreis|kostenlos|for free")
_NOT_YET = re.compile(r"(?i)roadmap|planned|later this year|coming soon|in development|"
                      r"geplant|in entwicklung|später")
_PER = re.compile(r"(?i)^\s*(?:/|per|pro|je|a|an|each)\s*(\w+)")
# Words of support and service offerings that are written in several ways. Generic service
# vocabulary, not any vendor's tier names: the tiers and what they include come from the
# offering file.
_SYNONYMS = {
    "csm": ("csm", "customer success manager", "customer success", "success manager"),
    "24/7": ("24/7", "24x7", "24 / 7", "round the clock", "around the clock", "rund um die uhr",
             "twenty-four seven", "24 hours"),
    "phone": ("phone", "telephone", "telefon", "hotline", "call us"),
    "dedicated": ("dedicated", "named", "own", "eigene", "eigener", "persönlich", "feste",
                  "fester", "dediziert"),
    "1h": ("1h", "1 h", "one hour", "1 hour", "one-hour", "eine stunde", "1 stunde",
           "60 minutes"),
    "4h": ("4h", "4 h", "four hours", "4 hours", "vier stunden", "4 stunden"),
    "weekend": ("weekend", "wochenende", "saturday", "sunday", "samstag", "sonntag"),
    "onsite": ("onsite", "on-site", "on site", "vor ort"),
}
_STOP = frozenset("and or the a an of for with to in on at by per und oder der die das mit für "
                  "von zu im am support".split())

_TEXT = {
    "en": {
        "disagree": "Sources disagree on {topic}: {values}",
        "weeks": 'Promised "{value}" until go-live; the standard implementation takes {lo}-{hi} '
                 "weeks",
        "tier": 'Promised "{value}", which is part of the {tier} tier; the {ordered} tier was '
                "ordered",
        "integration": "{system} integration promised as included; it is a custom integration "
                       "that needs paid development",
        "roadmap": 'Roadmap item "{feature}" promised, but it is not available yet',
        "training": "Promised {value}; {n} training sessions are included",
        "discount": "Promised {value} discount; more than {n}% needs approval",
    },
    "de": {
        "disagree": "Quellen widersprechen sich bei {topic}: {values}",
        "weeks": 'Zugesagt: „{value}" bis zum Go-live; die Standard-Implementierung dauert '
                 "{lo}–{hi} Wochen",
        "tier": 'Zugesagt: „{value}" – gehört zum Paket {tier}; bestellt ist {ordered}',
        "integration": "{system}-Integration als inklusive zugesagt; sie ist eine "
                       "kostenpflichtige Individualentwicklung",
        "roadmap": 'Roadmap-Funktion „{feature}" zugesagt, ist aber noch nicht verfügbar',
        "training": "Zugesagt: {value}; im Standard sind {n} Schulungen enthalten",
        "discount": "Zugesagt: {value} Rabatt; mehr als {n} % braucht eine Freigabe",
    },
}
_TOPIC_LABEL = {
    "en": {"go_live": "the go-live date", "duration": "the implementation time",
           "start": "the start date", "price": "the price", "seats": "the number of users"},
    "de": {"go_live": "den Go-live-Termin", "duration": "die Implementierungsdauer",
           "start": "den Starttermin", "price": "den Preis", "seats": "die Anzahl Nutzer"},
}


@dataclass(frozen=True)
class Claim:
    """One value a sentence states on one topic."""

    topic: str
    value: Value
    sentence: DealSentence
    per: str = ""  # a price's unit ("seat", "month"), so a per-seat price meets per-seat prices

    @property
    def source(self) -> str:
        return self.sentence.source


def _cid(*parts: str) -> str:
    return "C" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:7]


def _offering_cite(text: str) -> Citation:
    return Citation(source=OFFERING_FILE, quote=text, locator=OFFERING_FILE,
                    alignment=AlignmentStatus.EXACT)


_LIVE = re.compile(r"(?i)\blive\b|go-?live|launch|up and running|produktiv|einführung|"
                   r"roll-?out|implementation|implementierung")


@dataclass(frozen=True)
class Reading:
    """What the brief says each sentence is about: the classifier's scores and the keys of
    the items that cite it."""

    scores: Scores
    keys: dict[int, set[str]]

    def about(self, s: DealSentence, keys: tuple[str, ...], slack: float = 0.5) -> bool:
        if self.keys.get(s.id, set()) & set(keys):
            return True
        return any(self.scores.of(s.id, k) >= slack * self.scores.threshold(k) for k in keys)


def reading_of(ctx: DealContext, scores: Scores, items: list[Item]) -> Reading:
    where = {(s.source, s.start): s.id for s in ctx.sentences}
    keys: dict[int, set[str]] = {}
    for item in items:
        for c in item.citations:
            sid = where.get((c.source, c.start or -1))
            if sid is not None:
                keys.setdefault(sid, set()).add(item.key)
    return Reading(scores, keys)


def _usable(ctx: DealContext, s: DealSentence) -> bool:
    return not (ctx.is_question(s) or ctx.hypothetical(s) or ctx.mentions_competitor(s))


_COMMON_YEAR = 2000  # a leap year, so "29 February" has a window


def _year(s: DealSentence) -> int | None:
    return int(s.date[:4]) if s.date[:4].isdigit() else None


def claims(ctx: DealContext, reading: Reading) -> list[Claim]:
    """Every topic value the deal's sentences state, like with like."""
    out = []
    for s in ctx.sentences:
        if not _usable(ctx, s) or not s.values:
            continue
        for v in s.values:
            if v.kind == "date":
                for topic in ("go_live", "start"):
                    if reading.about(s, _TOPIC_KEYS[topic]):
                        out.append(Claim(topic, v, s))
            elif v.kind == "duration" and _LIVE.search(s.text) and reading.about(
                    s, (*_TOPIC_KEYS["go_live"], "commitments.verbal")):
                out.append(Claim("duration", v, s))
            elif v.kind == "money" and (reading.about(s, _TOPIC_KEYS["price"])
                                        or is_contract(s.doc) or _PRICE_WORD.search(s.text)):
                per = _PER.match(s.text[v.end:v.end + 20])
                out.append(Claim("price", v, s, per.group(1).lower().rstrip("s") if per else ""))
            elif v.kind == "count" and v.unit in _SEAT_UNITS:
                out.append(Claim("seats", v, s))
    return out


def agree(a: Claim, b: Claim) -> bool:
    """Whether two claims on one topic can both be true."""
    va, vb = a.value, b.value
    if a.topic in ("go_live", "start"):
        # an undated source is read in the other's year (one deal's sources span months),
        # two undated ones in a common year: "August" and "September" still disagree
        ya = _year(a.sentence) or _year(b.sentence) or _COMMON_YEAR
        yb = _year(b.sentence) or ya
        wa = date_window(va, a.sentence.text[:va.start], year=ya)
        wb = date_window(vb, b.sentence.text[:vb.start], year=yb)
        if wa is None or wb is None:
            return True  # too vague to call a disagreement
        return wa[0] <= wb[1] and wb[0] <= wa[1]
    x, y = va.value, vb.value
    if not isinstance(x, float) or not isinstance(y, float):
        return True
    if a.topic == "duration":
        xd, yd = va.days, vb.days
        return xd is None or yd is None or max(xd, yd) <= 1.3 * min(xd, yd)
    if a.topic == "price":
        if va.unit != vb.unit or a.per != b.per:
            return True
        # a per-seat price, a services fee and a budget ceiling are three prices, not one
        return x == y or max(x, y) >= 2 * min(x, y)
    if a.topic == "seats":
        return x == y or max(x, y) >= 1.5 * min(x, y)
    return True


def disagreements(ctx: DealContext, reading: Reading, lang: str) -> list[Conflict]:
    """Claims of two different sources on one topic that cannot both be true."""
    by_topic: dict[str, list[Claim]] = {}
    for c in claims(ctx, reading):
        by_topic.setdefault(c.topic, []).append(c)
    out = []
    for topic, group in by_topic.items():
        clashing = [(a, b) for i, a in enumerate(group) for b in group[i + 1:]
                    if a.source != b.source and not agree(a, b)]
        if not clashing:
            continue
        sides: list[Claim] = []
        for a, b in clashing:
            for c in (a, b):
                if len(sides) < MAX_SIDES and all(
                        (c.source, c.sentence.start) != (x.source, x.sentence.start)
                        and not (c.source == x.source and agree(c, x)) for x in sides):
                    sides.append(c)
        if len(sides) < 2:
            continue
        listed = "; ".join(f'"{c.value.text}" ({c.source})' for c in sides)
        desc = _TEXT[lang]["disagree"].format(topic=_TOPIC_LABEL[lang][topic], values=listed)
        out.append(Conflict(
            id=_cid(topic, *sorted(f"{c.source}|{c.value.text}" for c in sides)),
            kind=ConflictKind.SOURCES_DISAGREE, topic=topic, description=desc,
            sides=[c.sentence.citation() for c in sides]))
    return out


# ----------------------------------------------------------------------------- the offering


def _tokens(text: str) -> set[str]:
    """Content words, plus the canonical name of every service term the text says."""
    low = text.lower()
    found = {canon for canon, forms in _SYNONYMS.items()
             if any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", low) for f in forms)}
    words = {w for w in re.findall(r"[\w/]+", low) if w not in _STOP and len(w) > 1}
    return found | words


def _include_matches(include: str, text: str) -> bool:
    """Whether a sentence promises an offering include ("24/7 phone support")."""
    want = _tokens(include)
    canon = {t for t in want if t in _SYNONYMS}
    forms = {w for c in canon for f in _SYNONYMS[c] for w in re.findall(r"[\w/]+", f)}
    plain = want - canon - forms
    have = _tokens(text)
    if canon:
        return canon <= have and (not plain or len(plain & have) >= len(plain) / 2)
    return bool(plain) and len(plain & have) >= max(2, round(0.7 * len(plain)))


def _ordered_tier(ctx: DealContext, offering: Offering) -> int:
    """The index of the support tier the deal ordered: the one its order form, proposal or CRM
    names (the highest named there), else the first (standard) tier."""
    named = -1
    for s in ctx.sentences:
        if s.kind not in (SourceKind.DOCUMENT, SourceKind.CRM_NOTE) or ctx.declines(s):
            continue
        for n, tier in enumerate(offering.support_tiers):
            if re.search(rf"(?i)\b{re.escape(tier.name)}\b", s.text):
                named = max(named, n)
    return max(named, 0)


def _promises(ctx: DealContext, reading: Reading,
              keys: tuple[str, ...] | None = _PROMISE_KEYS) -> list[DealSentence]:
    """Our side's statements, read as promises (``keys``), or all of them (None)."""
    return [s for s in ctx.sentences
            if s.side != "customer" and _usable(ctx, s) and not ctx.declines(s)
            and not ctx.retracts(s) and (keys is None or reading.about(s, keys, 0.6))]


def _conflict(topic: str, s: DealSentence, desc: str, offering_text: str) -> Conflict:
    return Conflict(id=_cid(topic, offering_text), kind=ConflictKind.BEYOND_OFFERING,
                    topic=topic, description=desc,
                    sides=[s.citation(), _offering_cite(offering_text)])


def _num(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


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


def beyond_offering(ctx: DealContext, reading: Reading, offering: Offering,
                    lang: str) -> list[Conflict]:
    """Promises that go beyond what CS can deliver without special approval."""
    text_of = _TEXT[lang]
    out: list[Conflict] = []
    tiers = offering.support_tiers
    ordered = _ordered_tier(ctx, offering)
    mine = {i.lower() for t in tiers[:ordered + 1] for i in t.includes}
    above = [(t.name, inc) for t in tiers[ordered + 1:] for inc in t.includes
             if inc.lower() not in mine]
    weeks = offering.implementation_weeks or {}
    min_weeks = weeks.get("min")
    integrations = offering.integrations or {}
    custom = [str(x) for x in integrations.get("custom", []) or []
              if isinstance(integrations.get("custom"), list)]
    sessions = (offering.training or {}).get("included_sessions")
    max_discount = _find_number(offering.model_dump(), "discount")
    promised = {s.id for s in _promises(ctx, reading)}
    # "SAP works natively" from our side is a claim about our product however the classifier
    # reads it (as a promise, an integration line, or neither): the words are specific enough.
    for s in _promises(ctx, reading, None):
        text = s.text
        if _NATIVE.search(text):
            for system in custom:
                if re.search(rf"(?i)\b{re.escape(system)}\b", text):
                    out.append(_conflict("integration", s, text_of["integration"].format(
                        system=system), f"integrations: custom: {system}"))
        if s.id not in promised:
            continue
        for tier_name, include in above:
            if _include_matches(include, text):
                out.append(_conflict("support_tier", s, text_of["tier"].format(
                    value=include, tier=tier_name, ordered=tiers[ordered].name),
                    f"support_tiers: {include} ({tier_name} only)"))
                break
        durations = [v for v in s.values if v.kind == "duration" and v.days]
        if min_weeks and durations and _LIVE.search(text):
            short = [v for v in durations if v.days is not None and v.days < 7 * float(min_weeks)
                     and v.unit in ("weeks", "days", "months")]
            if short:
                out.append(_conflict("implementation_weeks", s, text_of["weeks"].format(
                    value=short[0].text, lo=_num(min_weeks),
                    hi=_num(weeks.get("max", min_weeks))),
                    f"implementation_weeks: min {min_weeks}, max {weeks.get('max', min_weeks)}"))
        if not _NOT_YET.search(text):
            for feature in offering.roadmap:
                words = [w for w in re.findall(r"\w+", feature.lower()) if len(w) >= 3]
                found = [w for w in words if re.search(rf"(?i)\b{re.escape(w)}", text)]
                if words and len(found) >= max(1, round(0.7 * len(words))):
                    out.append(_conflict("roadmap", s, text_of["roadmap"].format(
                        feature=feature), f"roadmap: {feature}"))
        if sessions is not None:
            for v in s.values:
                if v.kind == "count" and v.unit == "sessions" and isinstance(v.value, float) \
                        and v.value > float(sessions):
                    out.append(_conflict("training", s, text_of["training"].format(
                        value=v.text, n=sessions), f"training: included_sessions {sessions}"))
                    break
        if max_discount is not None and re.search(r"(?i)discount|rabatt|nachlass", text):
            for v in s.values:
                if v.kind == "percent" and isinstance(v.value, float) and v.value > max_discount:
                    out.append(_conflict("discount", s, text_of["discount"].format(
                        value=v.text, n=_num(max_discount)),
                        f"max_discount_without_approval_percent: {_num(max_discount)}"))
                    break
    return out


def detect_conflicts(ctx: DealContext, scores: Scores, items: list[Item],
                     offering: Offering | None) -> list[Conflict]:
    """All conflicts of a deal, linked to the brief items that quote the same passages."""
    lang = resolve_lang(ctx.language)
    reading = reading_of(ctx, scores, items)
    found = disagreements(ctx, reading, lang)
    if offering is not None:
        found += beyond_offering(ctx, reading, offering, lang)
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

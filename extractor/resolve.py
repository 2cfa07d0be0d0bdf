"""From scored sentences to a few items per key: what a CSM reads.

Design note. The classifier (and, when configured, the model) says which sentences state
which key; this module decides what the brief says, in code:

* a candidate must be said by the right party in the right way: a commitment is ours (the
  vendor's speakers, emails, CRM notes or documents), never a question, a refusal, a
  hypothetical, a retraction or a competitor's claim; goals, challenges and concerns are the
  customer's, never our pitch or our order form; a date needs a date (or says it is open);
* one item per fact: candidates under a key that say the same thing fold into one item with
  several citations, the best-scored sentence first;
* single-answer keys (``SINGLE_ANSWER_KEYS``) get one value; a key whose best evidence says
  it is not known yet ("Go-live: TBD") is kept as *unresolved* and stays a gap;
* stakeholders are people: a role sentence counts for the person it is about (a role label's
  name, the person named in it, the first-person speaker, or "he"/"she" after a name), each
  person and role once; a title that implies a role (a CFO, a Head of IT) backs it;
* a few items per key and about :data:`MAX_ITEMS` per brief, strongest first.

Every citation is a whole sentence of the source (``doc.text[start:end]``), so grounding is
exact by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from extractor.deal import DealContext, DealSentence, is_contract
from extractor.roster import Person, resolve
from extractor.rules.lexicon import load
from extractor.rules.people import NAME, clean_name
from handoff.domain import CATEGORIES, REQUIRED_KEYS, SINGLE_ANSWER_KEYS, Citation, Item
from handoff.labels import field_label, resolve_lang

MAX_ITEMS = 45
SAME_TEXT = 82.0
ROLE_KEYS = tuple(f"stakeholders.{r}" for r in CATEGORIES["stakeholders"])
DATE_KEYS = ("implementation.start_date", "implementation.go_live_date")
_CAPS: dict[str, int] = {
    "account.challenges": 3, "technical.integration": 3, "technical.security_compliance": 3,
    "implementation.milestone": 3, "risks.objection": 3, "commitments.scope": 3,
    "commitments.service": 3, "commitments.commercial": 3, "commitments.timeline": 2,
    "stakeholders.end_user": 3, "stakeholders.influencer": 2, "stakeholders.blocker": 2,
    "technical.systems": 2, "goals.success_metric": 3, "goals.primary_goal": 2,
}
DEFAULT_CAP = 2
_CUSTOMER_VOICE = ("goals.", "risks.", "account.challenges", "account.priorities",
                   "account.why_now", "account.competitive_pressure", "account.growth_plans",
                   "account.industry", "account.company_size", "account.locations",
                   "account.business_model", "account.org_structure", "account.market_position")
_QUESTIONS_ALLOWED = ("technical.open_question", "risks.objection")
_COMPETITOR_OK = ("account.competitors_evaluated", "risks.competitive_concern",
                  "account.why_us", "account.competitive_pressure")
_FILLER = re.compile(
    r"^(?:(?:so|um+|uh+|uhm+|erm?|hmm+|yeah|yep|yes|okay|ok|well|right|and|but|also|look|"
    r"honestly|basically|actually|ähm|äh|öhm|ja|jo|naja|na ja|genau|gut|und|aber|tja|"
    r"i mean|you know|sag ich mal|sozusagen)\b[,.!…]*\s*)+", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"(?i)\b(?:I|I'm|I'll|I've|I'd|me|my|myself|ich|mir|mich|mein\w*)\b")
_THIRD_PERSON = re.compile(r"(?i)\b(?:he|she|him|her|his|er|sie|ihn|ihm)\b")


@dataclass
class Candidate:
    """A sentence said to state a key, and how sure the readers are."""

    sentence: DealSentence
    key: str
    score: float
    origin: str = "classifier"
    value: str | None = None  # a short value the model gave, if any
    weak: bool = False  # below the key's threshold: only used when nothing better says it
    rel: float = 1.0    # score over the key's threshold: comparable across keys


@dataclass
class _Draft:
    key: str
    lead: Candidate
    more: list[Candidate] = field(default_factory=list)
    person: Person | None = None
    unresolved: bool = False

    @property
    def score(self) -> float:
        return self.lead.score + 0.03 * len(self.more)

    @property
    def origin(self) -> str:
        parts = {p for c in [self.lead, *self.more] for p in c.origin.split("+")}
        return "+".join(sorted(parts))


def clean(text: str) -> str:
    """A sentence as a brief line: fillers at the start dropped, whitespace collapsed."""
    flat = " ".join(text.split()).strip(" -–—*•")
    stripped = _FILLER.sub("", flat).strip(" ,.-–—")
    stripped = stripped or flat
    return stripped[0].upper() + stripped[1:] if stripped else flat


# ----------------------------------------------------------------------------- admission

_TOPIC_STOP = {"would", "could", "should", "about", "their", "there", "which", "these",
               "think", "really", "thing", "going", "können", "werden", "haben", "nicht",
               "unsere", "unser", "ihnen", "dann", "schon", "other", "first"}


def _topic(text: str) -> set[str]:
    """Topic tokens: word stems of 5+ letters, acronyms and numbers."""
    words = {w.lower()[:5] for w in re.findall(r"[A-Za-zÄÖÜäöüß]{5,}", text)}
    words -= {w[:5] for w in _TOPIC_STOP}
    return words | set(re.findall(r"\b[A-Z]{2,5}\b|\d+(?:[.,]\d+)?", text))


def _later(a: DealSentence, b: DealSentence) -> bool:
    """``a`` was said after ``b``; across documents only when both are dated."""
    if a.doc is b.doc:
        return a.start > b.start
    return bool(a.date and b.date) and (a.date, a.doc_index) > (b.date, b.doc_index)


def retracted(ctx: DealContext, s: DealSentence) -> bool:
    """A promise taken back later by our side: a retraction right after it in the same
    passage, or a later one on the same topic ("Finance declined the fee waiver", "On our
    first call I mentioned twenty percent off. I overstepped there.")."""
    topic = _topic(s.text)
    for other in ctx.sentences:
        if other.side == "customer" or not ctx.retracts(other) or not _later(other, s):
            continue
        if other.doc is s.doc and other.start - s.end < 200 and (
                other.sentence.segment.index - s.sentence.segment.index) in (0, 1):
            return True
        told = _topic(other.text)
        prev = ctx.previous(other, same_segment=True)
        around = told | (_topic(prev.text) if prev else set())
        if len(told & topic) >= 2 or (len(told) < 3 and len(around & topic) >= 2):
            return True
    return False



def admissible(ctx: DealContext, s: DealSentence, key: str) -> bool:
    """Whether ``s`` can state ``key`` at all, given who said it and how."""
    if ctx.is_question(s) and not (key in _QUESTIONS_ALLOWED and s.side != "vendor"):
        return False
    if ctx.mentions_competitor(s) and key not in _COMPETITOR_OK:
        return False
    if key.startswith("commitments."):
        if s.side == "customer" or ctx.declines(s) or ctx.hypothetical(s) or ctx.retracts(s):
            return False
        if retracted(ctx, s):
            return False
        return s.side == "vendor" or not s.is_call
    if key.startswith(_CUSTOMER_VOICE):
        spoken = s.segment_kind.value in ("turn", "message")
        if s.side == "vendor" and spoken:
            return False  # our own pitch is not the customer's goal or concern
        if is_contract(s.doc) and not key.startswith("account."):
            return False
    if key in DATE_KEYS:
        if ctx.hypothetical(s):
            return False
        kinds = {v.kind for v in s.values}
        return bool(kinds & {"date", "duration"}) or ctx.says_unknown(s)
    return True


def candidates(ctx: DealContext, scored: Iterable[Candidate]) -> list[Candidate]:
    """The admissible candidates, a sentence under at most two keys, best first."""
    out: list[Candidate] = []
    per_sentence: dict[int, int] = {}
    for c in sorted(scored, key=lambda c: -c.score):
        if not admissible(ctx, c.sentence, c.key):
            continue
        n = per_sentence.get(c.sentence.id, 0)
        if n >= 2:
            continue
        per_sentence[c.sentence.id] = n + 1
        out.append(c)
    return out


# ----------------------------------------------------------------------------- people


def _eligible(p: Person) -> bool:
    return p.can_be_stakeholder


def label_holder(ctx: DealContext, s: DealSentence) -> Person | None:
    """ "Champion: Anna Keller", "EB - Tom Fischer": the name right after a role label."""
    m = re.match(r"^\s*[\w ./&-]{2,30}?\s*[:=–-]\s*", s.text)
    if not m:
        return None
    name = re.match(NAME, s.text[m.end():])
    person = resolve(clean_name(name.group(0)), ctx.roster) if name else None
    return person if person is not None and _eligible(person) else None


def holder(ctx: DealContext, s: DealSentence) -> Person | None:
    """The customer person a role sentence is about.

    The name after a role label; else the one eligible person named in the sentence (the
    first, when several are); else the speaker, when they speak of themselves; else the
    person named last just before a "he"/"she".
    """
    labelled = label_holder(ctx, s)
    if labelled is not None:
        return labelled
    named = [p for p, _ in ctx.people_in(s) if _eligible(p)]
    if named:
        return named[0]
    if s.speaker is not None and _eligible(s.speaker) and _FIRST_PERSON.search(s.text):
        return s.speaker
    if _THIRD_PERSON.search(s.text):
        prev = ctx.previous(s)
        for back in (prev, ctx.previous(prev) if prev else None):
            if back is None:
                break
            people = [p for p, _ in ctx.people_in(back) if _eligible(p)]
            if people:
                return people[-1]
    return None


def _title_roles() -> list[tuple[str, re.Pattern[str]]]:
    roles = []
    for role, tiers in load("stakeholders.yaml")["title_roles"].items():
        roles.append((role, re.compile(tiers[0], re.IGNORECASE)))
    return roles


def title_backing(person: Person, role: str) -> bool:
    """Whether the person's title implies ``role`` (a CFO and the budget, a CTO and IT)."""
    for r, rx in _title_roles():
        if r == role and any(rx.search(t) for t in person.titles or [person.title or ""]):
            return True
    return False


# ----------------------------------------------------------------------------- drafting


def _similar(a: Candidate, b: Candidate) -> bool:
    if a.sentence.id == b.sentence.id:
        return True
    va = {(v.kind, str(v.value)) for v in a.sentence.values}
    vb = {(v.kind, str(v.value)) for v in b.sentence.values}
    if va and va == vb and a.key in DATE_KEYS:
        return True
    return fuzz.token_set_ratio(a.sentence.flat.lower(), b.sentence.flat.lower()) >= SAME_TEXT


def _drafts_for_key(ctx: DealContext, key: str, cands: list[Candidate]) -> list[_Draft]:
    drafts: list[_Draft] = []
    if key in ROLE_KEYS:
        by_person: dict[int, _Draft] = {}
        for c in cands:
            if ctx.says_unknown(c.sentence):
                continue  # "I don't know who will sign this" names nobody: the key stays open
            person = holder(ctx, c.sentence)
            if person is None:
                continue
            boost = 0.1 if title_backing(person, key.split(".")[1]) else 0.0
            c = Candidate(c.sentence, c.key, c.score + boost, c.origin, c.value)
            d = by_person.get(id(person))
            if d is None:
                by_person[id(person)] = _Draft(key, c, person=person)
            elif c.score > d.lead.score:
                d.more.insert(0, d.lead)
                d.lead = c
            else:
                d.more.append(c)
        return sorted(by_person.values(), key=lambda d: -d.score)
    for c in cands:
        for d in drafts:
            if _similar(d.lead, c) or any(_similar(m, c) for m in d.more):
                d.more.append(c)
                break
        else:
            drafts.append(_Draft(key, c))
    for d in drafts:
        # a checklist key the sources call open ("never came up", "TBD") stays a question;
        # a risk said with doubt ("I don't know if the drivers will accept it") is the risk
        if key in DATE_KEYS or key in SINGLE_ANSWER_KEYS or (
                key in REQUIRED_KEYS and not key.startswith("risks.")):
            d.unresolved = ctx.says_unknown(d.lead.sentence) and not any(
                v.kind == "date" for v in d.lead.sentence.values)
    return sorted(drafts, key=lambda d: -d.score)


def _pick_single(drafts: list[_Draft]) -> list[_Draft]:
    """One value for a single-answer key: the best draft that states one; a key that is only
    said to be open keeps that statement, so it stays a gap quoting it."""
    stated = [d for d in drafts if not d.unresolved]
    if stated:
        return [stated[0]]
    return drafts[:1]


def _title_only_people(ctx: DealContext, taken: dict[str, set[int]]) -> list[_Draft]:
    """A role no sentence gives to anybody, backed by one person's title alone (a CFO as the
    economic buyer), cited where the title shows."""
    out = []
    for role in ("economic_buyer", "technical_evaluator", "executive_sponsor"):
        key = f"stakeholders.{role}"
        if taken.get(key):
            continue
        holders = [p for p in ctx.roster if _eligible(p) and p.title_at is not None
                   and title_backing(p, role)]
        if len(holders) != 1:
            continue
        person = holders[0]
        at = next((s for s in ctx.sentences if s.source == person.title_at.source
                   and s.start <= person.title_at.start < s.end + 1), None)
        if at is None:
            continue
        out.append(_Draft(key, Candidate(at, key, 0.45, "classifier"), person=person))
    return out


_ANAPHOR = re.compile(r"(?i)^(?:that|this|it|they|those|these|so|which|das|dies|die|der|"
                      r"dann|deren|dessen|damit|dafür|davon)\b")
SHORT = 60


def context_of(ctx: DealContext, s: DealSentence) -> DealSentence | None:
    """The sentence a short or pointing sentence leans on ("That answers my worry."; "Ohne
    deren Freigabe geht nichts."): the one before it in the same document, if any."""
    pointing = bool(_ANAPHOR.match(_FILLER.sub("", s.flat)))
    if len(s.flat) >= SHORT and not pointing:
        return None
    prev = ctx.previous(s)
    if prev is None or len(prev.flat) >= 400:
        return None
    # a short sentence leans on another turn, note line or speaker's line only when it points
    # at it ("That's right."); "We can have you live in six weeks." after a customer's line,
    # or "Go-live: TBD" after the note's champion line, stands alone
    if pointing:
        return prev
    same = prev.sentence.segment.index == s.sentence.segment.index
    other = (prev.speaker is not None and s.speaker is not None
             and prev.speaker.name != s.speaker.name)
    return prev if same and not other else None


def _item(ctx: DealContext, d: _Draft, lang: str) -> Item:
    lead = d.lead.sentence
    statement = clean(lead.text)
    leaning = context_of(ctx, lead)
    if leaning is not None:
        statement = f"{clean(leaning.text)} {statement}"
    attrs: dict[str, object] = {}
    if lead.speaker is not None:
        attrs["said_by"] = lead.speaker.name
    if lead.date:
        attrs["said_on"] = lead.date[:10]
    value = d.lead.value or statement
    if d.person is not None:
        p = d.person
        role = d.key.split(".", 1)[1]
        label = field_label(d.key, resolve_lang(lang))
        value = f"{p.name}, {p.title}: {label}" if p.title else f"{p.name}: {label}"
        attrs.update(name=p.name, title=p.title or "", roles=[role], statement=statement,
                     organisation=p.organisation or "", email=p.email or "")
    elif d.key in DATE_KEYS:
        dates = [v for v in lead.values if v.kind in ("date", "duration")]
        label = field_label(d.key, resolve_lang(lang))
        if dates and not d.unresolved:
            when = dates[0]
            value = f"{label}: {when.text}" + (f" ({when.iso})" if when.iso else "")
            attrs["date"] = when.iso or str(when.value)
        attrs["statement"] = statement
    elif d.lead.value:
        attrs["statement"] = statement
    cites: list[Citation] = []
    seen: set[tuple[str, int]] = set()
    if leaning is not None:
        d.more.insert(0, Candidate(leaning, d.key, 0.0))
    for c in [d.lead, *d.more]:
        where = (c.sentence.source, c.sentence.start)
        if where not in seen and len(cites) < 4:
            seen.add(where)
            cites.append(ctx.citation(c.sentence))
    return Item(id="", key=d.key, value=value, attributes=attrs, citations=cites,
                confidence=round(min(0.99, d.score), 3), unresolved=d.unresolved,
                origin=d.origin)


def resolve_items(ctx: DealContext, cands: list[Candidate], *,
                  max_items: int = MAX_ITEMS) -> list[Item]:
    """The brief's items from admissible candidates (see the module docstring)."""
    by_key: dict[str, list[Candidate]] = {}
    for c in cands:
        by_key.setdefault(c.key, []).append(c)
    for key, group in list(by_key.items()):
        strong = [c for c in group if not c.weak]
        by_key[key] = strong or sorted(group, key=lambda c: -c.score)[:1]
    chosen: list[_Draft] = []
    taken: dict[str, set[int]] = {}
    for key, group in by_key.items():
        drafts = _drafts_for_key(ctx, key, group)
        if key in SINGLE_ANSWER_KEYS:
            drafts = _pick_single(drafts)
        else:
            drafts = drafts[:_CAPS.get(key, DEFAULT_CAP)]
        taken[key] = {id(d.person) for d in drafts if d.person is not None}
        chosen.extend(drafts)
    chosen.extend(_title_only_people(ctx, taken))
    # strongest first within the budget; single-answer keys and people come first, then the
    # best item of each checklist key, since a brief without its signer, go-live date or
    # integrations fails the CSM whatever else it says
    best_of: dict[str, _Draft] = {}
    for d in chosen:
        if d.key in REQUIRED_KEYS and (d.key not in best_of or d.score > best_of[d.key].score):
            best_of[d.key] = d

    def rank(d: _Draft) -> tuple[int, float]:
        if d.key in SINGLE_ANSWER_KEYS or d.key in ROLE_KEYS:
            return (0, -d.score)
        return (1 if best_of.get(d.key) is d else 2, -d.score)

    kept = sorted(chosen, key=rank)[:max_items]
    order = {k: n for n, k in enumerate(f"{c}.{f}" for c, fs in CATEGORIES.items() for f in fs)}
    kept.sort(key=lambda d: (order.get(d.key, 999), -d.score))
    return [_item(ctx, d, ctx.language) for d in kept]

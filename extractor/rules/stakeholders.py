"""Stakeholders: the customer's people and their roles, each citing where the role shows.

Design note: people come from the roster (speakers, email parties, signatures, "Name
(Title)" mentions); a person who left, was only cc'd or belongs to the vendor is never a
stakeholder, and neither is someone merely mentioned without a role. Roles come from three
kinds of evidence, strongest first: CRM labels ("Champion: Anna Keller"), role cues in
sentences ("I'll drive this", "She signs anything over fifty thousand", "Budgetfreigabe
macht Albers") given to the nearest name or, for first-person speech, to the speaker, and
titles (a CFO is the economic buyer unless the sources name another). A person gets one
item listing all of their roles.
"""

from __future__ import annotations

import re

from extractor.roster import Person, resolve
from extractor.rules.people import NAME, clean_name
from extractor.sentences import Sentence
from handoff.domain import Item

from .context import Context, Unit
from .lexicon import guard, stakeholder_cues

ROLE_ORDER = ("executive_sponsor", "economic_buyer", "champion", "technical_evaluator",
              "blocker", "influencer", "end_user")
_FIRST_PERSON = re.compile(r"(?i)\b(?:I|I'm|I'll|I've|me|my|mine|ich|mir|mich|mein\w*)\b")
_NEGATION = re.compile(r"(?i)\b(?:no|not|none|nobody|don't|never|without|kein\w*|nicht|niemand"
                       r"|ohne)\b")
_TOOK_PART = {"speaker", "from", "to", "participant", "signature", "note_author"}


def _unit_for(ctx: Context, sentence: Sentence) -> Unit:
    for unit in ctx.units:
        if unit.doc.filename == sentence.source and sentence in unit.sentences:
            return unit
    doc = next(d for d in ctx.docs if d.filename == sentence.source)
    return Unit([sentence], doc, ("", 0, sentence.start), None, None)


def _holder(ctx: Context, unit: Unit, at: int) -> Person | None:
    """Who a role cue at offset ``at`` is about: the nearest name or first-person speaker."""
    text = unit.text
    candidates: list[tuple[int, Person]] = []
    for m in re.finditer(NAME, text):
        person = resolve(clean_name(m.group(0)), ctx.roster)
        dist = at - m.end() if m.end() <= at else int((m.start() - at) * 1.5)
        # up to 80 characters either side ("Unterschreiben muss das am Ende der kaufmännische
        # Geschäftsführer, der Herr Dr. Sennewald"); a name after the cue ranks lower and
        # must be in the cue's own sentence
        after = m.end() > at
        if after and _SENTENCE_END.search(text[at:m.start()]):
            continue
        if person is not None and abs(dist) <= (120 if after else 80):
            candidates.append((abs(dist), person))
    if unit.speaker is not None:
        for m in _FIRST_PERSON.finditer(text):
            dist = at - m.end() if m.end() <= at else int((m.start() - at) * 1.5)
            if abs(dist) <= 30:
                candidates.append((abs(dist), unit.speaker))
    if not candidates and _THIRD_PERSON.search(text[max(0, at - 16):at + 5]):
        return _previous_person(ctx, unit)
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _previous_person(ctx: Context, unit: Unit) -> Person | None:
    """Who "he"/"she" at the start of a unit is: the last person named just before it in the
    same passage ("Alistair Ferguson, our COO. He signs.")."""
    seg = unit.sentences[0].segment
    before = unit.doc.text[max(seg.start, unit.start - 200):unit.start]
    for m in reversed(list(re.finditer(NAME, before))):
        person = resolve(clean_name(m.group(0)), ctx.roster)
        if person is not None:
            return person
    return None


_SENTENCE_END = re.compile(r"(?<!\bDr)(?<!\bProf)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)[.!?:]\s")
_THIRD_PERSON = re.compile(r"\b(?:he|she|er|sie)\b", re.IGNORECASE)


def _negated(text: str, m: re.Match[str]) -> bool:
    """ "no exec sponsor", "Sponsor: keiner", "don't mistake me for the sponsor", and roles
    said to be unknown yet ("signatory still TBD", "I don't know who will sign")."""
    # after the cue, only its own clause: "He signs, but he's not going to cheerlead it"
    tail = re.split(r"[,;.]|\b(?:but|aber)\b", text[m.end():m.end() + 14])[0]
    if _NEGATION.search(text[max(0, m.start() - 30):m.end()] + tail) is not None:
        return True
    return guard("unknown").search(text[max(0, m.start() - 40):m.end() + 30]) is not None


def _eligible(person: Person, cued: bool) -> bool:
    return person.can_be_stakeholder and (cued or bool(person.seen_as & _TOOK_PART))


class _Roles:
    def __init__(self) -> None:
        self.roles: dict[int, dict[str, list[Unit]]] = {}
        self.people: dict[int, Person] = {}

    def add(self, person: Person, role: str, unit: Unit | None) -> None:
        self.people[id(person)] = person
        evidence = self.roles.setdefault(id(person), {}).setdefault(role, [])
        if unit is not None and unit not in evidence:
            evidence.append(unit)

    def holders(self, role: str) -> list[Person]:
        return [self.people[k] for k, roles in self.roles.items() if role in roles]


def _cue_holders(ctx: Context, rx: re.Pattern[str], *, negative: bool = False,
                 ) -> list[tuple[Person, Unit]]:
    """People a role cue points at; ``negative`` cues ("won't go live without") may negate."""
    found: list[tuple[Person, Unit]] = []
    for unit in ctx.units:
        if ctx.is_question(unit) or ctx.hypothetical(unit):
            continue
        for m in rx.finditer(unit.text):
            if not negative and _negated(unit.text, m):
                continue
            person = _holder(ctx, unit, m.start())
            if person is not None and _eligible(person, True):
                found.append((person, unit))
                break
    return found


def _from_cues(ctx: Context, found: _Roles) -> None:
    cues = stakeholder_cues()
    for unit in ctx.units:
        for role, rx in cues["labels"].items():
            m = rx.match(unit.text)
            name = re.match(NAME, unit.text[m.end():]) if m else None
            person = resolve(clean_name(name.group(0)), ctx.roster) if name else None
            if person is not None and _eligible(person, True):
                found.add(person, role, unit)
    for role, tiers in cues["role_cues"].items():
        for tier, rx in enumerate(tiers):
            holders = _cue_holders(ctx, rx, negative=role == "blocker")
            if role == "blocker" and tier > 0:  # one skeptical remark is influence, two block
                counts: dict[int, int] = {}
                for person, _ in holders:
                    counts[id(person)] = counts.get(id(person), 0) + 1
                for person, unit in holders:
                    found.add(person, "blocker" if counts[id(person)] >= 2 else "influencer",
                              unit)
            else:
                for person, unit in holders:
                    found.add(person, role, unit)
            if holders and role != "blocker":
                break


def _from_titles(ctx: Context, found: _Roles) -> None:
    """Roles from titles, strongest tier first. When the sources name another holder, or a
    stronger title holds the role, the title makes an influencer (a CISO next to a named
    technical evaluator, a COO next to the CEO)."""
    people = [p for p in ctx.roster if p.title and _eligible(p, False)]
    for role, tiers in stakeholder_cues()["title_roles"].items():
        named = {id(p) for p in found.holders(role)}
        taken = bool(named)
        for rx in tiers:
            matched = [p for p in people if id(p) not in named
                       and any(rx.search(t) for t in p.titles or [p.title or ""])]
            for person in matched:
                held = "influencer" if taken and role != "end_user" else role
                if held == "influencer" and found.roles.get(id(person)):
                    continue  # already has a role of its own
                found.add(person, held, _unit_for(ctx, person.title_at) if person.title_at
                          else None)
            taken = taken or bool(matched)
            named |= {id(p) for p in matched}


def _most_active_speaker(ctx: Context, found: _Roles) -> None:
    """The customer's most active speaker in calls is their champion, unless they already
    hold a senior role: they are who the vendor worked the deal with."""
    turns: dict[int, int] = {}
    for unit in ctx.units:
        if unit.is_call and unit.speaker is not None and unit.side != "vendor":
            turns[id(unit.speaker)] = turns.get(id(unit.speaker), 0) + 1
    candidates = [(turns.get(id(p), 0), p) for p in ctx.roster
                  if _eligible(p, False) and p.side != "vendor" and turns.get(id(p), 0) >= 3]
    if not candidates:
        return
    person = max(candidates, key=lambda c: c[0])[1]
    if set(found.roles.get(id(person), {})) - {"end_user", "champion"}:
        return
    first_turn = next(u for u in ctx.units if u.speaker is person and u.is_call)
    found.add(person, "champion", _unit_for(ctx, person.title_at) if person.title_at
              else first_turn)


def _items(ctx: Context, person: Person, roles: dict[str, list[Unit]]) -> list[Item]:
    """One item per role the person holds (the brief lists people under each role), each
    citing that role's evidence first; every item names all of the person's roles."""
    ordered = [r for r in ROLE_ORDER if r in roles]
    out = []
    for role in ordered:
        first = [role] + [r for r in ordered if r != role]
        item = _item(ctx, person, roles, first)
        if item is not None:
            out.append(item)
    return out


def _item(ctx: Context, person: Person, roles: dict[str, list[Unit]],
          ordered: list[str]) -> Item | None:
    evidence = [u for r in ordered for u in roles[r]]
    if person.title_at is not None:
        evidence.append(_unit_for(ctx, person.title_at))
    unique: list[Unit] = []
    for unit in evidence:
        if all(unit.doc is not u.doc or unit.start != u.start for u in unique):
            unique.append(unit)
    if not unique:
        return None
    labels = ", ".join(r.replace("_", " ") for r in sorted(ordered, key=ROLE_ORDER.index))
    title = f", {person.title}" if person.title else ""
    attrs = {"name": person.name, "title": person.title or "",
             "roles": sorted(ordered, key=ROLE_ORDER.index),
             "titles": [t for t in person.titles if t != person.title],
             "organisation": person.organisation or "", "email": person.email or ""}
    item = ctx.item(f"stakeholders.{ordered[0]}", unique[0], value=f"{person.name}{title} — "
                    f"{labels}", attributes=attrs, confidence=0.55, extra=unique[1:4])
    item.attributes.pop("said_by", None)
    return item


def _user_groups(ctx: Context, found: _Roles) -> list[Item]:
    """End users named as a group ("the dispatchers") when no person is one."""
    if found.holders("end_user"):
        return []
    rx = stakeholder_cues()["user_groups"]
    for unit in ctx.units:
        m = rx.search(unit.text)
        if m and unit.side != "vendor" and not ctx.is_question(unit):
            return [ctx.item("stakeholders.end_user", unit, value=f"{m.group(0)} (end users)",
                             attributes={"name": m.group(0), "roles": ["end_user"]},
                             confidence=0.35)]
    return []


def extract_stakeholders(ctx: Context) -> list[Item]:
    """Items for the customer's stakeholders: one per person and role."""
    found = _Roles()
    _from_cues(ctx, found)
    _from_titles(ctx, found)
    _most_active_speaker(ctx, found)
    items = [i for k, roles in found.roles.items() for i in _items(ctx, found.people[k], roles)]
    return items + _user_groups(ctx, found)

"""After extraction, in code: mark verbal promises, resolve people, merge duplicates.

The same fact often arrives several times: said on a call, repeated in an email, noted in the
CRM; or found by two retrieval queries. Items under one key are merged when they name the same
person or say the same thing, keeping every distinct citation, so the brief shows one line with
all its sources. A commitment whose only sources are calls is *verbal*: CS must validate it.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from extractor.grounding import normalize
from extractor.guard import looks_like_injection
from extractor.roster import Person, build_roster, resolve
from extractor.rules.lexicon import guard
from handoff.domain import REQUIRED_KEYS, Citation, Item, ParsedDocument, SourceKind

SAME_VALUE = 85.0


def _kind_of(docs: list[ParsedDocument]) -> dict[str, SourceKind]:
    return {d.filename: d.kind for d in docs}


def mark_verbal(item: Item, kinds: dict[str, SourceKind]) -> None:
    """Commitments only ever said on calls are verbal and need CS validation."""
    if item.category != "commitments":
        return
    grounded = [c for c in item.citations if c.grounded]
    if not grounded:
        return
    spoken = all(kinds.get(c.source) == SourceKind.TRANSCRIPT for c in grounded)
    item.verbal = spoken
    if spoken:
        item.attributes.setdefault("needs_validation", True)
    first = grounded[0]
    if first.speaker and kinds.get(first.source) == SourceKind.TRANSCRIPT:
        item.attributes.setdefault("promised_by", first.speaker)
    if first.timestamp:
        item.attributes.setdefault("said_on", f"{first.source} {first.timestamp}")


def resolve_stakeholder(item: Item, roster: list[Person]) -> bool:
    """Fill name and title from the roster; False when the person must not be a stakeholder."""
    if item.category != "stakeholders":
        return True
    name = str(item.attributes.get("name") or "").strip()
    person = resolve(name, roster) if name else None
    if person is None and not name:
        for c in item.citations:  # "I'm head of IT here" — the speaker is the person
            if c.speaker:
                person = resolve(c.speaker, roster)
                if person:
                    break
    if person is None:
        return bool(name)
    if person.left or person.cc_only or person.vendor:
        return False
    item.attributes["name"] = person.name
    if person.title and not item.attributes.get("title"):
        item.attributes["title"] = person.title
    return True


def _same(a: Item, b: Item) -> bool:
    if a.key != b.key:
        return False
    if a.category == "stakeholders":
        na, nb = normalize(str(a.attributes.get("name", ""))), normalize(
            str(b.attributes.get("name", "")))
        if na and nb:
            return na == nb or na.split()[-1] == nb.split()[-1]
    if _overlap(a.citations, b.citations):
        return True
    return fuzz.token_set_ratio(normalize(a.value), normalize(b.value)) >= SAME_VALUE


def _overlap(xs: list[Citation], ys: list[Citation]) -> bool:
    for x in xs:
        for y in ys:
            if (x.source == y.source and x.start is not None and y.start is not None
                    and x.end is not None and y.end is not None
                    and x.start < y.end and y.start < x.end):
                return True
    return False


def _merge_into(keep: Item, other: Item) -> None:
    seen = {(c.source, c.start, c.end) for c in keep.citations}
    for c in other.citations:
        if (c.source, c.start, c.end) not in seen:
            keep.citations.append(c)
            seen.add((c.source, c.start, c.end))
    keep.confidence = max(keep.confidence, other.confidence)
    for k, v in other.attributes.items():
        keep.attributes.setdefault(k, v)
    if len(other.value) > len(keep.value) and keep.category != "stakeholders":
        keep.value = other.value
    keep.verbal = keep.verbal and other.verbal
    if other.origin and other.origin not in keep.origin.split("+"):
        keep.origin = "+".join(sorted(filter(None, {*keep.origin.split("+"), other.origin})))


def mark_unresolved(item: Item) -> None:
    """An item whose every source says the fact is not known or decided yet ("Go-live: no
    date", "I don't know who will sign") is evidence of a gap, not of the fact. Risks and
    commitments are left alone: uncertainty is their content ("not sure the drivers will use
    it"), and declined promises are filtered where they are extracted. Only the checklist's
    required keys are judged: an open question or a timeline risk *is* about what is open.
    A stakeholder with a name is a known person whatever else the sentence says."""
    if (item.key not in REQUIRED_KEYS or item.category in ("risks", "commitments")
            or item.attributes.get("name")):
        return
    quotes = [c.quote for c in item.citations if c.grounded]
    item.unresolved = bool(quotes) and all(guard("unknown").search(q) for q in quotes)


def finalize_items(items: list[Item], docs: list[ParsedDocument]) -> list[Item]:
    """Resolve, mark and merge; the order of first appearance is kept."""
    kinds = _kind_of(docs)
    roster = build_roster(docs)
    out: list[Item] = []
    for item in items:
        if not item.citations or not item.grounded:
            continue
        if any(looks_like_injection(c.quote) for c in item.citations):
            continue
        if not resolve_stakeholder(item, roster):
            continue
        for existing in out:
            if _same(existing, item):
                _merge_into(existing, item)
                break
        else:
            out.append(item)
    for item in out:
        item.verbal = False
        mark_verbal(item, kinds)
        mark_unresolved(item)
        if item.category == "stakeholders":
            roles: list[Any] = item.attributes.setdefault("roles", [])
            if item.field not in roles:
                roles.append(item.field)
    return out

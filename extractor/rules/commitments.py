"""Commitments: what the vendor promised, with who, when, and whether it was only said.

Design note: a wrong promise in a handoff brief costs more than a missing one (CS would
deliver something nobody sold), so a sentence becomes a commitment only when a promise cue
holds and none of the guards fires: it declines ("we can't", "leider nicht"), is
hypothetical ("if we ever", "falls"), is a question or a customer's request, names a
competitor ("OpsPilot promised three weeks"), or is retracted later ("scratch that",
"Finance declined the waiver") by a sentence on the same topic. The speaker must not be
the customer, except when the customer agrees to terms ("splitting the fee works for us").
Promises made only in calls are flagged ``verbal`` and need CS validation.
"""

from __future__ import annotations

import re

from handoff.domain import Item, SegmentKind, SourceKind

from .context import Context, Unit, is_contract
from .lexicon import commitment_cues, cue_regex, guard

_AGREED = cue_regex([
    "works for us|that works|agreed|we accept|we can accept|fine with|ok(?:ay)? with|happy with",
    "einverstanden|passt (?:für uns|so)|akzeptieren|ist für uns in ordnung|geht für uns",
])
_STRONG = cue_regex([
    "guarantee\\w*|promise\\w*|commit\\w*|included|inclusive|at no (?:extra )?cost|free of charge",
    "garantier\\w*|zugesagt|sagen wir zu|sage ich zu|verspreche|inklusive|enthalten|kostenlos",
])
_TOPIC_STOP = {"would", "could", "should", "about", "their", "there", "which", "these",
               "think", "really", "thing", "going", "können", "werden", "haben", "nicht",
               "unsere", "unser", "ihnen", "dann", "schon", "other", "first"}
_MAX_PER_KIND = 6
_MAX_CONTRACT_TERMS = 12


def _topic(text: str) -> set[str]:
    """Topic tokens: word stems of 5+ letters, acronyms and numbers."""
    words = {w.lower()[:5] for w in re.findall(r"[A-Za-zÄÖÜäöüß]{5,}", text)}
    words -= {w[:5] for w in _TOPIC_STOP}
    return words | set(re.findall(r"\b[A-Z]{2,5}\b|\d+(?:[.,]\d+)?", text))


def _kinds(unit: Unit) -> list[str]:
    """The kinds of a promise: its first matching kind; a line with a user count is scope,
    and also commercial when it carries a price or a discount ("310 users | USD 226,800 per
    year", "12% off list on all 82 seats")."""
    seats = any(v.kind == "count" and v.unit in ("users", "seats", "licenses")
                for v in unit.values)
    kind = next((k for k, rx in commitment_cues()["kinds"].items() if rx.search(unit.text)),
                None)
    if not seats:
        return [kind] if kind else []
    priced = any(v.kind == "money" for v in unit.values) or (
        kind == "commercial" and any(v.kind == "percent" for v in unit.values))
    return ["scope", "commercial"] if priced else ["scope"]


def _around(unit: Unit) -> str:
    """The unit with the sentence before it in the same segment."""
    seg = unit.sentences[0].segment
    before = unit.doc.text[max(seg.start, unit.start - 300):unit.start].strip()
    previous = re.split(r"(?<=[.!?])\s+", before)[-1] if before else ""
    return f"{previous} {unit.text}"


def _later(other: Unit, unit: Unit) -> bool:
    """``other`` was said after ``unit``; across documents only when both are dated."""
    if other.doc is unit.doc:
        return other.start > unit.start
    return bool(other.order[0] and unit.order[0]) and other.order > unit.order


def _retracted(ctx: Context, unit: Unit) -> bool:
    """A later sentence on the same topic takes the promise back."""
    retraction = guard("retraction")
    if retraction.search(unit.text):
        return True
    topic = _topic(unit.text)
    segment = unit.sentences[0].segment.index
    for other in ctx.units:
        said = other.sentences[0].text  # judged alone: a merged neighbour is another topic
        if not _later(other, unit) or not retraction.search(said):
            continue
        adjacent = other.doc is unit.doc and other.sentences[0].segment.index in (
            segment, segment + 1)
        if adjacent and other.start - unit.end < 200:
            return True
        told = _topic(said)  # "First, a correction." / "I overstepped there." lean on neighbours
        if len(told & topic) >= 2 or (len(told) < 3 and len(_topic(_around(other)) & topic) >= 2):
            return True
    return False


_PROMISE_HEADING = cue_regex([
    "promised|promises|commitments?|committed|what (?:i|we) (?:promised|committed|agreed)",
    "zugesagt|zusagen|versprochen|vereinbart|was ich zugesagt habe",
])


def _contract_term(unit: Unit) -> bool:
    """A line of the vendor's order form, proposal or contract: written, so binding. Headings
    and table headers ("Support", "Position | Menge | Preis") state nothing."""
    words = re.findall(r"\w+", unit.text)
    if len(words) < 3 or ("|" in unit.text and not re.search(r"\d", unit.text)):
        return False
    return unit.side == "vendor" and is_contract(unit.doc)


def _heading(before: str) -> str:
    """The nearest heading above a position: a "#" line, or a short line after a blank one."""
    lines = before.split("\n")
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i].strip()
        if line.startswith("#"):
            return line
        if (line and (i == 0 or not lines[i - 1].strip()) and len(line) <= 60
                and not re.match(r"[-*•–]|\d+[.)]\s", line) and line[-1] not in ".!?"):
            return line
    return ""


def _under_promise_heading(unit: Unit) -> bool:
    """A list item under a heading such as "Was ich zugesagt habe" in the rep's notes."""
    if unit.doc.kind != SourceKind.DOCUMENT:
        return False
    heading = _heading(unit.doc.text[max(0, unit.start - 1500):unit.start])
    return _PROMISE_HEADING.search(heading) is not None


def _promise(ctx: Context, unit: Unit) -> bool:
    """Whether the unit holds a vendor promise (or terms the customer agreed to)."""
    cues = commitment_cues()
    text = unit.text
    if unit.side == "customer":
        return _AGREED.search(text) is not None and "commercial" in _kinds(unit)
    if cues["customer_only"].search(text) or ctx.is_question(unit):
        return False
    vendor_voice = unit.side == "vendor" or unit.segment_kind in (
        SegmentKind.NOTE, SegmentKind.PARAGRAPH, SegmentKind.TABLE_ROW)
    if vendor_voice and cues["vendor"].search(text):
        return True
    if unit.side != "vendor" and guard("request").search(text):
        return False
    return cues["you"].search(text) is not None


def _table_price(unit: Unit) -> bool:
    """A price line of an order form or proposal ("Annual subscription fee: EUR 186,000"), or
    terms the vendor's rep puts in writing ("Discount: 12% off list on a 3-year term")."""
    commercial = commitment_cues()["kinds"]["commercial"].search(unit.text) is not None
    if not commercial or unit.side != "vendor":
        return False
    if unit.doc.kind == SourceKind.DOCUMENT:
        return any(v.kind == "money" for v in unit.values)
    return (unit.segment_kind == SegmentKind.MESSAGE
            and any(v.kind in ("money", "percent") for v in unit.values))


def _commitments(ctx: Context, unit: Unit) -> list[Item]:
    written = _contract_term(unit) or _under_promise_heading(unit)
    if not (written or _promise(ctx, unit) or _table_price(unit)):
        return []
    kinds = _kinds(unit) or (["scope"] if _under_promise_heading(unit) else [])
    if not kinds or ctx.is_question(unit):
        return []
    if ctx.declines(unit) or ctx.hypothetical(unit) or ctx.mentions_competitor(unit):
        return []
    if _retracted(ctx, unit):
        return []
    verbal = unit.is_call
    attrs: dict[str, object] = {"needs_validation": verbal or
                                unit.segment_kind == SegmentKind.NOTE}
    if unit.speaker is not None:
        attrs["promised_by"] = unit.speaker.name
    elif unit.sentences[0].segment.speaker:
        attrs["promised_by"] = unit.sentences[0].segment.speaker
    due = [v for v in unit.values if v.kind in ("date", "duration")]
    if due:
        attrs["due"] = due[0].iso or due[0].text
    if verbal:
        attrs["verbal"] = "said on a call, not in writing"
    confidence = 0.7 if _contract_term(unit) else 0.6 if (
        _STRONG.search(unit.text) or written) else 0.45
    return [ctx.item(f"commitments.{kind}", unit, attributes={**attrs, "kind": kind},
                     confidence=confidence, verbal=verbal) for kind in kinds]


def extract_commitments(ctx: Context) -> list[Item]:
    """Vendor promises, a few per kind (contract terms, other writing and calls apart), each
    citing its sentence."""
    found: dict[tuple[str, bool, bool], list[Item]] = {}
    for unit in ctx.units:
        for item in _commitments(ctx, unit.head()):
            contract = item.confidence >= 0.7
            found.setdefault((item.key, item.verbal, contract), []).append(item)
    items: list[Item] = []
    for (_, _, contract), kind_items in found.items():
        cap = _MAX_CONTRACT_TERMS if contract else _MAX_PER_KIND
        best = sorted(kind_items, key=lambda i: -i.confidence)[:cap]
        items.extend(i for i in kind_items if i in best)
    return _confirm_in_writing(_dedupe(items))


def _confirm_in_writing(items: list[Item]) -> list[Item]:
    """A promise said on a call and also found in writing is no longer verbal only."""
    written = [i for i in items if not i.verbal]
    for item in items:
        if not item.verbal:
            continue
        said = _topic(item.value)
        match = next((w for w in written if w.key == item.key
                      and len(said & _topic(w.value)) >= 3), None)
        if match is not None:
            item.verbal = False
            item.attributes.pop("verbal", None)
            item.attributes["needs_validation"] = False
            item.attributes["confirmed_in"] = match.citations[0].source
            item.citations.append(match.citations[0])
    return items


def _dedupe(items: list[Item]) -> list[Item]:
    """Drop an item whose citation overlaps one of the same kind already kept."""
    kept: list[Item] = []
    for item in items:
        c = item.citations[0]
        if any(k.key == item.key and k.citations[0].source == c.source
               and (k.citations[0].start or 0) < (c.end or 0)
               and (c.start or 0) < (k.citations[0].end or 0) for k in kept):
            continue
        kept.append(item)
    return kept

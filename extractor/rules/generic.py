"""Cue-driven fields: account, goals, technical, implementation plan and risks.

Design note: each ``category.field`` of the YAML lexicons is found the same way. A unit is
a candidate when a cue (or a CRM-style label such as "Goals:") matches, every extra
condition holds (a second cue group, a value of the right kind, no exclusion, the field's
guards) and the speaker is allowed (goals and objections are the customer's, not the
vendor's pitch). Candidates are ranked by evidence strength, and only the best few per key
are kept, since a brief a CSM reads must not drown in near-duplicates.
"""

from __future__ import annotations

from handoff.domain import REQUIRED_KEYS, Item, SegmentKind

from .context import Context, Unit, is_contract
from .lexicon import FieldSpec, field_specs, guard, systems_regex

_WRITTEN = (SegmentKind.NOTE, SegmentKind.PARAGRAPH, SegmentKind.TABLE_ROW)
_CATEGORY_WORDS = {"API", "REST", "SFTP", "CRM", "ERP", "WMS", "TMS", "HRIS", "MES", "POS",
                   "LVS", "Excel", "Access"}
_LONG = 320


def score(ctx: Context, spec: FieldSpec, unit: Unit) -> float:
    """How strongly ``unit`` supports ``spec``'s key; 0 when it does not qualify."""
    text = unit.text
    labelled = spec.labels is not None and spec.labels.search(text) is not None
    strong = spec.strong is not None and spec.strong.search(text) is not None
    cued = strong or any(c.search(text) for c in spec.cues) or ctx.refs_match(spec.cue_refs, unit)
    if not (labelled or cued):
        return 0.0
    if spec.needs or spec.need_refs:
        if not (any(n.search(text) for n in spec.needs) or ctx.refs_match(spec.need_refs, unit)):
            return 0.0
    if spec.values and not any(v.kind in spec.values for v in unit.values):
        return 0.0
    if spec.exclude is not None and spec.exclude.search(text):
        return 0.0
    if spec.speaker == "customer" and unit.side == "vendor" and (
            unit.segment_kind in (SegmentKind.TURN, SegmentKind.MESSAGE)
            # the vendor's order form or proposal states its terms, not the customer's goals
            # or concerns
            or is_contract(unit.doc)):
        return 0.0
    if not spec.questions and ctx.is_question(unit):
        return 0.0
    if not ctx.passes_guards(spec, unit):
        return 0.0
    points = (3.0 if labelled else 0.0) + (2.0 if cued else 0.0) + (2.0 if strong else 0.0)
    points += sum(0.5 for c in spec.cues if c.search(text)) - 0.5
    points += 0.5 if unit.segment_kind in _WRITTEN else 0.0
    points -= 1.0 if len(text) > _LONG else 0.0
    return points


def _overlaps(unit: Unit, chosen: list[Unit]) -> bool:
    return any(u.doc is unit.doc and u.start < unit.end and unit.start < u.end for u in chosen)


def pick(ctx: Context, spec: FieldSpec) -> list[Unit]:
    """The best units for one key, at most ``spec.max``, in source order."""
    scored = [(score(ctx, spec, u), u) for u in ctx.units]
    ranked = sorted(((s, u) for s, u in scored if s > 0), key=lambda su: (-su[0], su[1].order))
    chosen: list[Unit] = []
    for _, unit in ranked:
        if len(chosen) >= spec.max:
            break
        if not _overlaps(unit, chosen):
            chosen.append(unit)
    return sorted(chosen, key=lambda u: u.order)


def systems_overview(ctx: Context) -> list[Item]:
    """One item naming every business system of the deal, citing where each first shows."""
    first: dict[str, Unit] = {}
    for unit in ctx.units:
        if ctx.hypothetical(unit) or ctx.mentions_competitor(unit):
            continue
        for m in systems_regex().finditer(unit.text):
            name = m.group(0)
            if name not in _CATEGORY_WORDS and not any(name in k for k in first):
                first.setdefault(name, unit)
        for name in ctx.own_systems:
            if name in unit.text:
                first.setdefault(name, unit)
    if len(first) < 2:
        return []
    units: list[Unit] = []
    for unit in first.values():
        if all(unit is not u for u in units):
            units.append(unit)
    value = "Systems in the customer's landscape: " + ", ".join(first)
    return [ctx.item("technical.systems", units[0], value=value, confidence=0.4,
                     attributes={"systems": list(first)}, extra=units[1:8])]


def stated_open(ctx: Context, spec: FieldSpec) -> Unit | None:
    """For a required key nothing states: the line that says it is not known yet ("Go-live:
    no date yet", "Security never came up"), so the rep's question can quote it. The key's
    value and exclusion conditions are waived, since such a line has no value to give."""
    unknown = guard("unknown")
    best: tuple[float, Unit] | None = None
    for unit in ctx.units:
        text = unit.text
        labelled = spec.labels is not None and spec.labels.search(text) is not None
        cues = sum(1 for c in spec.cues for _ in c.finditer(text))
        if not (labelled or cues) or not unknown.search(text) or ctx.is_question(unit):
            continue
        points = (3.0 if labelled else 0.0) + cues
        if best is None or points > best[0]:
            best = (points, unit)
    return best[1] if best else None


def extract_generic(ctx: Context) -> list[Item]:
    """Items for every cue-driven key of the YAML lexicons."""
    items: list[Item] = []
    for spec in field_specs():
        picked = pick(ctx, spec)
        if not picked and spec.key in REQUIRED_KEYS and not spec.key.startswith("risks."):
            open_line = stated_open(ctx, spec)
            if open_line is not None:
                items.append(ctx.item(spec.key, open_line, confidence=0.3))
        for unit in picked:
            attrs: dict[str, object] = {}
            if spec.key.startswith("risks.") and unit.speaker is not None:
                attrs["raised_by"] = unit.speaker.name
                if spec.key == "risks.objection":
                    attrs["open"] = True
            dates = [v for v in unit.values if v.kind == "date"]
            if spec.values == {"date"} and dates:
                attrs["date"] = dates[0].iso or dates[0].text
            items.append(ctx.item(spec.key, unit, attributes=attrs, confidence=0.4))
    return items + systems_overview(ctx)

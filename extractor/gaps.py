"""Gaps: what the CSM cannot rely on yet, each turned into a question for the rep.

A gap is a required key (handoff-spec section 3) with no grounded item, or an item too weak to
rely on: a promise that was only made aloud on a call and not confirmed in writing, or a claim
the model made that no source passage supports. A required key whose only sources say it is
not known yet ("Go-live: no date") is a gap too, and its question quotes that source, until
the rules read a value or the rep gives one: a model's guess alone does not close it.
"""

from __future__ import annotations

import hashlib

import prompts
from handoff.domain import (
    REQUIRED_KEYS,
    Citation,
    Gap,
    GapReason,
    Item,
    ItemStatus,
    covered_keys,
)


def gap_id(key: str, reason: str, item_id: str | None = None) -> str:
    return "G" + hashlib.sha1(f"{key}|{reason}|{item_id or ''}".encode()).hexdigest()[:7]


def _questions() -> dict[str, dict[str, str]]:
    return prompts.load_yaml("gap_questions")[1]  # type: ignore[no-any-return]


def _where(c: Citation) -> str:
    return f"{c.source} {c.locator or ''}".strip()


def _quoted(item: Item) -> str:
    src = next(c for c in item.citations if c.grounded)
    return f"\"{' '.join(src.quote.split())}\", {_where(src)}"


def find_gaps(items: list[Item], unverified: list[Item], *, language: str = "en",
              answered_keys: set[str] | None = None) -> list[Gap]:
    """Gaps for missing required keys, verbal-only promises and unverifiable claims."""
    lang = language if language in ("en", "de") else "en"
    questions = _questions()
    answered = answered_keys or set()
    live = [i for i in items if i.status != ItemStatus.REJECTED]
    covered = covered_keys(items) | answered
    said_unknown: dict[str, list[Item]] = {}
    for item in live:
        if item.unresolved and item.grounded:
            said_unknown.setdefault(item.key, []).append(item)
    gaps: list[Gap] = []
    claims: dict[str, Item] = {}
    for claim in unverified:
        claims.setdefault(claim.key, claim)
    for key in REQUIRED_KEYS:
        if key in covered:
            continue
        unsupported = claims.get(key)
        if key in said_unknown:
            found = said_unknown[key]
            evidence = "; ".join(_quoted(i) for i in found[:2])
            q = questions["unresolved"][lang].format(evidence=evidence,
                                                     question=questions[key][lang])
            gaps.append(Gap(id=gap_id(key, GapReason.UNRESOLVED, found[0].id), key=key,
                            reason=GapReason.UNRESOLVED, question=q, item_id=found[0].id))
        elif unsupported is not None:
            q = questions["ungrounded"][lang].format(value=unsupported.value, label=key)
            gaps.append(Gap(id=gap_id(key, GapReason.UNGROUNDED), key=key,
                            reason=GapReason.UNGROUNDED, question=q))
        else:
            gaps.append(Gap(id=gap_id(key, GapReason.MISSING), key=key,
                            reason=GapReason.MISSING, question=questions[key][lang]))
    for item in live:
        if item.category != "commitments" or not item.verbal:
            continue
        if item.status in (ItemStatus.CONFIRMED, ItemStatus.CORRECTED):
            continue
        where = _where(item.citations[0]) if item.citations else ""
        q = questions["verbal"][lang].format(value=item.shown_value, source=where)
        gaps.append(Gap(id=gap_id(item.key, GapReason.VERBAL_ONLY, item.id), key=item.key,
                        reason=GapReason.VERBAL_ONLY, question=q, item_id=item.id))
    return gaps

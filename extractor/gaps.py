"""Gaps: what the CSM cannot rely on yet, each turned into a question for the rep.

A gap is a required key (handoff-spec section 3) with no grounded item, or with only an item
too weak to rely on. A required key whose only sources say it is not known yet ("Go-live: no
date") is a gap too, and its question quotes that source, until a reader finds a value or the
rep gives one: a model's guess alone does not close it.

A promise that was only made aloud is not a gap: it is an item marked ``needs_validation``,
shown among the open promises a CSM validates (the checklist's keys are what a gap is about,
and a verbal promise under a commitment key is a fact, not a missing one).
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
    """Gaps for required keys that are missing, said to be open, or only claimed.

    Args:
        items: The brief's items.
        unverified: Claims no source supports (a rep's question quotes the claim).
        language: The questions' language.
        answered_keys: Keys the rep has answered already.
    """
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
    return gaps

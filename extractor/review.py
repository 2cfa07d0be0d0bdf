"""Rep review of the brief: confirm, correct, reject, restore, undo, bulk reject, resolve
conflicts, answer gaps; every change audited.

Design note. Reviews are stored apart from the brief, keyed by a fingerprint of the item
(its key and normalised value), so re-running extraction, which rebuilds every item, re-applies
them: a confirmed item stays confirmed, a correction stays corrected, a rejected item stays
hidden. A conflict's resolution is keyed the same way (its topic and the quotes of its sides).
A gap answer becomes a source of its own (kind ``rep_confirmation``), stored like any upload,
so the item made from it is cited like any other. Every change writes one audit row with who,
when, and the state before and after; :func:`undo` takes a change back by that row's id and
is audited too. A bulk reject is one change, so one undo restores the whole category.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from extractor.grounding import normalize
from handoff.domain import (
    CATEGORIES,
    AlignmentStatus,
    Citation,
    Conflict,
    ConflictResolution,
    Gap,
    GapReason,
    GapStatus,
    HandoffBrief,
    Item,
    ItemStatus,
    ParsedDocument,
    Segment,
    SegmentKind,
    SourceKind,
    completeness,
    utcnow,
)
from handoff.errors import InputError, NotFoundError
from handoff.labels import QUESTION_GAP_KEY
from index.records import (
    AuditRow,
    BriefRow,
    ConflictResolutionRow,
    GapAnswerRow,
    QuestionRow,
    ReviewRow,
    audit_entry,
    audit_trail,
    delete_deal_reviews,
    load_brief,
    save_brief,
    write_audit,
)
from index.store import Store

__all__ = ["AuditRow", "BriefRow", "ReviewResult", "answer_gap", "apply_reviews",
           "audit_trail", "bulk_reject", "delete_deal_reviews", "fingerprint", "load_brief",
           "rejected_items", "resolve_conflict", "review_item", "review_items", "save_brief",
           "undo"]

ACTIONS = ("confirm", "correct", "reject", "restore")
_STATUS = {"confirm": ItemStatus.CONFIRMED, "correct": ItemStatus.CORRECTED,
           "reject": ItemStatus.REJECTED, "restore": ItemStatus.EXTRACTED}
UNDOABLE = ("confirm", "correct", "reject", "restore", "bulk_reject", "resolve")


@dataclass(frozen=True)
class ReviewResult:
    """What a review changed: the items as they are now, and the audit row to undo it by."""

    items: list[Item]
    audit_id: int


def fingerprint(item: Item) -> str:
    return f"{item.key}|{normalize(item.value)[:300]}"


def conflict_fingerprint(conflict: Conflict) -> str:
    """The conflict's identity across re-runs: its topic and the quotes of its sides."""
    quotes = sorted(normalize(c.quote)[:120] for c in conflict.sides)
    return f"{conflict.topic}|{'|'.join(quotes)}"[:400]


def question_gap_id(entry_id: int) -> str:
    """The gap id of a question CS sent to the rep (history entry ``entry_id``)."""
    return f"Q{entry_id}"


# ---------------------------------------------------------------------- applying reviews


def apply_reviews(store: Store, brief: HandoffBrief) -> HandoffBrief:
    """Re-apply stored reviews, resolutions, questions and gap answers to a brief.

    Items without a stored review are shown as extracted (an undone review leaves none), and
    every gap's status is worked out again from the answers and the reviewed items.
    """
    with store.session() as s:
        reviews = {r.fingerprint: r for r in s.scalars(
            select(ReviewRow).where(ReviewRow.deal_id == brief.deal_id))}
        answers = list(s.scalars(select(GapAnswerRow).where(
            GapAnswerRow.deal_id == brief.deal_id).order_by(GapAnswerRow.at)))
        resolutions = {r.fingerprint: r for r in s.scalars(select(ConflictResolutionRow).where(
            ConflictResolutionRow.deal_id == brief.deal_id))}
        asked = list(s.scalars(select(QuestionRow).where(
            QuestionRow.deal_id == brief.deal_id, QuestionRow.gap_id.is_not(None))
            .order_by(QuestionRow.at)))
    for item in brief.items:
        if item.origin == "rep":
            continue
        r = reviews.get(fingerprint(item))
        item.status = ItemStatus(r.status) if r is not None else ItemStatus.EXTRACTED
        item.corrected_value = r.corrected_value if r is not None else None
    for a in answers:
        if a.key == QUESTION_GAP_KEY or any(i.attributes.get("gap_id") == a.gap_id
                                            for i in brief.items):
            continue
        brief.items.append(_answer_item(a))
    for conflict in brief.conflicts:
        found = resolutions.get(conflict_fingerprint(conflict))
        conflict.resolution = None if found is None else ConflictResolution(
            holds=found.holds, note=found.note, by=found.by, at=found.at)
    known = {g.id for g in brief.gaps}
    for q in asked:
        if q.gap_id not in known:
            brief.gaps.append(Gap(id=q.gap_id or "", key=QUESTION_GAP_KEY,
                                  reason=GapReason.MISSING, question=q.question))
    by_gap = {a.gap_id: a for a in answers}
    by_key = {a.key: a for a in answers if a.key != QUESTION_GAP_KEY}
    settled = {i.id for i in brief.items if i.status in (ItemStatus.CONFIRMED,
                                                         ItemStatus.CORRECTED,
                                                         ItemStatus.REJECTED)}
    for gap in brief.gaps:
        found = by_gap.get(gap.id) or (by_key.get(gap.key) if gap.item_id is None else None)
        if found is not None:
            gap.status, gap.answer = GapStatus.ANSWERED, found.answer
        elif gap.item_id in settled:
            gap.status, gap.answer = GapStatus.ANSWERED, None
        else:
            gap.status, gap.answer = GapStatus.OPEN, None
    confirmed_keys = {i.key for i in brief.items if i.status in (ItemStatus.CONFIRMED,
                                                                 ItemStatus.CORRECTED)}
    brief.completeness = completeness(brief.items, confirmed_keys)
    return brief


def _answer_item(a: GapAnswerRow) -> Item:
    cite = Citation(source=a.filename, quote=a.answer, start=0, end=len(a.answer),
                    locator=f"rep confirmation by {a.by}", speaker=a.by,
                    timestamp=a.at.isoformat(timespec="minutes") if a.at else None,
                    document_id=a.document_id, segment_index=0,
                    alignment=AlignmentStatus.EXACT)
    return Item(id=f"A{a.gap_id[1:]}", key=a.key, value=a.answer, citations=[cite],
                confidence=1.0, status=ItemStatus.CONFIRMED, origin="rep",
                attributes={"gap_id": a.gap_id, "confirmed_by": a.by})


def rejected_items(brief: HandoffBrief) -> list[Item]:
    """The items the rep rejected, in the brief's order (to restore one)."""
    return [i for i in brief.items if i.status == ItemStatus.REJECTED]


# ---------------------------------------------------------------------- review actions


def _find_item(brief: HandoffBrief, item_id: str) -> Item:
    for item in brief.items:
        if item.id == item_id:
            return item
    raise NotFoundError(f"deal {brief.deal_id!r} has no item {item_id!r}")


def _state(item: Item) -> dict[str, Any]:
    return {"fingerprint": fingerprint(item), "status": item.status.value,
            "value": item.shown_value, "corrected_value": item.corrected_value}


def _store_state(store: Store, deal_id: str, fp: str, status: str,
                 corrected: str | None) -> None:
    """Set one item's stored review; the plain extracted state is no review at all."""
    with store.session() as s, s.begin():
        row = s.scalar(select(ReviewRow).where(ReviewRow.deal_id == deal_id,
                                               ReviewRow.fingerprint == fp))
        if status == ItemStatus.EXTRACTED.value and not corrected:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(ReviewRow(deal_id=deal_id, fingerprint=fp, status=status,
                            corrected_value=corrected))
        else:
            row.status, row.corrected_value, row.updated_at = status, corrected, utcnow()


def _reapply(store: Store, brief: HandoffBrief, ids: list[str]) -> list[Item]:
    save_brief(store, apply_reviews(store, brief))
    fresh = load_brief(store, brief.deal_id)
    return [_find_item(fresh, i) for i in ids]


def review_items(store: Store, deal_id: str, item_ids: list[str], action: str, actor: str,
                 text: str | None = None) -> ReviewResult:
    """Confirm, correct (with ``text``), reject or restore items, as one audited change.

    Raises:
        InputError: An unknown action, or a correction without text.
        NotFoundError: The deal has no brief, or no item with one of the ids.
    """
    if action not in ACTIONS:
        raise InputError(f"unknown review action {action!r}: use {', '.join(ACTIONS)}")
    if action == "correct" and not (text and text.strip()):
        raise InputError("a correction needs the corrected text")
    brief = load_brief(store, deal_id)
    items = [_find_item(brief, i) for i in item_ids]
    status = _STATUS[action]
    before = [_state(i) for i in items]
    for item in items:
        corrected = (text.strip() if action == "correct" and text else
                     None if action == "restore" else item.corrected_value)
        _store_state(store, deal_id, fingerprint(item), status.value, corrected)
    if len(items) == 1:
        item = items[0]
        corrected = text.strip() if action == "correct" and text else None
        audit_id = write_audit(store, deal_id, actor, action, item.id, before[0],
                               {"fingerprint": fingerprint(item), "status": status.value,
                                "value": corrected or (item.value if action == "restore"
                                                       else item.shown_value)})
    else:
        audit_id = write_audit(store, deal_id, actor, action, f"{len(items)} items",
                               {"items": [{"id": i.id, **b} for i, b in zip(items, before,
                                                                             strict=True)]},
                               {"status": status.value, "count": len(items)})
    return ReviewResult(_reapply(store, brief, item_ids), audit_id)


def review_item(store: Store, deal_id: str, item_id: str, action: str, actor: str,
                text: str | None = None) -> Item:
    """Confirm, correct (with ``text``), reject or restore one item; audited."""
    return review_items(store, deal_id, [item_id], action, actor, text).items[0]


def bulk_reject(store: Store, deal_id: str, category: str, actor: str) -> ReviewResult:
    """Reject every shown item of a category the rep has not confirmed or corrected.

    One audit row holds every item's state before, so one :func:`undo` brings them back.

    Raises:
        InputError: ``category`` is not one of the seven, or nothing in it is left to reject.
    """
    if category not in CATEGORIES:
        raise InputError(f"unknown category {category!r}: use {', '.join(CATEGORIES)}")
    brief = load_brief(store, deal_id)
    chosen = [i for i in brief.items if i.category == category
              and i.status == ItemStatus.EXTRACTED]
    if not chosen:
        raise InputError(f"nothing left to reject in {category!r}")
    before = [{"id": i.id, **_state(i)} for i in chosen]
    for item in chosen:
        _store_state(store, deal_id, fingerprint(item), ItemStatus.REJECTED.value, None)
    audit_id = write_audit(store, deal_id, actor, "bulk_reject", category, {"items": before},
                           {"status": ItemStatus.REJECTED.value, "count": len(chosen)})
    return ReviewResult(_reapply(store, brief, [i.id for i in chosen]), audit_id)


def resolve_conflict(store: Store, deal_id: str, conflict_id: str, holds: int | None,
                     note: str, actor: str) -> tuple[Conflict, int]:
    """Record which side of a conflict holds (``None``: neither), with the rep's note.

    Returns:
        The conflict as it is now and the audit row's id.

    Raises:
        NotFoundError: No such conflict.
        InputError: ``holds`` names no side, or there is neither a side nor a note.
    """
    brief = load_brief(store, deal_id)
    conflict = next((c for c in brief.conflicts if c.id == conflict_id), None)
    if conflict is None:
        raise NotFoundError(f"deal {deal_id!r} has no conflict {conflict_id!r}")
    if holds is not None and not 0 <= holds < len(conflict.sides):
        raise InputError(f"conflict {conflict_id} has sides 0 to {len(conflict.sides) - 1}, "
                         f"not {holds}")
    note = " ".join(note.split())
    if holds is None and not note:
        raise InputError("say which side holds, or write a note why neither does")
    fp = conflict_fingerprint(conflict)
    before = conflict.resolution.model_dump(mode="json") if conflict.resolution else None
    with store.session() as s, s.begin():
        s.execute(delete(ConflictResolutionRow).where(
            ConflictResolutionRow.deal_id == deal_id, ConflictResolutionRow.fingerprint == fp))
        s.add(ConflictResolutionRow(deal_id=deal_id, fingerprint=fp, holds=holds, note=note,
                                    by=actor, at=utcnow()))
    side = conflict.sides[holds] if holds is not None else None
    audit_id = write_audit(store, deal_id, actor, "resolve", conflict_id,
                           {"fingerprint": fp, "resolution": before},
                           {"holds": holds, "side": side.source if side else None,
                            "quote": side.quote[:300] if side else None, "note": note})
    save_brief(store, apply_reviews(store, brief))
    fresh = load_brief(store, deal_id)
    return next(c for c in fresh.conflicts if c.id == conflict_id), audit_id


def undo(store: Store, deal_id: str, audit_id: int, actor: str) -> list[str]:
    """Take back one review change (by its audit row), restoring what was before; audited.

    Returns:
        The ids of the items (or the conflict) the undo touched.

    Raises:
        NotFoundError: The deal has no such change.
        InputError: The change cannot be undone, or was undone already.
    """
    entry = audit_entry(store, deal_id, audit_id)
    if entry["action"] not in UNDOABLE:
        raise InputError(f"a {entry['action']!r} cannot be undone")
    if any(e["action"] == "undo" and (e["after"] or {}).get("undoes") == audit_id
           for e in audit_trail(store, deal_id)):
        raise InputError(f"change {audit_id} was undone already")
    before = entry["before"] or {}
    if entry["action"] == "resolve":
        fp = before["fingerprint"]
        previous = before.get("resolution")
        with store.session() as s, s.begin():
            s.execute(delete(ConflictResolutionRow).where(
                ConflictResolutionRow.deal_id == deal_id,
                ConflictResolutionRow.fingerprint == fp))
            if previous is not None:
                s.add(ConflictResolutionRow(deal_id=deal_id, fingerprint=fp,
                                            holds=previous.get("holds"),
                                            note=previous.get("note", ""),
                                            by=previous.get("by", ""), at=utcnow()))
        touched = [entry["target"]]
    else:
        states = before.get("items") or [{"id": entry["target"], **before}]
        for state in states:
            _store_state(store, deal_id, state["fingerprint"], state["status"],
                         state.get("corrected_value"))
        touched = [s["id"] for s in states]
    write_audit(store, deal_id, actor, "undo", str(audit_id), {"action": entry["action"]},
                {"undoes": audit_id, "targets": touched})
    save_brief(store, apply_reviews(store, load_brief(store, deal_id)))
    return touched


def answer_gap(store: Store, deal_id: str, gap_id: str, text: str, actor: str) -> Item | None:
    """Answer a gap: the answer is stored as a cited rep-confirmation source.

    Returns:
        The confirmed item the answer became; ``None`` for a question CS asked, whose answer
        stays with the question (it names no field of the brief).
    """
    if not text.strip():
        raise InputError("the answer is empty")
    brief = load_brief(store, deal_id)
    gap = next((g for g in brief.gaps if g.id == gap_id), None)
    if gap is None:
        raise NotFoundError(f"deal {deal_id!r} has no gap {gap_id!r}")
    answer = text.strip()
    filename = f"rep-confirmation-{gap_id}.txt"
    now = utcnow()
    seg = Segment(index=0, kind=SegmentKind.NOTE, text=answer, start=0, end=len(answer),
                  speaker=actor, timestamp=now.isoformat(timespec="minutes"),
                  locator=f"rep confirmation by {actor}",
                  meta={"gap_id": gap_id, "key": gap.key, "question": gap.question})
    doc = ParsedDocument(filename=filename, format="rep_confirmation",
                         kind=SourceKind.REP_CONFIRMATION, text=answer, segments=[seg],
                         meta={"gap_id": gap_id, "key": gap.key})
    payload = json.dumps({"gap": gap_id, "answer": answer, "by": actor,
                          "at": now.isoformat()}).encode()
    doc_id, _ = store.add_document(deal_id, doc, payload)
    with store.session() as s, s.begin():
        s.add(GapAnswerRow(deal_id=deal_id, gap_id=gap_id, key=gap.key, answer=answer,
                           document_id=doc_id, filename=filename, by=actor, at=now))
    write_audit(store, deal_id, actor, "answer", gap_id,
                {"status": gap.status.value, "question": gap.question}, {"answer": answer})
    brief = apply_reviews(store, brief)
    save_brief(store, brief)
    if gap.key == QUESTION_GAP_KEY:
        return None
    return next(i for i in brief.items if i.attributes.get("gap_id") == gap_id)

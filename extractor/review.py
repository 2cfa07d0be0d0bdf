"""Rep review of the brief: confirm, correct, reject items, answer gaps; all audited.

Design note. Reviews are stored apart from the brief, keyed by a fingerprint of the item
(its key and normalised value), so re-running extraction, which rebuilds every item, re-applies
them: a confirmed item stays confirmed, a correction stays corrected, a rejected item stays
hidden. A gap answer becomes a source of its own (kind ``rep_confirmation``), stored like any
upload, so the item made from it is cited like any other. Every change writes an audit row
with who, when, before and after.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from extractor.grounding import normalize
from handoff.domain import (
    AlignmentStatus,
    Citation,
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
from index.records import (
    AuditRow,
    BriefRow,
    GapAnswerRow,
    ReviewRow,
    audit_trail,
    delete_deal_reviews,
    load_brief,
    save_brief,
    write_audit,
)
from index.store import Store

__all__ = ["AuditRow", "BriefRow", "answer_gap", "apply_reviews", "audit_trail",
           "delete_deal_reviews", "fingerprint", "load_brief", "review_item", "save_brief"]


def fingerprint(item: Item) -> str:
    return f"{item.key}|{normalize(item.value)[:300]}"


# ---------------------------------------------------------------------- applying reviews


def apply_reviews(store: Store, brief: HandoffBrief) -> HandoffBrief:
    """Re-apply stored confirmations, corrections, rejections and gap answers to a brief."""
    with store.session() as s:
        reviews = {r.fingerprint: r for r in s.scalars(
            select(ReviewRow).where(ReviewRow.deal_id == brief.deal_id))}
        answers = list(s.scalars(select(GapAnswerRow).where(
            GapAnswerRow.deal_id == brief.deal_id).order_by(GapAnswerRow.at)))
    for item in brief.items:
        r = reviews.get(fingerprint(item))
        if r is not None:
            item.status = ItemStatus(r.status)
            item.corrected_value = r.corrected_value
    for a in answers:
        if any(i.attributes.get("gap_id") == a.gap_id for i in brief.items):
            continue
        brief.items.append(_answer_item(a))
    answered = {a.gap_id for a in answers}
    answered_keys = {a.key for a in answers}
    settled = {i.id for i in brief.items if i.status in (ItemStatus.CONFIRMED,
                                                         ItemStatus.CORRECTED,
                                                         ItemStatus.REJECTED)}
    for gap in brief.gaps:
        if gap.id in answered or (gap.item_id is None and gap.key in answered_keys):
            gap.status = GapStatus.ANSWERED
            gap.answer = next(a.answer for a in answers
                              if a.gap_id == gap.id or a.key == gap.key)
        elif gap.item_id in settled:
            gap.status = GapStatus.ANSWERED
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


# ---------------------------------------------------------------------- review actions


def _find_item(brief: HandoffBrief, item_id: str) -> Item:
    for item in brief.items:
        if item.id == item_id:
            return item
    raise NotFoundError(f"deal {brief.deal_id!r} has no item {item_id!r}")


def review_item(store: Store, deal_id: str, item_id: str, action: str, actor: str,
                text: str | None = None) -> Item:
    """Confirm, correct (with ``text``) or reject one item, and record it in the audit trail."""
    if action not in ("confirm", "correct", "reject"):
        raise InputError(f"unknown review action {action!r}")
    if action == "correct" and not (text and text.strip()):
        raise InputError("a correction needs the corrected text")
    brief = load_brief(store, deal_id)
    item = _find_item(brief, item_id)
    before = {"status": item.status.value, "value": item.shown_value}
    status = {"confirm": ItemStatus.CONFIRMED, "correct": ItemStatus.CORRECTED,
              "reject": ItemStatus.REJECTED}[action]
    corrected = text.strip() if action == "correct" and text else item.corrected_value
    fp = fingerprint(item)
    with store.session() as s, s.begin():
        row = s.scalar(select(ReviewRow).where(ReviewRow.deal_id == deal_id,
                                               ReviewRow.fingerprint == fp))
        if row is None:
            s.add(ReviewRow(deal_id=deal_id, fingerprint=fp, status=status.value,
                            corrected_value=corrected))
        else:
            row.status, row.corrected_value, row.updated_at = status.value, corrected, utcnow()
    write_audit(store, deal_id, actor, action, item_id, before,
           {"status": status.value, "value": corrected or item.value})
    save_brief(store, apply_reviews(store, brief))
    return _find_item(load_brief(store, deal_id), item_id)


def answer_gap(store: Store, deal_id: str, gap_id: str, text: str, actor: str) -> Item:
    """Answer a gap: the answer is stored as a cited rep-confirmation source."""
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
    return next(i for i in brief.items if i.attributes.get("gap_id") == gap_id)

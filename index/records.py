"""Tables of the review side of a deal: the stored brief, reviews, gap answers, conflict
resolutions, the questions asked about the deal, the audit trail.

The extractor decides what a review means (:mod:`extractor.review`); this module only keeps
the rows, next to the store's other tables, so every table of the schema lives in ``index``
and the migrations of :mod:`index.migrations` cover them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from handoff.domain import HandoffBrief, utcnow
from handoff.errors import NotFoundError
from index.db import Base

if TYPE_CHECKING:  # the store imports this module, so its tables are mapped when it opens
    from index.store import Store


class BriefRow(Base):
    __tablename__ = "briefs"

    deal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewRow(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(16))
    corrected_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GapAnswerRow(Base):
    __tablename__ = "gap_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(String(64), index=True)
    gap_id: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text)
    document_id: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConflictResolutionRow(Base):
    """The rep's decision on a conflict: which side holds (NULL: neither), with a note.

    Keyed by a fingerprint of the conflict (topic and its sides' quotes), so it survives a
    re-run of the extraction the way reviews of items do.
    """

    __tablename__ = "conflict_resolutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[str] = mapped_column(String(400))
    holds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuestionRow(Base):
    """A question asked about a deal and the answer it got (the deal's Q&A history).

    ``gap_id`` is set when the question was sent to the rep because the sources did not
    answer it; the gap then stays in the rep's inbox until it is answered.
    """

    __tablename__ = "deal_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(String(64), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)  # Answer.model_dump(mode="json")
    asked_by: Mapped[str] = mapped_column(String(200))
    gap_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditRow(Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def save_brief(store: Store, brief: HandoffBrief) -> None:
    with store.session() as s, s.begin():
        row = s.get(BriefRow, brief.deal_id)
        if row is None:
            s.add(BriefRow(deal_id=brief.deal_id, body=brief.model_dump_json()))
        else:
            row.body = brief.model_dump_json()
            row.created_at = utcnow()


def load_brief(store: Store, deal_id: str) -> HandoffBrief:
    with store.session() as s:
        row = s.get(BriefRow, deal_id)
        if row is None:
            raise NotFoundError(f"deal {deal_id!r} has no brief yet: run `handoff brief "
                                f"{deal_id}` first")
        return HandoffBrief.model_validate_json(row.body)


def delete_deal_reviews(store: Store, deal_id: str) -> None:
    with store.session() as s, s.begin():
        for model in (BriefRow, ReviewRow, GapAnswerRow, ConflictResolutionRow, QuestionRow,
                      AuditRow):
            for row in s.scalars(select(model).where(model.deal_id == deal_id)):
                s.delete(row)


def write_audit(store: Store, deal_id: str, actor: str, action: str, target: str,
                before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
    """One audit row: who did what to which target, with the state before and after.

    Returns:
        The row's id (an undo names the change it takes back by this id).
    """
    with store.session() as s, s.begin():
        row = AuditRow(deal_id=deal_id, actor=actor, action=action, target=target[:64],
                       before=before, after=after)
        s.add(row)
        s.flush()
        return row.id


def audit_entry(store: Store, deal_id: str, audit_id: int) -> dict[str, Any]:
    """One audit row of the deal.

    Raises:
        NotFoundError: the deal has no audit row with this id.
    """
    with store.session() as s:
        row = s.get(AuditRow, audit_id)
        if row is None or row.deal_id != deal_id:
            raise NotFoundError(f"deal {deal_id!r} has no change {audit_id}")
        return {"id": row.id, "at": row.at.isoformat(), "actor": row.actor,
                "action": row.action, "target": row.target, "before": row.before,
                "after": row.after}


def stored_document_audit(deal_id: str, actor: str, document_id: str,
                          after: dict[str, Any]) -> AuditRow:
    """The audit row of one stored document, added in the transaction that stores it.

    Written with the document, not after the request, so a document stored before an
    upload was interrupted (a crash, a kill, a failing later file) still has its entry.
    """
    return AuditRow(deal_id=deal_id, actor=actor[:200], action="upload",
                    target=document_id[:64], before=None, after=after)


def audit_trail(store: Store, deal_id: str) -> list[dict[str, Any]]:
    """The deal's audit trail, oldest first."""
    with store.session() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.deal_id == deal_id)
                         .order_by(AuditRow.at, AuditRow.id))
        return [{"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                 "target": r.target, "before": r.before, "after": r.after} for r in rows]

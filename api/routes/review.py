"""The rep's review (confirm, correct, reject, restore, undo, bulk reject; answer gaps;
resolve conflicts), Q&A with the deal's history, and the audit trail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api import workspace
from api.access import Action
from api.deps import BackendsDep, DealDep
from api.problems import PROBLEM_RESPONSES, problem_responses
from api.schemas import AskIn, AuditEntry, GapAnswerIn, ReviewAction, ReviewIn
from extractor.qa import answer_history, keep_answer, offer_to_rep
from extractor.review import (
    answer_gap,
    audit_trail,
    bulk_reject,
    resolve_conflict,
    review_item,
    review_items,
    undo,
)
from extractor.service import ask as ask_deal
from handoff.domain import CATEGORIES, Answer, Conflict, Gap, GapStatus, Item
from handoff.errors import NotFoundError

router = APIRouter(prefix="/api/deals/{deal_id}", responses=PROBLEM_RESPONSES)

ItemId = Annotated[str, Path(min_length=1, max_length=64, description="An item's id")]
GapId = Annotated[str, Path(min_length=1, max_length=64, description="A gap's id")]


@router.get("/gaps", response_model=list[Gap], tags=["review"],
            summary="Gaps: questions for the rep")
def list_gaps(access: DealDep,
              status: Annotated[Literal["open", "answered", "all"], Query()] = "all",
              ) -> list[Gap]:
    """Missing required facts and items too weak to rely on, each with a question."""
    gaps = workspace.brief_of(access.store, access.deal).gaps
    if status == "all":
        return gaps
    return [g for g in gaps if g.status == GapStatus(status)]


@router.post("/gaps/{gap_id}/answer", response_model=Item | None, tags=["review"],
             summary="Answer a gap", responses=problem_responses(403))
def answer(access: DealDep, gap_id: GapId, body: GapAnswerIn) -> Item | None:
    """The answer becomes a rep-confirmation source and a cited, confirmed item (``null``
    for a question CS asked: its answer stays with the question)."""
    access.require(Action.EDIT)
    return answer_gap(access.store, access.id, gap_id, body.answer, access.user.email)


class ReviewChange(BaseModel):
    """What a review changed, and the change's id to undo it with."""

    items: list[Item]
    change_id: int = Field(description="POST /undo/{change_id} takes this change back")


class ResolveIn(BaseModel):
    holds: int | None = Field(None, ge=0, description="The index of the side that holds; "
                                                      "null: neither side")
    note: str = Field("", max_length=2000)


class ResolveOut(BaseModel):
    conflict: Conflict
    change_id: int


class QuestionOut(BaseModel):
    id: int
    answer: Answer
    asked_by: str
    at: str
    gap_id: str | None = None


@router.post("/items/{item_id}/restore", response_model=ReviewChange, tags=["review"],
             summary="Restore a rejected item", responses=problem_responses(403))
def restore(access: DealDep, item_id: ItemId) -> ReviewChange:
    """Back to the item as extracted (no review); audited and undoable."""
    access.require(Action.EDIT)
    result = review_items(access.store, access.id, [item_id], "restore", access.user.email)
    return ReviewChange(items=result.items, change_id=result.audit_id)


@router.post("/categories/{category}/reject", response_model=ReviewChange, tags=["review"],
             summary="Reject every unreviewed item of a category",
             responses=problem_responses(403))
def reject_category(access: DealDep,
                    category: Annotated[Literal[tuple(CATEGORIES)], Path()],  # type: ignore[valid-type]
                    ) -> ReviewChange:
    """One change: a single undo brings every item back."""
    access.require(Action.EDIT)
    result = bulk_reject(access.store, access.id, category, access.user.email)
    return ReviewChange(items=result.items, change_id=result.audit_id)


@router.post("/undo/{change_id}", response_model=list[str], tags=["review"],
             summary="Undo a review change", responses=problem_responses(403))
def undo_change(access: DealDep, change_id: int) -> list[str]:
    """Restore what was before a confirm, correct, reject, restore, bulk reject or resolve.

    Returns the ids of the items (or the conflict) it touched."""
    access.require(Action.EDIT)
    return undo(access.store, access.id, change_id, access.user.email)


@router.post("/conflicts/{conflict_id}/resolve", response_model=ResolveOut, tags=["review"],
             summary="Resolve a conflict", responses=problem_responses(403))
def resolve(access: DealDep, conflict_id: Annotated[str, Path(max_length=64)],
            body: ResolveIn) -> ResolveOut:
    """Which side holds, with a note; kept across re-runs of the brief and audited."""
    access.require(Action.EDIT)
    conflict, change = resolve_conflict(access.store, access.id, conflict_id, body.holds,
                                        body.note, access.user.email)
    return ResolveOut(conflict=conflict, change_id=change)


@router.post("/items/{item_id}/{action}", response_model=Item, tags=["review"],
             summary="Confirm, correct or reject an item", responses=problem_responses(403))
def review(access: DealDep, item_id: ItemId, action: ReviewAction,
           body: ReviewIn | None = None) -> Item:
    """Reviews survive re-running the brief; ``correct`` needs ``text``. Audited."""
    access.require(Action.EDIT)
    text = body.text if body is not None else None
    return review_item(access.store, access.id, item_id, action.value, access.user.email, text)


@router.get("/conflicts", response_model=list[Conflict], tags=["review"],
            summary="Conflicts between sources or with the standard offering")
def conflicts(access: DealDep) -> list[Conflict]:
    """Each conflict quotes both sides."""
    return workspace.brief_of(access.store, access.deal).conflicts


@router.get("/audit", response_model=list[AuditEntry], tags=["review"],
            summary="The deal's audit trail")
def audit(access: DealDep) -> list[AuditEntry]:
    """Who changed what and when: uploads, briefs, reviews, answers, timeline, assignments."""
    return [AuditEntry.model_validate(e) for e in audit_trail(access.store, access.id)]


@router.post("/ask", response_model=Answer, tags=["q&a"],
             summary="Ask a question about the deal", responses=problem_responses(502, 503))
def ask(access: DealDep, body: AskIn, backends: BackendsDep) -> Answer:
    """Answered only from the deal's own passages, with citations; says so when unsupported."""
    try:
        language: str | None = workspace.brief_of(access.store, access.deal).language
    except NotFoundError:  # no brief yet: the language is detected from the sources
        language = None
    result = ask_deal(access.store, access.id, body.question, backends.get(), language)
    keep_answer(access.store, access.id, result, access.user.email)
    return result


@router.get("/questions", response_model=list[QuestionOut], tags=["q&a"],
            summary="The deal's questions and answers, newest first")
def questions(access: DealDep) -> list[QuestionOut]:
    """Every question asked about the deal with the answer it got."""
    return [QuestionOut(id=h.id, answer=h.answer, asked_by=h.asked_by,
                        at=h.at.isoformat(), gap_id=h.gap_id)
            for h in answer_history(access.store, access.id, limit=200)]


@router.post("/questions/{question_id}/send", response_model=Gap, tags=["q&a"],
             summary="Send a question to the rep")
def send_question(access: DealDep, question_id: int) -> Gap:
    """The question becomes a gap in the rep's inbox (for what the sources do not answer)."""
    return offer_to_rep(access.store, access.id, question_id, access.user.email)

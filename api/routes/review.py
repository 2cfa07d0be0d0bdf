"""The rep's review (confirm, correct, reject items; answer gaps), conflicts, Q&A, audit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api import workspace
from api.access import Action
from api.deps import BackendsDep, DealDep
from api.problems import PROBLEM_RESPONSES, problem_responses
from api.schemas import AskIn, AuditEntry, GapAnswerIn, ReviewAction, ReviewIn
from extractor.review import answer_gap, audit_trail, review_item
from extractor.service import ask as ask_deal
from handoff.domain import Answer, Conflict, Gap, GapStatus, Item
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


@router.post("/gaps/{gap_id}/answer", response_model=Item, tags=["review"],
             summary="Answer a gap", responses=problem_responses(403))
def answer(access: DealDep, gap_id: GapId, body: GapAnswerIn) -> Item:
    """The answer becomes a rep-confirmation source and a cited, confirmed item."""
    access.require(Action.EDIT)
    return answer_gap(access.store, access.id, gap_id, body.answer, access.user.email)


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
    return ask_deal(access.store, access.id, body.question, backends.get(), language)

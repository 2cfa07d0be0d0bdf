"""Web forms of the rep's review and the CSM's questions.

Plain form posts that redirect back to the brief (so they work without JavaScript); the ask
box is also an htmx form that swaps the cited answer into the page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api import workspace
from api.access import Action
from api.brief_view import cite_view
from api.deps import BackendsDep, DealDep
from api.schemas import ReviewAction
from api.web import is_htmx, page_lang, render
from extractor.review import answer_gap, review_item
from extractor.service import ask as ask_deal
from handoff.errors import NotFoundError

router = APIRouter()


@router.post("/deals/{deal_id}/items/{item_id}/{action}")
def review(access: DealDep, item_id: str, action: ReviewAction,
           text: Annotated[str | None, Form(max_length=5000)] = None) -> Response:
    """Confirm, correct or reject an item from the brief page."""
    access.require(Action.EDIT)
    review_item(access.store, access.id, item_id, action.value, access.user.email, text)
    anchor = "" if action == ReviewAction.REJECT else f"#item-{item_id}"
    return RedirectResponse(f"/deals/{access.id}{anchor}", status_code=303)


@router.post("/deals/{deal_id}/gaps/{gap_id}/answer")
def answer(access: DealDep, gap_id: str,
           answer: Annotated[str, Form(min_length=1, max_length=5000)]) -> Response:
    """Answer a gap from the rep's inbox."""
    access.require(Action.EDIT)
    answer_gap(access.store, access.id, gap_id, answer, access.user.email)
    return RedirectResponse(f"/deals/{access.id}#gaps", status_code=303)


@router.post("/deals/{deal_id}/ask")
def ask(request: Request, access: DealDep, backends: BackendsDep,
        question: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    """Answer a question with citations (a fragment for htmx)."""
    try:
        language: str | None = workspace.brief_of(access.store, access.deal).language
    except NotFoundError:
        language = None
    result = ask_deal(access.store, access.id, question, backends.get(), language)
    lang = page_lang(request, language)
    cites = [cite_view(access.id, c, lang) for c in result.citations]
    if is_htmx(request):
        return render(request, "_answer.html", lang=lang, a=result, cites=cites)
    return render(request, "answer.html", lang=lang, a=result, cites=cites, deal=access.deal)

"""Web forms of the rep's review, the CSM's questions and the drafts.

Every form is a plain post that redirects back to the brief, so it works without JavaScript.
With htmx, a review answers with the item (or conflict) as it is now plus an Undo button, and
the page is not reloaded; the ask box swaps the cited answer into the page.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api import workspace
from api.access import Action
from api.brief_view import conflict_page, item_view
from api.deps import BackendsDep, DealAccess, DealDep
from api.web import is_htmx, page_lang, render
from exports.package import DRAFT_FORMATS, MARKDOWN_TYPE, file_name
from extractor.qa import HistoryEntry, answer_history, keep_answer, offer_to_rep
from extractor.review import (
    answer_gap,
    bulk_reject,
    load_brief,
    resolve_conflict,
    review_items,
    undo,
)
from extractor.service import ask as ask_deal
from handoff.errors import InputError, NotFoundError
from handoff.labels import resolve_lang

router = APIRouter()

ItemAction = Literal["confirm", "correct", "reject", "restore"]


def _back(deal_id: str, anchor: str = "", undo_id: int | None = None) -> RedirectResponse:
    query = f"?undo={undo_id}" if undo_id is not None else ""
    return RedirectResponse(f"/deals/{deal_id}{query}{anchor}", status_code=303)


def _item_fragment(request: Request, access: DealAccess, item_id: str, done: dict | None
                   ) -> Response:
    brief = load_brief(access.store, access.id)
    lang = page_lang(request, brief.language)
    item = next(i for i in brief.items if i.id == item_id)
    return render(request, "_item.html", lang=lang, i=item_view(access.id, item, lang),
                  deal_id=access.id, done=done)


@router.post("/deals/{deal_id}/items/{item_id}/{action}")
def review(request: Request, access: DealDep, item_id: str, action: ItemAction,
           text: Annotated[str | None, Form(max_length=5000)] = None) -> Response:
    """Confirm, correct, reject or restore an item; htmx gets the item back, with Undo."""
    access.require(Action.EDIT)
    result = review_items(access.store, access.id, [item_id], action, access.user.email, text)
    if is_htmx(request):
        return _item_fragment(request, access, item_id,
                              {"action": action, "audit_id": result.audit_id})
    anchor = "#rejected" if action == "reject" else f"#item-{item_id}"
    return _back(access.id, anchor, result.audit_id)


@router.post("/deals/{deal_id}/undo/{audit_id}")
def undo_change(request: Request, access: DealDep, audit_id: int) -> Response:
    """Take back a review change; htmx gets the item (or conflict) as it is again."""
    access.require(Action.EDIT)
    touched = undo(access.store, access.id, audit_id, access.user.email)
    brief = load_brief(access.store, access.id)
    if is_htmx(request) and len(touched) == 1:
        lang = page_lang(request, brief.language)
        for n, conflict in enumerate(brief.conflicts):
            if conflict.id == touched[0]:
                return render(request, "_conflict.html", lang=lang, deal_id=access.id,
                              c=conflict_page(brief, n, lang), done=None)
        if any(i.id == touched[0] for i in brief.items):
            return _item_fragment(request, access, touched[0], None)
    anchor = f"#item-{touched[0]}" if len(touched) == 1 else ""
    return _back(access.id, anchor)


@router.post("/deals/{deal_id}/categories/{category}/reject")
def reject_category(access: DealDep, category: str) -> Response:
    """Reject every unreviewed item of a category at once (one undo brings them back)."""
    access.require(Action.EDIT)
    result = bulk_reject(access.store, access.id, category, access.user.email)
    return _back(access.id, "#notice", result.audit_id)


@router.post("/deals/{deal_id}/conflicts/{conflict_id}/resolve")
def resolve(request: Request, access: DealDep, conflict_id: str,
            holds: Annotated[str, Form(max_length=8)],
            note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Say which side of a conflict holds, with a note; audited and undoable."""
    access.require(Action.EDIT)
    if holds == "none":
        side = None
    elif holds.isdigit():
        side = int(holds)
    else:
        raise InputError(f"holds must be a side number or 'none', not {holds!r}")
    _, audit_id = resolve_conflict(access.store, access.id, conflict_id, side, note,
                                   access.user.email)
    if is_htmx(request):
        brief = load_brief(access.store, access.id)
        lang = page_lang(request, brief.language)
        n = next(n for n, c in enumerate(brief.conflicts) if c.id == conflict_id)
        return render(request, "_conflict.html", lang=lang, deal_id=access.id,
                      c=conflict_page(brief, n, lang), done={"audit_id": audit_id})
    return _back(access.id, f"#conflict-{conflict_id}", audit_id)


@router.post("/deals/{deal_id}/gaps/{gap_id}/answer")
def answer(access: DealDep, gap_id: str,
           answer: Annotated[str, Form(min_length=1, max_length=5000)]) -> Response:
    """Answer a gap from the rep's inbox."""
    access.require(Action.EDIT)
    answer_gap(access.store, access.id, gap_id, answer, access.user.email)
    return RedirectResponse(f"/deals/{access.id}#gaps", status_code=303)


def _answer_response(request: Request, access: DealAccess, entry: HistoryEntry,
                     language: str | None) -> Response:
    from api.brief_view import cite_view

    lang = page_lang(request, language)
    cites = [cite_view(access.id, c, lang) for c in entry.answer.citations]
    try:
        gaps = {g.id: g for g in load_brief(access.store, access.id).gaps}
    except NotFoundError:
        gaps = {}
    context = {"lang": lang, "a": entry.answer, "cites": cites, "entry": entry,
               "gaps": gaps, "deal_id": access.id, "can_send": bool(gaps)}
    if is_htmx(request):
        return render(request, "_answer.html", **context)
    return render(request, "answer.html", deal=access.deal, **context)


@router.post("/deals/{deal_id}/ask")
def ask(request: Request, access: DealDep, backends: BackendsDep,
        question: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    """Answer a question with citations and keep it in the deal's history."""
    try:
        language: str | None = workspace.brief_of(access.store, access.deal).language
    except NotFoundError:
        language = None
    result = ask_deal(access.store, access.id, question, backends.get(), language)
    entry = keep_answer(access.store, access.id, result, access.user.email)
    return _answer_response(request, access, entry, language)


@router.post("/deals/{deal_id}/questions/{entry_id}/send")
def send_to_rep(request: Request, access: DealDep, entry_id: int) -> Response:
    """Send a question the sources do not answer to the rep's inbox."""
    offer_to_rep(access.store, access.id, entry_id, access.user.email)
    if not is_htmx(request):
        return RedirectResponse(f"/deals/{access.id}#answer-{entry_id}", status_code=303)
    entry = next(h for h in answer_history(access.store, access.id, limit=200)
                 if h.id == entry_id)
    return _answer_response(request, access, entry,
                            load_brief(access.store, access.id).language)


@router.post("/deals/{deal_id}/drafts/{fmt}")
def download_draft(request: Request, access: DealDep, fmt: str,
                   text: Annotated[str, Form(min_length=1, max_length=100_000)]) -> Response:
    """Download a draft as the user edited it on the page."""
    if fmt not in DRAFT_FORMATS:
        raise NotFoundError(f"no draft {fmt!r}: use one of {', '.join(DRAFT_FORMATS)}")
    brief = workspace.brief_of(access.store, access.deal)
    lang = resolve_lang(request.query_params.get("lang"), brief.language)
    body = text.replace("\r\n", "\n")
    return Response(body.encode(), media_type=MARKDOWN_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{file_name(access.id, fmt, lang)}"'})

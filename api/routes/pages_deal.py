"""Web pages of deals: the list, creating one, the brief page, uploads, jobs, passages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api import workspace
from api.access import Action, may_create_deals
from api.auth import CurrentUser, StoreDep
from api.brief_view import brief_page, cite_view
from api.deps import DealAccess, DealDep, RunnerDep
from api.exporting import draft_people
from api.routes.documents import read_files, runs_in_background
from api.users import assign
from api.web import is_htmx, page_lang, render
from api.web_labels import ui
from exports.package import DRAFT_FORMATS, draft_text
from extractor.qa import answer_history
from extractor.review import audit_entry, audit_trail
from extractor.service import load_offering
from handoff.domain import HandoffBrief
from handoff.errors import ForbiddenError, NotFoundError
from handoff.labels import Lang

router = APIRouter()


def _brief_or_none(access: DealAccess) -> HandoffBrief | None:
    try:
        return workspace.brief_of(access.store, access.deal)
    except NotFoundError:
        return None


def _back(deal_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/deals/{deal_id}{anchor}", status_code=303)


@router.get("/deals")
def deals_page(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    """The deals the user may see, with completeness and status."""
    return render(request, "deals.html", deals=workspace.list_deals(store, user),
                  can_create=may_create_deals(user))


@router.post("/deals")
def create_deal(user: CurrentUser, store: StoreDep,
                name: Annotated[str, Form(min_length=1, max_length=300)]) -> Response:
    """Open a deal and go to its page."""
    if not may_create_deals(user):
        raise ForbiddenError("CSMs do not open deals; a rep creates the deal and assigns you")
    deal = workspace.create_deal(store, user, name)
    return _back(deal.id)


def history_views(access: DealAccess, lang: Lang) -> list[dict[str, Any]]:
    """The deal's earlier questions with their cited answers, newest first."""
    return [{"entry": h, "answer": h.answer,
             "cites": [cite_view(access.id, c, lang) for c in h.answer.citations]}
            for h in answer_history(access.store, access.id)]


def _notice(access: DealAccess, undo: int | None, lang: Lang) -> dict[str, Any] | None:
    """The "N items rejected · Undo" line after a change made without JavaScript."""
    if undo is None:
        return None
    try:
        entry = audit_entry(access.store, access.id, undo)
    except NotFoundError:
        return None
    count = (entry.get("after") or {}).get("count", 1)
    action = entry["action"]
    if action not in ("confirm", "correct", "reject", "restore", "bulk_reject", "resolve"):
        return None
    return {"audit_id": undo, "text": ui(f"done_{action}", lang, n=count)}


@router.get("/deals/{deal_id}")
def deal_page(request: Request, access: DealDep, runner: RunnerDep,
              job: str | None = None, undo: int | None = None, expand: int = 0) -> Response:
    """Summary first, then ask, contents, the categories, downloads and drafts, sources."""
    brief = _brief_or_none(access)
    lang = page_lang(request, brief.language if brief else None)
    shown = runner.get(job) if job else runner.active(access.id, "brief")
    if shown is not None and shown.deal_id != access.id:
        shown = None  # a job id of another deal is not shown here
    view = workspace.deal_views(access.store, [access.deal])[0]
    offering = load_offering(access.settings.offering_path)
    drafts = []
    if brief is not None:
        people = draft_people(access.store, access.deal)
        drafts = [{"format": fmt, "text": draft_text(brief, fmt, lang, people, offering)}
                  for fmt in DRAFT_FORMATS if fmt != "call-agenda"]
    return render(request, "deal.html", lang=lang, deal=view, brief=brief,
                  page=brief_page(brief, lang, offering) if brief else None,
                  documents=workspace.documents(access.store, access.deal), job=shown,
                  audit=list(reversed(audit_trail(access.store, access.id)))[:50],
                  deal_id=access.id, can_edit=access.may(Action.EDIT),
                  can_assign=access.may(Action.ASSIGN), history=history_views(access, lang),
                  gaps={g.id: g for g in brief.gaps} if brief else {}, can_send=True,
                  drafts=drafts, notice=_notice(access, undo, lang), open_all=bool(expand))


@router.post("/deals/{deal_id}/upload")
async def upload(request: Request, access: DealDep, runner: RunnerDep,
                 files: Annotated[list[UploadFile], File()]) -> Response:
    """Ingest the chosen files; htmx gets the per-file results."""
    access.require(Action.EDIT)
    received = await read_files(files)
    if runs_in_background(None, received):  # a large upload: a job the page follows
        job, _ = workspace.start_ingest(runner, access.deal, received,
                                        access.user.email)
        if is_htmx(request):
            return render(request, "_job.html", job=job, deal_id=access.id,
                  can_edit=access.may(Action.EDIT))
        return RedirectResponse(f"/deals/{access.id}?job={job.id}#sources", status_code=303)
    results = await run_in_threadpool(workspace.upload, access.store, access.settings,
                                      access.deal, received, access.user.email)
    if is_htmx(request):
        return render(request, "_upload_results.html", results=results,
                      documents=workspace.documents(access.store, access.deal))
    return _back(access.id, "#sources")


@router.post("/deals/{deal_id}/brief")
def run_brief(access: DealDep, runner: RunnerDep) -> Response:
    """Start the brief job and show its progress."""
    access.require(Action.EDIT)
    job, _ = workspace.start_brief(runner, access.store, access.settings, access.deal,
                                   access.user.email)
    return RedirectResponse(f"/deals/{access.id}?job={job.id}#sources", status_code=303)


@router.get("/deals/{deal_id}/jobs/{job_id}")
def job_status(request: Request, access: DealDep, runner: RunnerDep, job_id: str) -> Response:
    """The job's status fragment; redirects htmx when the brief is ready."""
    job = runner.get(job_id)
    if job is None or job.deal_id != access.id:
        raise NotFoundError(f"job {job_id!r} not found")
    if job.status == "succeeded" and is_htmx(request):
        # The brief changed under the page: load it fresh instead of patching a fragment.
        return Response(status_code=200, headers={"HX-Redirect": f"/deals/{access.id}"})
    return render(request, "_job.html", job=job, deal_id=access.id,
                  can_edit=access.may(Action.EDIT))


@router.post("/deals/{deal_id}/jobs/{job_id}/cancel")
def cancel_job(access: DealDep, runner: RunnerDep, job_id: str) -> Response:
    """Cancel the deal's job (a running one stops at its next step) and show the deal."""
    access.require(Action.EDIT)
    job = runner.get(job_id)
    if job is None or job.deal_id != access.id:
        raise NotFoundError(f"job {job_id!r} not found")
    runner.cancel(job_id, access.user.email)
    return RedirectResponse(f"/deals/{access.id}?job={job_id}#sources", status_code=303)


@router.get("/deals/{deal_id}/passage")
def passage(request: Request, access: DealDep, start: int, end: int,
            source: str | None = None, document_id: str | None = None) -> Response:
    """The source text around a citation, the quote highlighted."""
    found = workspace.passage(access.store, access.deal, start, end,
                              document_id=document_id, source=source)
    brief = _brief_or_none(access)
    lang = page_lang(request, brief.language if brief else None)
    template = "_passage.html" if is_htmx(request) else "passage.html"
    return render(request, template, lang=lang, p=found, deal=access.deal)


@router.post("/deals/{deal_id}/assign")
def assign_csm(access: DealDep, email: Annotated[str, Form(max_length=320)]) -> Response:
    """Hand the deal to a CSM."""
    access.require(Action.ASSIGN)
    csm = assign(access.store, email, access.id)
    workspace.audit(access.store, access.id, access.user.email, "assign", csm.email)
    return _back(access.id, "#sources")

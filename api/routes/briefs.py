"""The brief: run the extraction as a job, poll it, read the brief, download the exports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api import workspace
from api.access import Action
from api.auth import CurrentUser, SettingsDep, StoreDep
from api.deps import DealDep, RunnerDep, visible_deal
from api.exporting import ExportFormat, draft_people, render
from api.problems import PROBLEM_RESPONSES, problem_responses
from api.schemas import JobOut
from exports.package import DraftPeople
from extractor.service import load_offering
from handoff.domain import HandoffBrief
from handoff.errors import NotFoundError

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)


def _job_out(job: object) -> JobOut:
    return JobOut.model_validate(job, from_attributes=True)


@router.post("/deals/{deal_id}/brief", status_code=status.HTTP_202_ACCEPTED,
             response_model=JobOut, tags=["briefs"], summary="Build the brief (background job)",
             responses=problem_responses(403, 503))
def run_brief(access: DealDep, runner: RunnerDep, response: Response) -> JobOut:
    """Start extracting the brief with the configured backend and answer at once.

    Poll ``GET /api/jobs/{job_id}`` (also in the ``Location`` header). While a brief job of the
    deal is queued or running, asking again returns that job.
    """
    access.require(Action.EDIT)
    job, _ = workspace.start_brief(runner, access.store, access.settings, access.deal,
                                   access.user.email)
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return _job_out(job)


JobId = Annotated[str, Path(min_length=1, max_length=32, description="The job's id")]


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["briefs"],
            summary="Status of a background job")
def get_job(job_id: JobId, runner: RunnerDep, user: CurrentUser, store: StoreDep,
            settings: SettingsDep) -> JobOut:
    """queued, running (with a progress message), succeeded (with a result) or failed."""
    job = runner.get(job_id)
    try:
        if job is None:
            raise NotFoundError
        visible_deal(job.deal_id, user, store, settings)  # a job is as visible as its deal
    except NotFoundError as exc:  # one answer for both, naming neither the deal nor why
        raise NotFoundError(f"job {job_id!r} not found") from exc
    return _job_out(job)


@router.post("/jobs/{job_id}/cancel", response_model=JobOut, tags=["briefs"],
             summary="Cancel a background job", responses=problem_responses(403))
def cancel_job(job_id: JobId, runner: RunnerDep, user: CurrentUser, store: StoreDep,
               settings: SettingsDep) -> JobOut:
    """A queued job is cancelled at once; a running one stops at its next progress step
    (its status says ``cancelling`` until then). A finished job is returned unchanged.
    Needs the right to edit the job's deal."""
    job = runner.get(job_id)
    try:
        if job is None:
            raise NotFoundError
        access = visible_deal(job.deal_id, user, store, settings)
    except NotFoundError as exc:
        raise NotFoundError(f"job {job_id!r} not found") from exc
    access.require(Action.EDIT)
    return _job_out(runner.cancel(job_id, user.email))


@router.get("/deals/{deal_id}/jobs/latest", response_model=JobOut, tags=["briefs"],
            summary="The deal's latest job of a kind")
def latest_job(access: DealDep, runner: RunnerDep,
               kind: Annotated[Literal["brief", "ingest"], Query()] = "brief") -> JobOut:
    """The most recent brief (or ingest) job of the deal."""
    job = runner.latest(access.id, kind)
    if job is None:
        raise NotFoundError(f"deal {access.id!r} has no {kind} job yet")
    return _job_out(job)


@router.get("/deals/{deal_id}/brief", response_model=HandoffBrief, tags=["briefs"],
            summary="The brief as JSON")
def get_brief(access: DealDep) -> HandoffBrief:
    """Items by ``category.field`` with grounded citations, gaps, conflicts, completeness.

    Rejected items are included with their status; reviews and gap answers are applied.
    """
    return workspace.brief_of(access.store, access.deal)


def people_of(access: DealDep) -> DraftPeople:
    """The assigned CSM and the owning rep (their profiles) and the contract signature."""
    return draft_people(access.store, access.deal)


@router.get(
    "/deals/{deal_id}/export", tags=["exports"], summary="Download the brief or a draft",
    response_class=Response,
    responses={200: {"description": "The document", "content": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
        "text/markdown": {}, "application/json": {}}}},
)
def export(access: DealDep, people: Annotated[DraftPeople, Depends(people_of)],
           format: Annotated[ExportFormat, Query(description="Which document")] = ExportFormat.MD,
           lang: Annotated[Literal["de", "en"] | None, Query(
               description="Language; default: the brief's")] = None) -> Response:
    """The ``docx``, ``md`` or ``json`` brief, or the ``email``, ``agenda``, ``call-agenda``,
    ``checklist`` or ``plan`` draft, in German or English."""
    brief = workspace.brief_of(access.store, access.deal)
    download = render(brief, format, lang, people, load_offering(access.settings.offering_path))
    return Response(download.body, media_type=download.media_type, headers={
        "Content-Disposition": f'attachment; filename="{download.filename}"'})

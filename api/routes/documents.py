"""Sources of a deal: upload many files at once, list and delete them, show cited passages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import workspace
from api.access import Action
from api.deps import DealDep, RunnerDep
from api.problems import PROBLEM_RESPONSES, problem_responses
from api.schemas import DocumentOut, JobOut, PassageOut, UploadOut

router = APIRouter(prefix="/api/deals/{deal_id}", tags=["sources"],
                   responses=PROBLEM_RESPONSES)

LARGE_UPLOAD_BYTES = 2 * 1024 * 1024
"""Uploads bigger than this run as a background job unless ``background=false`` is asked:
parsing, chunking and embedding several MB take longer than an HTTP request should wait."""
LARGE_UPLOAD_FILES = 20


def runs_in_background(asked: bool | None, received: list[tuple[str, bytes]]) -> bool:
    """Whether an upload runs as a job: as asked, else when it is large."""
    if asked is not None:
        return asked
    return (sum(len(data) for _, data in received) > LARGE_UPLOAD_BYTES
            or len(received) > LARGE_UPLOAD_FILES)


async def read_files(files: list[UploadFile]) -> list[tuple[str, bytes]]:
    """The uploaded files as (name, bytes); the body limit already capped their total size."""
    out = []
    for f in files:
        out.append((f.filename or "unnamed", await f.read()))
        await f.close()
    return out


@router.post(
    "/documents", response_model=UploadOut, summary="Upload source files",
    responses={**problem_responses(403, 409, 413),
               202: {"model": JobOut, "description": "background=true: the ingest job"}},
)
async def upload(access: DealDep, runner: RunnerDep,
                 files: Annotated[list[UploadFile], File(description="One or more files")],
                 background: Annotated[bool | None, Query(
                     description="true: ingest in a background job and answer 202; false: "
                                 "answer when done; unset: a job for uploads over 2 MB or "
                                 "20 files")] = None,
                 ) -> UploadOut | JSONResponse:
    """Parse, chunk and index each file on its own.

    Every file gets a result: ``accepted`` (with a reason when it replaced an earlier
    version of the same call), ``duplicate`` (the same bytes or the same text is already in
    this deal, also when it arrived a moment ago in a concurrent request) or ``rejected``
    with the reason (unknown format, unreadable, over the per-file limit). A request body
    over the upload limit is refused as a whole with 413. A large upload answers 202 with
    the ingest job, whose message counts the files done and whose result has the per-file
    results.
    """
    access.require(Action.EDIT)
    received = await read_files(files)
    if runs_in_background(background, received):
        job, _ = workspace.start_ingest(runner, access.deal, received,
                                        access.user.email)
        body = JobOut.model_validate(job, from_attributes=True)
        return JSONResponse(body.model_dump(mode="json"), status_code=202,
                            headers={"Location": f"/api/jobs/{job.id}"})
    return await run_in_threadpool(workspace.upload, access.store, access.settings,
                                   access.deal, received, access.user.email)


@router.get("/documents", response_model=list[DocumentOut], summary="List source files")
def list_documents(access: DealDep) -> list[DocumentOut]:
    """The deal's documents, uploads and rep confirmations, oldest first."""
    return workspace.documents(access.store, access.deal)


@router.delete("/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a source file", responses=problem_responses(403))
def delete_document(access: DealDep, document_id: str) -> Response:
    """Removes the file's text, chunks and vectors, and what the brief took from it.

    Items that rested only on this file leave the saved brief, other items lose its
    citations, its conflicts go and the gaps it filled come back, so the page and every
    export follow at once; cached model answers quoting it are dropped.
    """
    access.require(Action.EDIT)
    workspace.remove_document(access.store, access.settings, access.deal, document_id,
                              access.user.email)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/passage", response_model=PassageOut,
            summary="The source text around a citation")
def get_passage(access: DealDep,
                start: Annotated[int, Query(ge=0, description="Offset of the cited span")],
                end: Annotated[int, Query(gt=0, description="End offset (exclusive)")],
                document_id: Annotated[str | None, Query(max_length=64)] = None,
                source: Annotated[str | None, Query(max_length=500,
                                                    description="File name as uploaded")] = None,
                ) -> PassageOut:
    """The cited span with a window of text either side, its speaker and timestamp."""
    return workspace.passage(access.store, access.deal, start, end,
                             document_id=document_id, source=source)

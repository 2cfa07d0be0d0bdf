"""What each kind of background job does, rebuilt from its row in whichever process runs it.

Design note. A job used to be a closure handed to a thread of the web process, which made the
web process its only possible runner. Now a job is data: its row names a ``kind`` and holds its
``params`` (ingest files wait in ``job_files``), and this registry maps the kind to a function
``(context, job) -> result``. The web process, a ``handoff worker`` on another machine and the
tests all look the kind up here. Extra kinds register from the modules named in
``HANDOFF_JOB_MODULES`` (:func:`load_modules`), which both the web app and the worker import,
so a deployment or a test adds a kind without touching this file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from api.models import JobFileRow, JobRow
from api.schemas import JobKind, UploadResult
from extractor.backends import Backend
from extractor.service import load_offering, make_brief
from handoff.errors import ConfigError, NotFoundError
from handoff.settings import Settings
from index.store import Store

Report = Callable[[str], None]
"""A job's progress callback: one short message, stored on the job row. It raises
:class:`api.jobs.JobCancelled` when someone cancelled the job, so a job stops there."""


@dataclass(frozen=True)
class JobContext:
    """What a job may use: the store, the settings, the shared backend, its progress report."""

    store: Store
    settings: Settings
    backend: Callable[[], Backend]
    report: Report


KindFn = Callable[[JobContext, JobRow], dict[str, Any]]
_KINDS: dict[str, KindFn] = {}


def register(kind: str, fn: KindFn) -> None:
    """Make ``kind`` runnable by every process that imported the registering module."""
    if len(kind) > 16:
        raise ConfigError(f"job kind {kind!r} is longer than 16 characters")
    _KINDS[kind] = fn


def lookup(kind: str) -> KindFn:
    """The function of a job kind.

    Raises:
        ConfigError: No module of this process registered it (say which setting adds it).
    """
    try:
        return _KINDS[kind]
    except KeyError:
        raise ConfigError(f"this process cannot run jobs of kind {kind!r}: add the module "
                          "that registers it to HANDOFF_JOB_MODULES") from None


def load_modules(settings: Settings) -> None:
    """Import the modules of ``HANDOFF_JOB_MODULES`` so their kinds register."""
    for name in filter(None, (n.strip() for n in settings.job_modules.split(","))):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"HANDOFF_JOB_MODULES names {name!r}, which cannot be "
                              f"imported: {exc}") from exc


def files_of(store: Store, job_id: str) -> list[tuple[str, bytes]]:
    """The files an ingest job was given, in upload order."""
    with store.session() as s:
        rows = s.scalars(select(JobFileRow).where(JobFileRow.job_id == job_id)
                         .order_by(JobFileRow.position))
        return [(r.filename, r.data) for r in rows]


def _deal(ctx: JobContext, job: JobRow) -> Any:
    try:
        return ctx.store.get_deal(job.deal_id)
    except NotFoundError as exc:
        raise NotFoundError("the deal was deleted while its job waited") from exc


def run_brief(ctx: JobContext, job: JobRow) -> dict[str, Any]:
    """Build and save the deal's brief with the configured backend."""
    from api.workspace import audit  # workspace submits jobs; import at run time, no cycle

    actor = (job.params or {}).get("actor", job.created_by)
    offering = load_offering(ctx.settings.offering_path)
    backend = ctx.backend()
    ctx.report(f"backend {backend.name}: {backend.reason}")
    brief = make_brief(ctx.store, job.deal_id, backend, offering=offering,
                       progress=lambda category, message: ctx.report(f"{category}: {message}"))
    audit(ctx.store, job.deal_id, actor, "brief", job.deal_id,
          {"backend": brief.metadata.backend, "completeness": brief.completeness})
    return {"backend": brief.metadata.backend, "items": len(brief.visible_items()),
            "gaps": len(brief.gaps), "conflicts": len(brief.conflicts),
            "completeness": brief.completeness}


def run_ingest(ctx: JobContext, job: JobRow) -> dict[str, Any]:
    """Ingest the job's files one by one (a re-run skips what was stored: duplicates)."""
    from api.workspace import upload

    actor = (job.params or {}).get("actor", job.created_by)
    files = files_of(ctx.store, job.id)
    ctx.report(f"ingesting {len(files)} files")

    def each(number: int, total: int, result: UploadResult) -> None:
        ctx.report(f"{number}/{total} files: {result.filename} {result.status.value}")

    out = upload(ctx.store, ctx.settings, _deal(ctx, job), files, actor, each)
    return out.model_dump(mode="json")


register(JobKind.BRIEF.value, run_brief)
register(JobKind.INGEST.value, run_ingest)
